import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MqctlError, UsageError } from '../../core/errors';
import { describeTarget } from '../../config/resolve';
import type { ResolvedContext } from '../../config/types';
import type { LogInterval } from '../files';
import { decodeHistogram, newHistogram, retireInterval, type Histogram } from '../histograms';
import { buildResult, type RunData } from '../result';
import type { HistogramName } from '../result-schema';
import {
  intervalOf,
  produceSettingsRecord,
  validateProduce,
  type PerfRunOutput,
  type ProduceOptions,
  type RunHooks,
} from '../run';
import type { IntervalSnapshot } from '../produce';
import type { EncodedMap, WorkerInput, WorkerMessage } from './produce-worker';

type Done = Extract<WorkerMessage, { type: 'done' }>;
type IntervalMsg = Extract<WorkerMessage, { type: 'interval' }>;

function addInto(target: Map<HistogramName, Histogram>, encoded: EncodedMap): void {
  for (const [name, text] of Object.entries(encoded) as Array<[HistogramName, string]>) {
    if (!target.has(name)) target.set(name, newHistogram());
    target.get(name)!.add(decodeHistogram(text));
  }
}

/**
 * `perf produce --threads N`: N worker threads, each an independent open-loop producer at rate/N with its
 * own share of the keys (thread j of shard I/S is sub-shard I·N+j of S·N). Interval k of every thread is
 * merged into one progress row; final histograms are added exactly, never averaged.
 */
export async function runProduceThreads(
  ctx: ResolvedContext,
  timeoutMs: number,
  threads: number,
  o: ProduceOptions,
  hooks: RunHooks = {},
): Promise<PerfRunOutput> {
  validateProduce(o);
  if (threads < 2) throw new UsageError('--threads must be ≥ 2 here');
  if (o.producers < threads) o = { ...o, producers: threads };
  const shard = o.shard ?? { index: 0, count: 1 };
  const perThreadProducers = Math.max(1, Math.round(o.producers / threads));
  const workers: Worker[] = [];
  const intervals = new Map<number, IntervalMsg[]>();
  const logIntervals: LogInterval[] = [];
  const mergedIntervals: Array<IntervalSnapshot> = [];
  let description = '';
  const finals: Done[] = [];
  const onAbort = () => workers.forEach((w) => w.postMessage('stop'));
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const counts = new Array<number>(threads).fill(0);

  const emitInterval = (k: number) => {
    const parts = intervals.get(k)!;
    intervals.delete(k);
    const histograms = new Map<HistogramName, Histogram>();
    for (const p of parts) addInto(histograms, p.histograms);
    const snapshot: IntervalSnapshot = {
      t: Math.max(...parts.map((p) => p.t)),
      startEpochMs: Math.min(...parts.map((p) => p.startEpochMs)),
      endEpochMs: Math.max(...parts.map((p) => p.endEpochMs)),
      seconds: parts.reduce((n, p) => n + p.seconds, 0) / parts.length,
      warmup: false,
      sent: parts.reduce((n, p) => n + p.sent, 0),
      acked: parts.reduce((n, p) => n + p.acked, 0),
      errors: parts.reduce((n, p) => n + p.errors, 0),
      bytes: parts.reduce((n, p) => n + p.bytes, 0),
      histograms,
    };
    mergedIntervals.push(snapshot);
    logIntervals.push({ startEpochMs: snapshot.startEpochMs, endEpochMs: snapshot.endEpochMs, histograms });
    hooks.onInterval?.(intervalOf(snapshot, false), false);
    retireInterval(histograms, Boolean(hooks.keepIntervalHistograms));
  };

  let firstReady: () => void = () => undefined;
  const firstReadyPromise = new Promise<void>((r) => (firstReady = r));
  const start = (j: number) => {
    const input: WorkerInput = {
      ctx,
      timeoutMs,
      options: {
        ...o,
        // startProduce divides the rate by the shard count, here S·N: each thread runs rate/(S·N)
        rate: o.rate,
        numRecords: Number.isFinite(o.numRecords)
          ? Math.floor(o.numRecords / threads) + (j < o.numRecords % threads ? 1 : 0)
          : Infinity,
        warmupRecords: Math.floor(o.warmupRecords / threads),
        producers: perThreadProducers,
        // rate is divided here already; the sub-shard only picks keys
        shard: { index: shard.index * threads + j, count: shard.count * threads },
        create: j === 0 ? o.create : undefined,
      },
    };
    const worker = new Worker(join(__dirname, 'produce-worker.js'), { workerData: input });
    workers.push(worker);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            description ||= m.description;
            if (j === 0) firstReady();
            break;
          case 'interval': {
            const k = counts[j]!++;
            const list = intervals.get(k) ?? [];
            list.push(m);
            intervals.set(k, list);
            if (list.length === threads) emitInterval(k);
            break;
          }
          case 'done':
            finals.push(m);
            // the thread has closed its connection; end it so no client handle keeps the process alive
            void worker.terminate();
            resolve();
            break;
          case 'error':
            workers.forEach((w) => w.postMessage('stop'));
            void worker.terminate();
            firstReady();
            reject(new MqctlError(m.message, m.exitCode));
            break;
        }
      });
      worker.on('error', (error) => reject(error));
      worker.on('exit', () => {
        firstReady();
        resolve();
      });
    });
  };
  // thread 0 checks or creates the topic before the others start, so they never race its creation
  const runs = [start(0)];
  await firstReadyPromise;
  for (let j = 1; j < threads; j++) runs.push(start(j));
  await Promise.all(runs);
  hooks.signal?.removeEventListener('abort', onAbort);
  for (const k of [...intervals.keys()].sort((a, b) => a - b)) emitInterval(k);
  if (finals.length < threads)
    throw new MqctlError(`${threads - finals.length} producer threads ended without a result`);
  const histograms = new Map<HistogramName, Histogram>();
  for (const f of finals) addInto(histograms, f.histograms);
  const sum = (pick: (f: Done) => number) => finals.reduce((n, f) => n + pick(f), 0);
  const data: RunData = {
    command: 'produce',
    broker: { kind: ctx.kind, target: describeTarget(ctx), dataPath: `${description} × ${threads} threads` },
    settings: { ...produceSettingsRecord(o, ctx.kind), threads },
    shard: o.shard ? `${o.shard.index}/${o.shard.count}` : undefined,
    targetRate: o.rate > 0 ? o.rate / shard.count : null,
    sent: sum((f) => f.sent),
    acked: sum((f) => f.acked),
    errors: sum((f) => f.errors),
    bytes: sum((f) => f.bytes),
    durationSeconds: Math.max(...finals.map((f) => f.durationSeconds)),
    sendRate: sum((f) => f.sendRate),
    startTime: new Date(Math.min(...finals.map((f) => f.startTime))),
    endTime: new Date(Math.max(...finals.map((f) => f.endTime))),
    interrupted: finals.some((f) => f.interrupted),
    histograms,
    intervals: mergedIntervals,
    maxSendDelayMs: o.maxSendDelayMs,
    backpressureWaits: sum((f) => f.backpressureWaits),
    eventLoopDelayP99Ms: Math.max(...finals.map((f) => f.eventLoopDelayP99Ms)),
    errorMessages: finals.flatMap((f) => f.errorMessages),
  };
  const result = buildResult(data);
  result.warmup = { records: sum((f) => f.warmupSent) };
  return { result, logIntervals, startEpochMs: data.startTime.getTime() };
}
