import { createServer, type Server } from 'node:http';
import { formatErrorLine } from '../cli/errors';
import type { LagQuery, LagReport } from './model';
import { renderPrometheus } from './prometheus';
import type { LagHistory } from './report';
import { watchLag, type SnapshotSource } from './watch';

export interface ServeOptions {
  host: string;
  port: number;
  intervalMs: number;
  signal: AbortSignal;
  onError?: (message: string) => void;
  onListening?: (address: string) => void;
}

/**
 * `mqctl lag serve`: samples lag every interval in the background (so verdicts have a window) and serves the
 * latest report at /metrics in the Prometheus text format. A failed sample keeps the previous report and
 * sets mqctl_lag_up 0, so a scrape never hangs on the broker.
 */
export async function serveLagMetrics(
  source: SnapshotSource,
  query: LagQuery,
  history: LagHistory,
  options: ServeOptions,
): Promise<void> {
  let latest: LagReport | undefined;
  let lastError: string | undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      if (!latest) {
        res
          .writeHead(503, { 'content-type': 'text/plain' })
          .end(`no lag sample yet${lastError ? `: ${lastError}` : ''}\n`);
        return;
      }
      renderPrometheus(latest).then(
        (text) => {
          const up = `# HELP mqctl_lag_up 1 when the last sample succeeded\n# TYPE mqctl_lag_up gauge\nmqctl_lag_up ${lastError ? 0 : 1}\n`;
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text + up);
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
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
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
