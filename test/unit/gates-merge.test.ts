import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHistogram, encodeHistogram } from '../../src/gates/histogram';
import { mergeResults } from '../../src/gates/merge';
import { histogramOf, latencies, makeResult } from './gates-fixtures';

const PERCENTILES = [1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100];

describe('perf merge', () => {
  const a = latencies(20_000, 1500, 11);
  const b = latencies(30_000, 4000, 12);
  const shard0 = makeResult({
    histograms: { latency: a, e2e: a.map((v) => v + 300) },
    throughput: 2000,
    errors: 1,
    shard: '0/2',
  });
  const shard1 = makeResult({
    histograms: { latency: b, e2e: b.map((v) => v + 300) },
    throughput: 3000,
    errors: 2,
    shard: '1/2',
  });
  const merged = mergeResults([
    { path: 'shard-0.json', result: shard0 },
    { path: 'shard-1.json', result: shard1 },
  ]);

  it('gives the percentiles of one histogram fed both recordings, exactly', () => {
    const both = decodeHistogram(encodeHistogram(histogramOf([...a, ...b])));
    const mergedLatency = decodeHistogram(merged.histograms.latency!);
    assert.equal(mergedLatency.totalCount, a.length + b.length);
    for (const p of PERCENTILES) {
      assert.equal(mergedLatency.getValueAtPercentile(p), both.getValueAtPercentile(p), `p${p}`);
    }
    assert.equal(mergedLatency.maxValue, both.maxValue);
    assert.equal(mergedLatency.minNonZeroValue, both.minNonZeroValue);
    assert.equal(mergedLatency.mean, both.mean);
    assert.equal(merged.latency.latency!.p99, both.getValueAtPercentile(99) / 1000);
    assert.equal(merged.latency.latency!.count, 50_000);
  });

  it('is not the average of the shards percentiles', () => {
    const averaged = (shard0.latency.latency!.p99 + shard1.latency.latency!.p99) / 2;
    assert.notEqual(merged.latency.latency!.p99, averaged);
  });

  it('sums counts and rates and records where it came from', () => {
    assert.equal(merged.acked, shard0.acked + shard1.acked);
    assert.equal(merged.sent, shard0.sent + shard1.sent);
    assert.equal(merged.errors, 3);
    assert.equal(merged.throughput, 5000);
    assert.equal(merged.targetRate, 2000);
    assert.equal(merged.command, 'merge');
    assert.deepEqual(merged.mergedFrom, ['shard-0.json', 'shard-1.json']);
    assert.deepEqual(merged.settings.shardIds, ['0/2', '1/2']);
    assert.equal(merged.valid, true);
    assert.equal(merged.histograms.e2e !== undefined, true);
    assert.equal(merged.histograms.service, undefined);
  });

  it('marks the merge invalid when a shard was, naming it', () => {
    const bad = makeResult({ histograms: { latency: a }, valid: false, invalidReason: 'generator-bound' });
    const m = mergeResults([
      { path: 'ok.json', result: shard0 },
      { path: 'bad.json', result: bad },
    ]);
    assert.equal(m.valid, false);
    assert.match(m.invalidReason!, /bad\.json: generator-bound/);
  });

  it('refuses to merge different broker kinds or summaries without histograms', () => {
    const pulsar = makeResult({ histograms: { latency: a } });
    pulsar.broker.kind = 'pulsar';
    assert.throws(
      () =>
        mergeResults([
          { path: 'k.json', result: shard0 },
          { path: 'p.json', result: pulsar },
        ]),
      /different broker kinds/,
    );
    const noHistogram = makeResult({ histograms: { latency: a } });
    noHistogram.histograms = {};
    assert.throws(
      () =>
        mergeResults([
          { path: 'k.json', result: shard0 },
          { path: 'n.json', result: noHistogram },
        ]),
      /summary but no histogram/,
    );
  });

  it('adds intervals of concurrent shards', () => {
    const s0 = structuredClone(shard0);
    const s1 = structuredClone(shard1);
    s0.intervals = [
      { t: 5, sent: 100, acked: 100, errors: 0, rate: 20, mbPerSec: 0.1, p50: 1, p99: 2, max: 3 },
    ];
    s1.intervals = [
      { t: 5.01, sent: 50, acked: 40, errors: 1, rate: 10, mbPerSec: 0.2, p50: 4, p99: 5, max: 9 },
    ];
    const m = mergeResults([
      { path: 'a', result: s0 },
      { path: 'b', result: s1 },
    ]);
    assert.deepEqual(m.intervals, [
      {
        t: 5.01,
        sent: 150,
        acked: 140,
        errors: 1,
        rate: 30,
        mbPerSec: 0.30000000000000004,
        p50: 4,
        p99: 5,
        max: 9,
      },
    ]);
  });
});
