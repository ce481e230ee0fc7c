import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../../brokers';
import { formatErrorLine } from '../../core/errors';
import type { ResolvedContext } from '../../config/types';
import { encodeHistogram } from '../histograms';
import { holdsMeasuredRecords } from '../produce';
import { openProducers, startProduce, type ProduceOptions } from '../run';
import type { HistogramName } from '../result-schema';

/**
 * One producer thread of `perf produce --threads N`: its own event loop, broker connection, schedule
 * (rate/N) and histograms. Intervals and the final outcome go to the parent as encoded histograms, which
 * the parent adds exactly.
 */
export interface WorkerInput {
  ctx: ResolvedContext;
  timeoutMs: number;
  options: ProduceOptions;
}

export type EncodedMap = Partial<Record<HistogramName, string>>;

export type WorkerMessage =
  | { type: 'ready'; description: string }
  | {
      type: 'interval';
      t: number;
      seconds: number;
      startEpochMs: number;
      endEpochMs: number;
      sent: number;
      acked: number;
      errors: number;
      bytes: number;
      histograms: EncodedMap;
    }
  | {
      type: 'done';
      sent: number;
      acked: number;
      errors: number;
      bytes: number;
      warmupSent: number;
      durationSeconds: number;
      sendRate: number;
      startTime: number;
      endTime: number;
      interrupted: boolean;
      backpressureWaits: number;
      eventLoopDelayP99Ms: number;
      errorMessages: string[];
      histograms: EncodedMap;
    }
  | { type: 'error'; message: string; exitCode: number };

function encodeMap(map: ReadonlyMap<HistogramName, import('../histograms').Histogram>): EncodedMap {
  const out: EncodedMap = {};
  for (const [name, h] of map) out[name] = encodeHistogram(h).encoded;
  return out;
}

async function main(): Promise<void> {
  const port = parentPort!;
  const input = workerData as WorkerInput;
  const abort = new AbortController();
  port.on('message', (m: unknown) => {
    if (m === 'stop') abort.abort();
  });
  const connection = connect(input.ctx, { timeoutMs: input.timeoutMs });
  try {
    const producers = await openProducers(connection, input.options);
    port.postMessage({ type: 'ready', description: producers[0]!.description } satisfies WorkerMessage);
    const { done } = startProduce(producers, input.options, { signal: abort.signal }, (s) => {
      if (!holdsMeasuredRecords(s)) return;
      port.postMessage({
        type: 'interval',
        t: s.t,
        seconds: s.seconds,
        startEpochMs: s.startEpochMs,
        endEpochMs: s.endEpochMs,
        sent: s.sent,
        acked: s.acked,
        errors: s.errors,
        bytes: s.bytes,
        histograms: encodeMap(s.histograms),
      } satisfies WorkerMessage);
    });
    const o = await done;
    await Promise.all(producers.map((p) => p.close()));
    await connection.close();
    port.postMessage({
      type: 'done',
      sent: o.sent,
      acked: o.acked,
      errors: o.errors,
      bytes: o.bytes,
      warmupSent: o.warmupSent,
      durationSeconds: o.durationSeconds,
      sendRate: o.sendRate,
      startTime: o.startTime.getTime(),
      endTime: o.endTime.getTime(),
      interrupted: o.interrupted,
      backpressureWaits: o.backpressureWaits,
      eventLoopDelayP99Ms: o.eventLoopDelayP99Ms,
      errorMessages: o.errorMessages,
      histograms: encodeMap(o.histograms.total),
    } satisfies WorkerMessage);
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode ?? 1;
    port.postMessage({ type: 'error', message: formatErrorLine(error), exitCode } satisfies WorkerMessage);
  } finally {
    await connection.close();
  }
}

void main();
