import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { LocalConsumeState, SharedConsumeState } from '../../src/perf/consume';
import { mergeConsumeIntervals, mergeConsumeThreads } from '../../src/perf/threads/consume-main';
import type { ConsumeThreadDone, ConsumeThreadInterval } from '../../src/perf/threads/consume-worker';
import { decodeHistogram, encodeHistogram, newHistogram, summarize } from '../../src/perf/histograms';
import { consumeResult, type ConsumeOptions } from '../../src/perf/run';

/** A deterministic pseudo-random sequence (so failures reproduce). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** e2e samples (µs) of one thread: a different distribution per thread, so averaging would show. */
function samples(seed: number, n: number, scaleUs: number): number[] {
  const next = lcg(seed);
  return Array.from({ length: n }, () => Math.round(scaleUs * (1 + 20 * next() ** 4)));
}

function encoded(values: number[]): string {
  const h = newHistogram();
  for (const v of values) h.recordValue(v);
  return encodeHistogram(h).encoded;
}

function done(values: number[], overrides: Partial<ConsumeThreadDone> = {}): ConsumeThreadDone {
  return {
    received: values.length,
    warmupReceived: 0,
    unstamped: 0,
    bytes: values.length * 100,
    errors: 0,
    durationSeconds: 2,
    rebalanceMs: 0,
    startTime: Date.UTC(2026, 0, 1, 0, 0, 0),
    endTime: Date.UTC(2026, 0, 1, 0, 0, 3),
    interrupted: false,
    idleTimedOut: false,
    histograms: { e2e: encoded(values) },
    trailing: [],
    ...overrides,
  };
}

const options: ConsumeOptions = {
  topic: 't',
  from: 'earliest',
  prefetch: 1000,
  numRecords: 7000,
  durationMs: Infinity,
  warmupMs: 0,
  warmupRecords: 0,
  idleTimeoutMs: 10_000,
  intervalMs: 5000,
};

describe('perf consume --threads: merging per-thread results', () => {
  it('adds the e2e histograms exactly (the same percentiles as one histogram of every sample) and sums counts', () => {
    const fast = samples(1, 5000, 2000); // 2–42 ms
    const slow = samples(2, 2000, 50_000); // 50 ms – 1 s
    const merged = mergeConsumeThreads([
      done(fast, { warmupReceived: 10, unstamped: 1, durationSeconds: 2.5 }),
      done(slow, { warmupReceived: 5, durationSeconds: 1.75, endTime: Date.UTC(2026, 0, 1, 0, 0, 4) }),
    ]);
    const all = newHistogram();
    for (const v of [...fast, ...slow]) all.recordValue(v);
    // what one thread recording every sample would report once encoded (the max is kept to its bucket)
    assert.deepEqual(summarize(merged.histograms.get('e2e')!), summarize(roundTrip(all)));
    assert.equal(merged.received, 7000);
    assert.equal(merged.warmupReceived, 15);
    assert.equal(merged.unstamped, 1);
    assert.equal(merged.bytes, 700_000);
    assert.equal(merged.errors, 0);
    assert.equal(
      merged.durationSeconds,
      2.5,
      'every thread measures from the same first record: the longest',
    );
    assert.equal(merged.startTime.getTime(), Date.UTC(2026, 0, 1, 0, 0, 0));
    assert.equal(merged.endTime.getTime(), Date.UTC(2026, 0, 1, 0, 0, 4));
    assert.equal(merged.interrupted, false);

    // an average of the two threads' p99 would be far from the true p99
    const averaged = (summarize(decodeOne(fast)).p99 + summarize(decodeOne(slow)).p99) / 2;
    assert.notEqual(summarize(all).p99, averaged);

    const result = consumeResult(
      { kind: 'kafka', target: 'local', dataPath: 'x × 2 threads' },
      options,
      { ...merged, intervals: [] },
      { threads: 2 },
    );
    assert.equal(result.received, 7000);
    assert.equal(result.latency.e2e?.count, 7000);
    assert.equal(result.settings.threads, 2);
    assert.equal(result.warmup?.records, 15);
    assert.equal(result.throughput, 2800);
  });

  it('one interrupted thread makes the run interrupted; a thread with nothing received adds nothing', () => {
    const merged = mergeConsumeThreads([
      done(samples(3, 100, 1000), { interrupted: true }),
      done([], { durationSeconds: 0, histograms: {} }),
    ]);
    assert.equal(merged.interrupted, true);
    assert.equal(merged.received, 100);
    assert.equal(merged.histograms.get('e2e')!.totalCount, 100);
    assert.equal(merged.durationSeconds, 2);
  });

  it('merges interval k of every thread: counts summed, histograms added, the span of both', () => {
    const a = samples(4, 300, 1000);
    const b = samples(5, 700, 9000);
    const interval = (values: number[], start: number, end: number, t: number): ConsumeThreadInterval => ({
      t,
      seconds: (end - start) / 1000,
      startEpochMs: start,
      endEpochMs: end,
      received: values.length,
      bytes: values.length * 10,
      histograms: { e2e: encoded(values) },
    });
    const merged = mergeConsumeIntervals([interval(a, 1000, 6000, 5), interval(b, 1002, 6004, 5.004)]);
    const all = newHistogram();
    for (const v of [...a, ...b]) all.recordValue(v);
    assert.equal(merged.received, 1000);
    assert.equal(merged.bytes, 10_000);
    assert.equal(merged.startEpochMs, 1000);
    assert.equal(merged.endEpochMs, 6004);
    assert.equal(merged.t, 5.004);
    assert.ok(Math.abs(merged.seconds - 5.001) < 1e-9);
    assert.deepEqual(summarize(merged.histograms.get('e2e')!), summarize(roundTrip(all)));
  });
});

function roundTrip(h: ReturnType<typeof newHistogram>) {
  return decodeHistogram(encodeHistogram(h));
}

function decodeOne(values: number[]) {
  const h = newHistogram();
  for (const v of values) h.recordValue(v);
  return h;
}

describe('perf consume --threads: the shared record budget', () => {
  it('hands out exactly the budget, one index each, then -1', () => {
    for (const state of [new LocalConsumeState(5), SharedConsumeState.create(5)]) {
      const got = Array.from({ length: 7 }, () => state.claim());
      assert.deepEqual(got, [0, 1, 2, 3, 4, -1, -1]);
      assert.equal(state.taken(), 5);
      assert.equal(state.exhausted(), true);
    }
  });

  it('the first record time is set once; later callers read it', () => {
    const state = SharedConsumeState.create(Infinity);
    assert.equal(state.firstSeen(), 0);
    assert.equal(state.firstRecord(1_000_000), 1_000_000);
    assert.equal(state.firstRecord(2_000_000), 1_000_000);
    assert.equal(state.exhausted(), false);
  });

  it('threads racing for the last slots take exactly the budget between them', async () => {
    const state = SharedConsumeState.create(200_000);
    const module = join(__dirname, '../../src/perf/consume.js');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { SharedConsumeState } = require(workerData.module);
      const state = new SharedConsumeState(workerData.buffer);
      let n = 0;
      while (state.claim() >= 0) n++;
      parentPort.postMessage(n);`;
    const counts = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<number>((resolve, reject) => {
            const w = new Worker(code, { eval: true, workerData: { module, buffer: state.buffer } });
            w.once('message', (n: number) => resolve(n));
            w.once('error', reject);
          }),
      ),
    );
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      200_000,
    );
  });
});
