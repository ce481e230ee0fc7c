import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  kafkaIntervalRates,
  perfTestIntervalRates,
  pulsarIntervalRates,
  steadyState,
} from '../../bench/perf';

/**
 * The benchmark compares steady-state rates read from each tool's own periodic lines (issue 14: a reference
 * that pays its JVM start inside its aggregate made mqctl look 6.9x faster). Samples follow the tools'
 * format strings (shared/research/perf-anchors.md).
 */
describe('bench: steady-state rates from each tool', () => {
  it('leaves out the first and last interval and averages the rest', () => {
    assert.deepEqual(steadyState([100, 500, 520, 480, 90]), { rate: 500, intervals: 3 });
    assert.deepEqual(steadyState([100, 500]), { rate: NaN, intervals: 0 });
  });

  it('reads kafka-producer-perf-test interval lines, not its summary', () => {
    const out = [
      '248990 records sent, 49798.0 records/sec (4.75 MB/sec), 3.1 ms avg latency, 211.0 ms max latency.',
      '250040 records sent, 50008.0 records/sec (4.77 MB/sec), 1.9 ms avg latency, 23.0 ms max latency.',
      '2000000 records sent, 49950.049950 records/sec (4.76 MB/sec), 2.10 ms avg latency, 211.00 ms max latency, 2 ms 50th, 4 ms 95th, 9 ms 99th, 40 ms 99.9th.',
    ].join('\n');
    assert.deepEqual(kafkaIntervalRates(out), [49798, 50008]);
  });

  it('reads pulsar-perf "Throughput produced" lines', () => {
    const out = [
      'Throughput produced:  2874560 msg ---  287456.0 msg/s ---    229.9 Mbit/s --- failure      0.0 msg/s --- Latency: mean:   3.114 ms - med:   2.874 - 95pct:   5.120 - 99pct:   7.910 - 99.9pct:  12.000 - 99.99pct:  15.000 - Max:  20.100',
      'Throughput produced:  3301120 msg ---  330112.0 msg/s ---    264.1 Mbit/s --- failure      0.0 msg/s --- Latency: mean:   2.914 ms - med:   2.674 - 95pct:   4.120 - 99pct:   6.910 - 99.9pct:  11.000 - 99.99pct:  14.000 - Max:  19.100',
      'Aggregated throughput stats --- 6175680 records sent --- 2058.560 msg/s --- 1.647 Mbit/s',
    ].join('\n');
    assert.deepEqual(pulsarIntervalRates(out), [287456, 330112]);
  });

  it('reads RabbitMQ PerfTest per-second lines in both output styles', () => {
    const out = [
      'id: test-142837-410, time: 1.000s, sent: 900 msg/s, received: 899 msg/s, min/median/75th/95th/99th message latency: 129/427/856/3108/4744 µs',
      'id: test-142837-410, time 2.000 s, sent: 21031 msg/s, confirmed: 21000 msg/s, nacked: 0 msg/s, received: 0 msg/s',
    ].join('\n');
    assert.deepEqual(perfTestIntervalRates(out), [900, 21031]);
  });
});
