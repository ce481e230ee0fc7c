import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildResult, judgeRecords, noteOutage, type MqctlPerfResult } from '../../src/perf/result';
import { renderSummary } from '../../src/perf/summary';

function result(): MqctlPerfResult {
  return buildResult({
    command: 'produce',
    broker: { kind: 'kafka', target: 'test' },
    settings: {},
    targetRate: 1000,
    sent: 15_000,
    acked: 15_000,
    errors: 0,
    bytes: 15_000 * 100,
    durationSeconds: 15.2,
    startTime: new Date('2026-01-01T00:00:00.000Z'),
    endTime: new Date('2026-01-01T00:00:15.200Z'),
    interrupted: false,
    histograms: new Map(),
    intervals: [],
    maxSendDelayMs: Infinity,
    backpressureWaits: 0,
    errorMessages: [],
  });
}

// measured on the 3-node cluster (2026-12-02): leader of one partition SIGKILLed at 6 s, 1,000 msg/s
const FAILOVER = { seconds: 7.9, fromSeconds: 5.1, toSeconds: 13.0 };

describe('perf produce reports a stretch without acknowledgements although nothing failed (a leader failover)', () => {
  it('1,000 msg/s, 7.9 s without an ack, every record acknowledged: the outage is in the result and the summary, the run stays valid', () => {
    const r = result();
    judgeRecords(r, { failed: 0, of: 15_000, what: 'records failed', outage: FAILOVER });
    assert.equal(r.outage, undefined, 'judgeRecords reports outages only with failed records');
    noteOutage(r, FAILOVER, 1000);
    assert.deepEqual(r.outage, FAILOVER);
    assert.equal(r.valid, true);
    assert.match(
      renderSummary(r, { color: false }),
      /outage\s+no acknowledgement for 7\.9 s \(from 5\.1 s to 13\.0 s of the measured phase\)/,
    );
  });
  it('under 1 s is no outage at any rate; at 1 msg/s it takes 10 s (ten of the schedule gaps)', () => {
    for (const [seconds, rate, reported] of [
      [0.99, 1000, false],
      [1.0, 1000, true],
      [1.0, 0, true],
      [9.9, 1, false],
      [10, 1, true],
    ] as const) {
      const r = result();
      noteOutage(r, { seconds, fromSeconds: 1, toSeconds: 1 + seconds }, rate);
      assert.equal(r.outage !== undefined, reported, `${seconds} s at ${rate} msg/s`);
    }
  });
  it('an outage judgeRecords already named (records failed) is kept as it is', () => {
    const r = result();
    judgeRecords(r, { failed: 3, of: 15_000, what: 'records failed', outage: FAILOVER });
    noteOutage(r, { seconds: 2, fromSeconds: 0, toSeconds: 2 }, 1000);
    assert.deepEqual(r.outage, FAILOVER);
    assert.equal(r.valid, false);
  });
});
