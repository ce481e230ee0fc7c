import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { preparePerfConsumerGroup } from '../../brokers/perf';
import type { BrokerConnection } from '../../brokers/types';
import { MqctlError, UsageError } from '../../core/errors';
import type { ResolvedContext } from '../../config/types';
import { SharedConsumeState } from '../consume';
import { decodeHistogram, newHistogram, retireInterval, type Histogram } from '../histograms';
import type { HistogramName } from '../result-schema';
import {
  consumeResult,
  intervalOf,
  toLogInterval,
  type ConsumeOptions,
  type ConsumeTotals,
  type PerfRunOutput,
  type RunHooks,
} from '../run';
import type {
  ConsumeThreadDone,
  ConsumeThreadInterval,
  ConsumeWorkerCommand,
  ConsumeWorkerInput,
  ConsumeWorkerMessage,
} from './consume-worker';
import type { EncodedMap } from './produce-worker';

function addInto(target: Map<HistogramName, Histogram>, encoded: EncodedMap): void {
  for (const [name, text] of Object.entries(encoded) as Array<[HistogramName, string]>) {
    if (!target.has(name)) target.set(name, newHistogram());
    target.get(name)!.add(decodeHistogram(text));
  }
}

export type MergedConsumeInterval = ConsumeTotals['intervals'][number] & {
  startEpochMs: number;
  endEpochMs: number;
  histograms: Map<HistogramName, Histogram>;
};

/** Interval k of every consumer thread as one row: counts summed, histograms added (never averaged). */
export function mergeConsumeIntervals(parts: readonly ConsumeThreadInterval[]): MergedConsumeInterval {
  const histograms = new Map<HistogramName, Histogram>();
  for (const p of parts) addInto(histograms, p.histograms);
  const startEpochMs = Math.min(...parts.map((p) => p.startEpochMs));
  const endEpochMs = Math.max(...parts.map((p) => p.endEpochMs));
  return {
    t: Math.max(...parts.map((p) => p.t)),
    // the threads' intervals cover the same stretch of time (their clocks start together on "go")
    seconds: parts.reduce((n, p) => n + p.seconds, 0) / parts.length,
    startEpochMs,
    endEpochMs,
    received: parts.reduce((n, p) => n + p.received, 0),
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    histograms,
  };
}

/**
 * The final outcomes of N consumer threads as one: counts summed, histograms added exactly, the measured
 * duration the longest (every thread measures from the same first record, SharedConsumeState).
 */
export function mergeConsumeThreads(
  parts: readonly ConsumeThreadDone[],
): Omit<ConsumeTotals, 'intervals'> & { unstamped: number } {
  const histograms = new Map<HistogramName, Histogram>();
  for (const p of parts) addInto(histograms, p.histograms);
  if (!histograms.has('e2e')) histograms.set('e2e', newHistogram());
  const sum = (pick: (p: ConsumeThreadDone) => number) => parts.reduce((n, p) => n + pick(p), 0);
  return {
    received: sum((p) => p.received),
    warmupReceived: sum((p) => p.warmupReceived),
    unstamped: sum((p) => p.unstamped),
    bytes: sum((p) => p.bytes),
    errors: sum((p) => p.errors),
    durationSeconds: Math.max(0, ...parts.map((p) => p.durationSeconds)),
    rebalanceMs: Math.max(0, ...parts.map((p) => p.rebalanceMs)),
    startTime: new Date(Math.min(...parts.map((p) => p.startTime))),
    endTime: new Date(Math.max(...parts.map((p) => p.endTime))),
    interrupted: parts.some((p) => p.interrupted),
    idleTimedOut: parts.some((p) => p.idleTimedOut),
    histograms,
  };
}

/**
 * `perf consume --threads N`: N worker threads, each with its own connection and consumer on the topic
 * (Kafka: one group, partitions assigned once all N joined; Pulsar: a Shared subscription; RabbitMQ: N
 * consumers on the queue). `--num-records` is the total: every record claims a slot in a shared atomic
 * counter, so the sum stops at exactly N; the first thread to finish makes the parent tell the others.
 * Interval k of every thread becomes one progress row; histograms are added, never averaged.
 */
export async function runConsumeThreads(
  connection: BrokerConnection,
  ctx: ResolvedContext,
  timeoutMs: number,
  threads: number,
  o: ConsumeOptions,
  hooks: RunHooks = {},
): Promise<PerfRunOutput> {
  if (threads < 2) throw new UsageError('--threads must be ≥ 2 here');
  if (!Number.isFinite(o.numRecords) && !Number.isFinite(o.durationMs))
    throw new UsageError('pass --num-records N or --duration D');
  const consumer = await preparePerfConsumerGroup(
    connection,
    { topic: o.topic, group: o.group, from: o.from, prefetch: o.prefetch },
    threads,
  );
  const state = SharedConsumeState.create(o.numRecords);
  const workers: Worker[] = [];
  const post = (command: ConsumeWorkerCommand) => workers.forEach((w) => w.postMessage(command));
  const pending = new Map<number, ConsumeThreadInterval[]>();
  const counts = new Array<number>(threads).fill(0);
  const intervals: MergedConsumeInterval[] = [];
  const finals: ConsumeThreadDone[] = [];
  const errors: MqctlError[] = [];
  let description = '';
  let readyCount = 0;

  /** `live`: a progress line too (the trailing partial intervals at the end only go into the result) */
  const emitInterval = (k: number, live: boolean) => {
    const merged = mergeConsumeIntervals(pending.get(k)!);
    pending.delete(k);
    intervals.push(merged);
    if (live) {
      hooks.onIntervalHistograms?.(merged.histograms);
      hooks.onInterval?.(intervalOf({ ...merged, warmup: false, sent: 0, acked: 0, errors: 0 }, true), true);
    }
    retireInterval(merged.histograms, Boolean(hooks.keepIntervalHistograms));
  };
  const addInterval = (j: number, m: ConsumeThreadInterval, live: boolean) => {
    const k = counts[j]!++;
    const list = pending.get(k) ?? [];
    list.push(m);
    pending.set(k, list);
    if (list.length === threads) emitInterval(k, live);
  };

  const onAbort = () => post('abort');
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const start = (j: number): Promise<void> => {
    const input: ConsumeWorkerInput = {
      ctx,
      timeoutMs,
      options: o,
      consumer: { ...consumer, directFetch: true, memberIndex: j },
      state: state.buffer,
    };
    const worker = new Worker(join(__dirname, 'consume-worker.js'), { workerData: input });
    workers.push(worker);
    return new Promise<void>((resolve) => {
      worker.on('message', (m: ConsumeWorkerMessage) => {
        switch (m.type) {
          case 'ready':
            description ||= m.description;
            // the clocks (intervals, idle timeout) start together once every consumer is subscribed
            if (++readyCount === threads) {
              hooks.onNote?.(
                `consuming ${o.topic} on ${connection.kind} ${connection.target} with ${threads} threads via ${description}`,
              );
              post(hooks.signal?.aborted ? 'abort' : 'go');
            }
            break;
          case 'interval':
            addInterval(j, m, true);
            break;
          case 'done':
            for (const i of m.trailing) addInterval(j, i, false);
            finals.push(m);
            // the stop conditions are shared: when one thread is done, all are
            post('stop');
            // the thread has closed its connection; end it so no client handle keeps the process alive
            void worker.terminate();
            resolve();
            break;
          case 'error':
            errors.push(new MqctlError(m.message, m.exitCode));
            post('abort');
            void worker.terminate();
            resolve();
            break;
        }
      });
      worker.on('error', (error) => {
        errors.push(new MqctlError(`consumer thread ${j}: ${error.message}`, 1));
        post('abort');
        resolve();
      });
      worker.on('exit', () => resolve());
    });
  };
  hooks.onStatus?.(() => `received ${state.taken()} (${threads} threads)`);
  const runs: Array<Promise<void>> = [];
  for (let j = 0; j < threads; j++) runs.push(start(j));
  await Promise.all(runs);
  hooks.signal?.removeEventListener('abort', onAbort);
  if (errors.length > 0) throw errors[0]!;
  if (finals.length < threads)
    throw new MqctlError(`${threads - finals.length} consumer threads ended without a result`);
  for (const k of [...pending.keys()].sort((a, b) => a - b)) emitInterval(k, false);
  const totals = mergeConsumeThreads(finals);
  hooks.onNote?.(`received per thread: ${finals.map((f) => f.received + f.warmupReceived).join(', ')}`);
  const result = consumeResult(
    { kind: connection.kind, target: connection.target, dataPath: `${description} × ${threads} threads` },
    o,
    { ...totals, interrupted: totals.interrupted || Boolean(hooks.signal?.aborted), intervals },
    { threads },
  );
  const logIntervals = intervals.map(toLogInterval);
  return { result, logIntervals, startEpochMs: totals.startTime.getTime() };
}
