import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HistogramLogReader } from 'hdr-histogram-js';
import {
  compactInBackground,
  decodeHistogram,
  encodeHistogram,
  HistogramSet,
  intervalStats,
  retireInterval,
  mergeHistograms,
  newHistogram,
  summarize,
} from '../../src/perf/histograms';
import { renderHdrLog, renderHgrm } from '../../src/perf/files';
import { distributionPoints, renderReport } from '../../src/perf/report';
import { buildResult, type RunData } from '../../src/perf/result';
import { PERF_RESULT_SCHEMA } from '../../src/perf/result-schema';
import { OpenLoopSchedule } from '../../src/perf/schedule';
import { KeySource, parseShard } from '../../src/perf/payload';
import { kafkaPerfTestLine } from '../../src/perf/summary';

/** A deterministic pseudo-random sequence (so failures reproduce). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function runData(
  histograms: Map<'latency' | 'service' | 'sendDelay', ReturnType<typeof newHistogram>>,
): RunData {
  return {
    command: 'produce',
    broker: { kind: 'kafka', target: '127.0.0.1:9092', dataPath: 'test' },
    settings: { rate: 1000 },
    targetRate: 1000,
    sent: 3000,
    acked: 3000,
    errors: 0,
    bytes: 300_000,
    durationSeconds: 3,
    sendRate: 1000,
    startTime: new Date('2026-01-01T00:00:00Z'),
    endTime: new Date('2026-01-01T00:00:03Z'),
    interrupted: false,
    histograms,
    intervals: [0, 1, 2].map((i) => ({
      t: i + 1,
      seconds: 1,
      sent: 1000,
      acked: 1000,
      errors: 0,
      bytes: 100_000,
      histograms: new Map([['latency', histograms.get('latency')!]]),
    })),
    maxSendDelayMs: 5,
    backpressureWaits: 0,
    errorMessages: [],
  };
}

describe('histograms', () => {
  it('merged histograms equal one histogram fed everything', () => {
    const rnd = lcg(42);
    const all = newHistogram();
    const parts = [newHistogram(), newHistogram(), newHistogram()];
    for (let i = 0; i < 30_000; i++) {
      // a long-tailed latency in µs: mostly ~1 ms, some up to seconds
      const v = Math.floor(1000 * Math.exp(rnd() * 7));
      all.recordValue(v);
      parts[i % 3]!.recordValue(v);
    }
    const merged = mergeHistograms(parts);
    assert.equal(merged.totalCount, all.totalCount);
    assert.deepEqual(summarize(merged), summarize(all));
    for (const p of [1, 10, 50, 90, 99, 99.9, 99.99, 100]) {
      assert.equal(merged.getValueAtPercentile(p), all.getValueAtPercentile(p), `p${p}`);
    }
    // through the wire format, as `perf merge` receives them: identical to the encoded whole (the encoding
    // keeps bucket counts exactly; a decoded max is its bucket's highest equivalent value)
    const wire = mergeHistograms(parts.map((p) => decodeHistogram(encodeHistogram(p))));
    const wholeWire = decodeHistogram(encodeHistogram(all));
    assert.deepEqual(summarize(wire), summarize(wholeWire));
    assert.equal(encodeHistogram(wire).encoded, encodeHistogram(wholeWire).encoded);
  });

  it('closes an interval without copying, then compacts it in slices to an equal packed histogram', async () => {
    const random = lcg(11);
    const set = new HistogramSet(['latency', 'sendDelay']);
    for (let i = 0; i < 200_000; i++) {
      set.record('latency', Math.exp(random() * 14));
      set.record('sendDelay', random() * 5000);
    }
    set.record('latency', 5 * 3_600_000_000); // beyond the hour the histograms were sized for: auto-resize
    const taken = set.takeInterval();
    const flat = new Map(taken);
    assert.equal(set.interval.get('latency')!.totalCount, 0, 'recording continues into fresh histograms');
    // the event loop keeps turning while compaction runs
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await compactInBackground(taken);
    clearInterval(ticker);
    assert.ok(turns > 0, 'compaction yielded to the event loop');
    for (const [name, original] of flat) {
      const packed = taken.get(name)!;
      assert.notEqual(packed, original);
      assert.equal(packed.constructor.name, 'PackedHistogram');
      assert.equal(packed.totalCount, original.totalCount);
      assert.equal(packed.maxValue, original.maxValue);
      assert.equal(packed.minNonZeroValue, original.minNonZeroValue);
      for (const p of [0, 1, 50, 90, 99, 99.9, 99.99, 100])
        assert.equal(packed.getValueAtPercentile(p), original.getValueAtPercentile(p), `${name} p${p}`);
      assert.equal(encodeHistogram(packed).encoded.length > 0, true);
      assert.ok(packed.estimatedFootprintInBytes < original.estimatedFootprintInBytes / 3);
    }
  });

  it("drops a closed interval's histograms unless an .hlog needs them, keeping its row numbers", async () => {
    const fill = () => {
      const set = new HistogramSet(['latency', 'sendDelay']);
      for (let v = 1; v <= 10_000; v++) set.record('latency', v * 10);
      set.record('sendDelay', 1500);
      return set.takeInterval();
    };
    const dropped = fill();
    const expected = summarize(dropped.get('latency')!);
    retireInterval(dropped, false);
    assert.equal(dropped.size, 0, 'memory stays flat over a long run');
    const stats = intervalStats(dropped);
    assert.deepEqual(
      {
        p50: stats.latency?.p50,
        p99: stats.latency?.p99,
        max: stats.latency?.max,
        count: stats.latency?.count,
      },
      { p50: expected.p50, p99: expected.p99, max: expected.max, count: 10_000 },
    );
    assert.equal(stats.sendDelay?.p99, 1.5);
    const kept = fill();
    retireInterval(kept, true);
    await compactInBackground(kept);
    assert.equal(kept.get('latency')?.totalCount, 10_000);
    assert.equal(kept.get('latency')?.constructor.name, 'PackedHistogram');
  });

  it('summarizes in milliseconds with microsecond precision', () => {
    const h = newHistogram();
    for (let v = 1; v <= 1000; v++) h.recordValue(v * 10); // 10 µs .. 10 ms
    const s = summarize(h);
    assert.equal(s.count, 1000);
    assert.ok(Math.abs(s.p50 - 5) < 0.01, `p50 ${s.p50}`);
    assert.ok(Math.abs(s.p99 - 9.9) < 0.02, `p99 ${s.p99}`);
    assert.ok(Math.abs(s.max - 10) < 0.01, `max ${s.max}`);
  });
});

describe('open-loop schedule', () => {
  it('gives every message its own intended time and never skips', () => {
    const s = new OpenLoopSchedule(50_000, 1_000_000, Infinity, 1_000_000 + 1_000_000);
    assert.equal(s.intervalUs, 20);
    assert.equal(s.dueCount(999_999), 0);
    // a wake-up 1 ms late finds 51 messages due (t0 .. t0 + 1000 µs), each with its own time
    assert.equal(s.dueCount(1_001_000), 51);
    const first = s.take(1_001_000);
    const second = s.take(1_001_000);
    assert.deepEqual([first.intendedUs, second.intendedUs], [1_000_000, 1_000_020]);
    // a 100 ms stall: nothing is dropped, everything due is still there to send (late)
    assert.equal(s.dueCount(1_101_000), 5051 - 2);
    // a duration-bounded schedule holds exactly rate × duration messages
    assert.equal(s.scheduledCount, 50_000);
  });

  it('never issues one past rate × duration, even with a fractional start time', () => {
    for (const startUs of [1_000_000.3, 123_456_789.987654, 7.000001]) {
      const s = new OpenLoopSchedule(2000, startUs, Infinity, startUs + 1_000_000);
      assert.equal(s.scheduledCount, 2000);
      // long after the end, exactly the scheduled messages are due
      assert.equal(s.dueCount(startUs + 5_000_000), 2000, `start ${startUs}`);
    }
  });

  it('shards split the key space without overlap', () => {
    const keys = new Set<string>();
    for (let shard = 0; shard < 4; shard++) {
      const source = new KeySource('seq', 0, shard, 4);
      for (let i = 0; i < 100; i++) {
        const key = source.key(i)!;
        assert.ok(!keys.has(key), `duplicate key ${key}`);
        keys.add(key);
      }
    }
    assert.equal(keys.size, 400);
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.throws(() => parseShard('4/4'), /invalid --shard/);
  });
});

describe('result document and files', () => {
  const latency = newHistogram();
  const service = newHistogram();
  const sendDelay = newHistogram();
  const rnd = lcg(7);
  for (let i = 0; i < 3000; i++) {
    const s = 500 + Math.floor(rnd() * 4000);
    const d = Math.floor(rnd() * 300);
    service.recordValue(s);
    sendDelay.recordValue(d);
    latency.recordValue(s + d);
  }
  const histograms = new Map([
    ['latency', latency],
    ['service', service],
    ['sendDelay', sendDelay],
  ] as const);
  const result = buildResult(runData(new Map(histograms)));

  it('is a v1 document whose histograms decode to the recorded data', () => {
    const doc = JSON.parse(JSON.stringify(result));
    assert.equal(doc.schema, PERF_RESULT_SCHEMA);
    assert.equal(doc.command, 'produce');
    assert.equal(doc.valid, true);
    assert.equal(doc.latency.latency.count, 3000);
    for (const name of ['latency', 'service', 'sendDelay'] as const) {
      const decoded = decodeHistogram(doc.histograms[name].encoded);
      assert.equal(decoded.totalCount, 3000, name);
      assert.equal(decoded.getValueAtPercentile(99), histograms.get(name)!.getValueAtPercentile(99), name);
    }
    assert.equal(doc.intervals.length, 3);
    assert.equal(doc.achievedRatio, 1);
  });

  it('writes an .hlog that HistogramLogReader reads back', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const text = renderHdrLog(
      [
        { startEpochMs: start, endEpochMs: start + 1000, histograms: new Map([['latency', latency]]) },
        { startEpochMs: start + 1000, endEpochMs: start + 2000, histograms: new Map([['service', service]]) },
      ],
      start,
    );
    assert.match(text, /^#\[Histogram log format version 1\.3\]$/m);
    assert.match(text, /^Tag=latency,0\.000,1\.000,/m);
    const reader = new HistogramLogReader(text);
    const first = reader.nextIntervalHistogram();
    const second = reader.nextIntervalHistogram();
    assert.equal(reader.nextIntervalHistogram(), null);
    assert.equal(first?.tag, 'latency');
    assert.equal(first?.totalCount, 3000);
    assert.equal(first?.getValueAtPercentile(99), latency.getValueAtPercentile(99));
    assert.equal(second?.tag, 'service');
    assert.equal(second?.getValueAtPercentile(50), service.getValueAtPercentile(50));
  });

  it('writes an .hgrm percentile distribution a plotter can parse', () => {
    const rows = renderHgrm(latency)
      .split('\n')
      .filter((l) => /^\s+\d/.test(l))
      .map((l) => l.trim().split(/\s+/).map(Number));
    assert.ok(rows.length > 20);
    // columns: value (ms), percentile, total count, 1/(1-p)
    const last = rows[rows.length - 1]!;
    assert.equal(last[1], 1);
    assert.equal(last[2], 3000);
    assert.ok(Math.abs(last[0]! - latency.maxValue / 1000) < 0.01);
    const p50 = rows.find((r) => r[1]! >= 0.5)!;
    assert.ok(Math.abs(p50[0]! - latency.getValueAtPercentile(50) / 1000) < 0.01);
    const footer = renderHgrm(latency).match(/Total count\s*=\s*(\d+)/);
    assert.equal(footer?.[1], '3000');
  });

  it('renders a self-contained HTML report and the kafka-producer-perf-test line', () => {
    const html = renderReport(result);
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'no scripts, no external resources');
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
    const points = distributionPoints(result.histograms.latency!.encoded);
    assert.equal(points[0]![0], 1);
    assert.ok(
      points.every((p, i) => i === 0 || p[1] >= points[i - 1]![1]),
      'percentiles never decrease',
    );
    assert.match(
      kafkaPerfTestLine(result),
      /^3000 records sent, \d+\.\d records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d\d ms avg latency, \d+\.\d\d ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/,
    );
  });
});
