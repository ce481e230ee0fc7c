import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../../brokers';
import { createPerfConsumer, type PerfConsumerOptions } from '../../brokers/perf';
import { formatErrorLine } from '../../core/errors';
import type { ResolvedContext } from '../../config/types';
import { ConsumeRun, SharedConsumeState, type ConsumeOutcome } from '../consume';
import { encodeHistogram, type Histogram } from '../histograms';
import type { HistogramName } from '../result-schema';
import type { ConsumeOptions } from '../run';
import type { EncodedMap } from './produce-worker';

/**
 * One consumer thread of `perf consume --threads N`: its own event loop, connection and consumer (one
 * member of the shared group / subscription / queue). The record budget, the first and the latest record
 * time are shared with the other threads (SharedConsumeState), so `--num-records` is the total and
 * `--duration` / `--idle-timeout` end all threads together. Intervals and the final outcome go to the parent
 * as encoded histograms, which the parent adds exactly.
 */
export interface ConsumeWorkerInput {
  ctx: ResolvedContext;
  timeoutMs: number;
  options: ConsumeOptions;
  /** prepared by preparePerfConsumerGroup: the group every thread joins */
  consumer: PerfConsumerOptions;
  /** SharedConsumeState's buffer */
  state: SharedArrayBuffer;
}

/** Parent → worker: start the clock (all threads subscribed), end (count reached elsewhere), Ctrl-C. */
export type ConsumeWorkerCommand = 'go' | 'stop' | 'abort';

export interface ConsumeThreadInterval {
  t: number;
  seconds: number;
  startEpochMs: number;
  endEpochMs: number;
  received: number;
  bytes: number;
  histograms: EncodedMap;
}

export interface ConsumeThreadDone {
  received: number;
  warmupReceived: number;
  unstamped: number;
  bytes: number;
  errors: number;
  durationSeconds: number;
  rebalanceMs: number;
  /** epoch ms */
  startTime: number;
  endTime: number;
  interrupted: boolean;
  idleTimedOut: boolean;
  histograms: EncodedMap;
  /** the intervals not posted while running (the last, partial one) */
  trailing: ConsumeThreadInterval[];
}

export type ConsumeWorkerMessage =
  | { type: 'ready'; description: string }
  | ({ type: 'interval' } & ConsumeThreadInterval)
  | ({ type: 'done' } & ConsumeThreadDone)
  | { type: 'error'; message: string; exitCode: number };

function encodeMap(map: ReadonlyMap<HistogramName, Histogram>): EncodedMap {
  const out: EncodedMap = {};
  for (const [name, h] of map) out[name] = encodeHistogram(h).encoded;
  return out;
}

function intervalMessage(i: ConsumeOutcome['intervals'][number]): ConsumeThreadInterval {
  return {
    t: i.t,
    seconds: i.seconds,
    startEpochMs: i.startEpochMs,
    endEpochMs: i.endEpochMs,
    received: i.received,
    bytes: i.bytes,
    histograms: encodeMap(i.histograms),
  };
}

async function main(): Promise<void> {
  const port = parentPort!;
  const input = workerData as ConsumeWorkerInput;
  const abort = new AbortController();
  let go: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (go = resolve));
  let consume: ConsumeRun | undefined;
  let stopRequested = false;
  port.on('message', (m: ConsumeWorkerCommand) => {
    if (m === 'go') go();
    if (m === 'stop') {
      stopRequested = true;
      consume?.stop();
      go();
    }
    if (m === 'abort') {
      abort.abort();
      go();
    }
  });
  const connection = connect(input.ctx, { timeoutMs: input.timeoutMs });
  try {
    const o = input.options;
    const driver = await createPerfConsumer(connection, input.consumer);
    consume = new ConsumeRun(
      driver,
      {
        numRecords: o.numRecords,
        durationMs: o.durationMs,
        warmupMs: o.warmupMs,
        warmupRecords: o.warmupRecords,
        idleTimeoutMs: o.idleTimeoutMs,
        intervalMs: o.intervalMs,
      },
      new SharedConsumeState(input.state),
    );
    if (stopRequested) consume.stop();
    await consume.start();
    port.postMessage({ type: 'ready', description: driver.description } satisfies ConsumeWorkerMessage);
    await started;
    let posted = 0;
    const outcome = await consume.run(abort.signal, (i) => {
      posted++;
      port.postMessage({ type: 'interval', ...intervalMessage(i) } satisfies ConsumeWorkerMessage);
    });
    // the broker stopped answering: the thread's error ends the run (the parent tells the others)
    if (outcome.fatal) throw outcome.fatal;
    await connection.close();
    port.postMessage({
      type: 'done',
      received: outcome.received,
      warmupReceived: outcome.warmupReceived,
      unstamped: outcome.unstamped,
      bytes: outcome.bytes,
      errors: 0,
      durationSeconds: outcome.durationSeconds,
      rebalanceMs: outcome.rebalanceMs,
      startTime: outcome.startTime.getTime(),
      endTime: outcome.endTime.getTime(),
      interrupted: outcome.interrupted,
      idleTimedOut: outcome.idleTimedOut,
      histograms: encodeMap(outcome.histograms.total),
      trailing: outcome.intervals.slice(posted).map(intervalMessage),
    } satisfies ConsumeWorkerMessage);
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode ?? 1;
    port.postMessage({
      type: 'error',
      message: formatErrorLine(error),
      exitCode,
    } satisfies ConsumeWorkerMessage);
  } finally {
    await connection.close();
  }
}

void main();
