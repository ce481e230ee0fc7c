import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PerfChunk, PerfProducerDriver } from '../../src/brokers/perf';
import { KeySource, PayloadSource } from '../../src/perf/payload';
import { ProduceRun, type ProduceSettings } from '../../src/perf/produce';
import { buildResult } from '../../src/perf/result';
import { summarize } from '../../src/perf/histograms';

/**
 * An in-process client that acknowledges every record `ackDelayMs` after it was handed over. Not a
 * broker stand-in for integration tests: it isolates the generator and the clocks, which is what these
 * unit tests are about.
 */
class DelayedAckDriver implements PerfProducerDriver {
  readonly description = 'in-process ack after a fixed delay';
  onReady?: () => void;
  handed = 0;
  constructor(private readonly ackDelayMs: number) {}
  send(chunk: PerfChunk): void {
    this.handed += chunk.records.length;
    setTimeout(() => chunk.settleRange(0, chunk.records.length), this.ackDelayMs);
  }
  blocked(): boolean {
    return false;
  }
  async flush(): Promise<void> {
    await new Promise((r) => setTimeout(r, this.ackDelayMs + 20));
  }
  async close(): Promise<void> {}
}

function settings(overrides: Partial<ProduceSettings>): ProduceSettings {
  return {
    rate: 2000,
    numRecords: Infinity,
    durationMs: 1000,
    warmupMs: 0,
    warmupRecords: 0,
    intervalMs: 60_000,
    maxPending: 100_000,
    maxPerTick: 2000,
    flushTimeoutMs: 2000,
    ...overrides,
  };
}

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // a synchronous stall of the generator's event loop (GC pause, CPU starvation)
  }
}

describe('open-loop produce run', () => {
  it('sends exactly rate × duration records and acknowledges every one', async () => {
    const driver = new DelayedAckDriver(2);
    const run = new ProduceRun(
      [driver],
      settings({ rate: 2000, durationMs: 1000 }),
      new PayloadSource(10, undefined),
      new KeySource('none', 1),
    );
    const outcome = await run.run();
    assert.equal(outcome.sent, 2000);
    assert.equal(outcome.acked, 2000);
    assert.equal(driver.handed, 2000);
    assert.equal(outcome.errors, 0);
    for (const name of ['latency', 'service', 'sendDelay'] as const) {
      assert.equal(outcome.histograms.total.get(name)!.totalCount, 2000, name);
    }
  });

  it('after a warm-up, the measured intervals add up to every acknowledged record', async () => {
    for (const warmupMs of [250, 333.3, 401]) {
      const driver = new DelayedAckDriver(1);
      const run = new ProduceRun(
        [driver],
        settings({ rate: 2000, durationMs: 600, warmupMs, intervalMs: 150 }),
        new PayloadSource(10, undefined),
        new KeySource('none', 1),
      );
      const outcome = await run.run();
      assert.equal(outcome.acked, 1200, `warm-up ${warmupMs} ms`);
      assert.equal(
        outcome.intervals.reduce((n, i) => n + i.acked, 0),
        outcome.acked,
        `warm-up ${warmupMs} ms: intervals ${outcome.intervals.map((i) => i.acked).join(',')}`,
      );
    }
  });

  it('a 100 ms stall shows in response latency and send delay, not in service latency', async () => {
    const driver = new DelayedAckDriver(1);
    const run = new ProduceRun(
      [driver],
      settings({ rate: 1000, durationMs: 1000 }),
      new PayloadSource(10, undefined),
      new KeySource('none', 1),
    );
    const stall = setTimeout(() => busyWait(100), 400);
    const outcome = await run.run();
    clearTimeout(stall);
    const response = summarize(outcome.histograms.total.get('latency')!);
    const service = summarize(outcome.histograms.total.get('service')!);
    const sendDelay = summarize(outcome.histograms.total.get('sendDelay')!);
    // ~100 of the 1000 records were due during the stall; they waited from ~100 ms down to ~0 ms
    assert.ok(sendDelay.max >= 95, `send delay max ${sendDelay.max} ms`);
    assert.ok(sendDelay.p95 >= 40, `send delay p95 ${sendDelay.p95} ms`);
    assert.ok(response.p99 >= 80, `response p99 ${response.p99} ms`);
    assert.ok(response.p95 >= 40, `response p95 ${response.p95} ms`);
    // the client answered in ~1 ms throughout: only the records in flight when the process froze carry the
    // stall in their service latency, so service p99 stays far below response p99 (robust to other noise,
    // which would raise both alike)
    assert.ok(
      service.p99 <= response.p99 - 60,
      `service p99 ${service.p99} ms vs response p99 ${response.p99} ms`,
    );
    assert.ok(service.p50 < 20, `service p50 ${service.p50} ms`);
    assert.equal(outcome.acked, 1000);
  });

  it('ends an unthrottled run by its duration and acknowledges everything it sent', async () => {
    const driver = new DelayedAckDriver(1);
    const started = Date.now();
    const outcome = await new ProduceRun(
      [driver],
      settings({ rate: 0, durationMs: 300, maxPending: 500 }),
      new PayloadSource(10, undefined),
      new KeySource('random', 100),
    ).run();
    assert.ok(Date.now() - started < 5000, 'the run ended');
    assert.ok(outcome.sent > 0);
    assert.equal(outcome.acked, outcome.sent);
    assert.equal(outcome.histograms.total.get('sendDelay')!.totalCount, 0, 'no schedule, no send delay');
  });

  it('excludes the warm-up from counts and histograms', async () => {
    const run = new ProduceRun(
      [new DelayedAckDriver(1)],
      settings({ rate: 1000, numRecords: 600, durationMs: Infinity, warmupRecords: 200 }),
      new PayloadSource(10, undefined),
      new KeySource('seq', 1),
    );
    const outcome = await run.run();
    assert.equal(outcome.warmupSent, 200);
    assert.equal(outcome.sent, 400);
    assert.equal(outcome.histograms.total.get('latency')!.totalCount, 400);
  });

  it('flags a generator-bound run invalid and a healthy one valid', async () => {
    const base = {
      command: 'produce',
      broker: { kind: 'kafka' as const, target: 'x' },
      settings: {},
      targetRate: 1000,
      sent: 1,
      acked: 1,
      errors: 0,
      bytes: 1,
      durationSeconds: 1,
      startTime: new Date(),
      endTime: new Date(),
      interrupted: false,
      intervals: [],
      maxSendDelayMs: 5,
      backpressureWaits: 0,
      errorMessages: [],
    };
    const stalled = new ProduceRun(
      [new DelayedAckDriver(1)],
      settings({ rate: 1000, durationMs: 500 }),
      new PayloadSource(10, undefined),
      new KeySource('none', 1),
    );
    const t = setTimeout(() => busyWait(150), 200);
    const bad = await stalled.run();
    clearTimeout(t);
    const result = buildResult({ ...base, histograms: bad.histograms.total });
    // 150 of 500 records were due during the stall: p99 send delay far above 5 ms
    assert.equal(result.valid, false);
    assert.match(result.invalidReason ?? '', /generator-bound/);
    const broker = buildResult({ ...base, histograms: bad.histograms.total, backpressureWaits: 3 });
    assert.equal(broker.valid, true);
    assert.equal(broker.generator?.bound, 'broker');
  });
});
