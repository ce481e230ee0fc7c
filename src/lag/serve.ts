import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { formatErrorLine, UsageError } from '../core/errors';
import type { LagQuery, LagReport } from './model';
import { lagRegistry, type PrometheusOptions } from './prometheus';
import type { LagHistory } from './report';
import { watchLag, type SnapshotSource } from './watch';

export interface ServeOptions {
  host: string;
  port: number;
  intervalMs: number;
  signal: AbortSignal;
  /** Metric naming and cluster_name label. */
  metrics?: PrometheusOptions;
  onError?: (message: string) => void;
  onListening?: (address: string) => void;
}

/** Default port: 9308, kafka_exporter's entry in Prometheus' port allocations (see docs/lag.md). */
export const DEFAULT_LAG_PORT = 9308;

/**
 * `mqctl lag serve`: samples lag every interval in the background (so verdicts have a window) and serves the
 * latest report at /metrics in the Prometheus text format, with prom-client's default process and Node.js
 * metrics (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_seconds, …) as
 * every Prometheus exporter has them. A failed sample keeps the previous report and sets mqctl_lag_up 0, so
 * a scrape never hangs on the broker. A port already in use (or not allowed) is a usage error (exit 2).
 */
export async function serveLagMetrics(
  source: SnapshotSource,
  query: LagQuery,
  history: LagHistory,
  options: ServeOptions,
): Promise<void> {
  let latest: LagReport | undefined;
  let lastError: string | undefined;
  // One registry for the process metrics for the server's life (they keep state: CPU, GC, event loop).
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  // prom-client names three gauges *_total, which promtool check metrics flags (a counter suffix on a gauge);
  // the same counts stay available as nodejs_active_handles / _requests / _resources by type.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    processRegistry.removeSingleMetric(name);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      if (!latest) {
        res
          .writeHead(503, { 'content-type': 'text/plain' })
          .end(`no lag sample yet${lastError ? `: ${lastError}` : ''}\n`);
        return;
      }
      const lagMetrics = lagRegistry(latest, { ...options.metrics, upValue: lastError ? 0 : 1 });
      Registry.merge([lagMetrics, processRegistry])
        .metrics()
        .then(
          (text) => {
            res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
          },
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
      return;
    }
    if (path === '/healthz') {
      res
        .writeHead(latest && !lastError ? 200 : 503, { 'content-type': 'text/plain' })
        .end(lastError ?? 'ok\n');
      return;
    }
    res
      .writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain' })
      .end('mqctl lag exporter: /metrics, /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(listenError(error, options.host, options.port)),
    );
    try {
      server.listen(options.port, options.host, () => resolve());
    } catch (error) {
      reject(listenError(error as NodeJS.ErrnoException, options.host, options.port));
    }
  });
  const address = server.address();
  options.onListening?.(
    typeof address === 'object' && address
      ? `http://${options.host}:${address.port}/metrics`
      : String(address),
  );
  try {
    // Sampling keeps going after a failed sample: the exporter reports up=0 until the broker is back.
    while (!options.signal.aborted) {
      try {
        await watchLag(source, query, history, {
          intervalMs: options.intervalMs,
          signal: options.signal,
          onReport: (report) => {
            latest = report;
            lastError = undefined;
          },
        });
      } catch (error) {
        lastError = formatErrorLine(error);
        options.onError?.(lastError);
        await new Promise((r) => setTimeout(r, options.intervalMs));
      }
    }
  } finally {
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Listening failures are the user's input (a port in use, an address this machine does not have): exit 2. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): UsageError {
  if (error.code === 'EADDRINUSE')
    return new UsageError(`port ${host}:${port} is already in use`, {
      hint: 'pick another with --port (0: any free port)',
    });
  if (error.code === 'EACCES')
    return new UsageError(`--port ${port} needs privileges on ${host}`, { hint: 'use a port above 1023' });
  return new UsageError(`--host ${host}: cannot listen there (${error.code ?? error.message})`, {
    hint: 'use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0',
  });
}
