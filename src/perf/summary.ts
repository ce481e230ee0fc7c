import { renderCsv, renderKeyValues, renderTable, type Column, type RenderStyle } from '../core/output';
import type { MqctlPerfResult } from './result';
import {
  HISTOGRAM_TAGS,
  type HistogramName,
  type PerfInterval,
  type PercentileSummary,
} from './result-schema';

const LABELS: Record<HistogramName, string> = {
  latency: 'response (ack − intended)',
  service: 'service (ack − send)',
  sendDelay: 'send delay (send − intended)',
  e2e: 'end-to-end (receive − intended)',
};

const ms = (v: number) => v.toFixed(3);

export interface PercentileRow {
  histogram: HistogramName;
  label: string;
  summary: PercentileSummary;
}

export function percentileRows(result: MqctlPerfResult): PercentileRow[] {
  const order: HistogramName[] = ['latency', 'service', 'sendDelay', 'e2e'];
  return order
    .filter((name) => result.latency[name])
    .map((name) => ({ histogram: name, label: LABELS[name], summary: result.latency[name]! }));
}

/** The final summary: the percentile table (ms), rates, errors and the verdict. */
const PERCENTILE_CSV_COLUMNS: Column<PercentileRow>[] = [
  // the histogram's tag (`send_delay`), a value rather than a key: unchanged from v1 (docs/output.md)
  { header: 'histogram', get: (r) => HISTOGRAM_TAGS[r.histogram] },
  { header: 'count', get: (r) => r.summary.count },
  { header: 'p50Ms', get: (r) => r.summary.p50 },
  { header: 'p90Ms', get: (r) => r.summary.p90 },
  { header: 'p95Ms', get: (r) => r.summary.p95 },
  { header: 'p99Ms', get: (r) => r.summary.p99 },
  { header: 'p999Ms', get: (r) => r.summary.p999 },
  { header: 'p9999Ms', get: (r) => r.summary.p9999 },
  { header: 'maxMs', get: (r) => r.summary.max },
];

/** `perf produce|consume|e2e --output csv`: one row per histogram, percentiles in ms. */
export function renderPercentileCsv(result: MqctlPerfResult): string {
  return renderCsv(percentileRows(result), PERCENTILE_CSV_COLUMNS);
}

export function renderSummary(result: MqctlPerfResult, style: RenderStyle): string {
  const rows = percentileRows(result);
  const table = renderTable(
    rows,
    [
      { header: 'LATENCY (ms)', get: (r) => r.label },
      { header: 'COUNT', get: (r) => r.summary.count, align: 'right' },
      { header: 'P50', get: (r) => ms(r.summary.p50), align: 'right' },
      { header: 'P90', get: (r) => ms(r.summary.p90), align: 'right' },
      { header: 'P95', get: (r) => ms(r.summary.p95), align: 'right' },
      { header: 'P99', get: (r) => ms(r.summary.p99), align: 'right' },
      { header: 'P99.9', get: (r) => ms(r.summary.p999), align: 'right' },
      { header: 'P99.99', get: (r) => ms(r.summary.p9999), align: 'right' },
      { header: 'MAX', get: (r) => ms(r.summary.max), align: 'right' },
    ],
    style,
  );
  const consumer = result.command === 'consume';
  const pairs: Array<[string, unknown]> = [
    [
      'broker',
      `${result.broker.kind} ${result.broker.target}${result.broker.dataPath ? ` (${result.broker.dataPath})` : ''}`,
    ],
    ['measured', `${result.durationSeconds} s`],
  ];
  if (!consumer) {
    pairs.push([
      'rate',
      result.targetRate
        ? `${result.sendRate ?? '-'} msg/s sent of ${result.targetRate} target (${((result.achievedRatio ?? 0) * 100).toFixed(2)} %), ${result.throughput} msg/s acknowledged`
        : `${result.throughput} msg/s acknowledged (unthrottled)`,
    ]);
    pairs.push(['sent / acked', `${result.sent} / ${result.acked}`]);
  }
  if (result.received !== undefined) {
    pairs.push([
      'received',
      `${result.received}${consumer ? ` (${result.throughput} msg/s over the ${result.durationSeconds} s measured)` : ''}`,
    ]);
  }
  pairs.push(['throughput', `${result.mbPerSec} MB/s`]);
  if (consumer && result.fetch) {
    pairs.push([
      'fetch only',
      `${result.fetch.throughput} msg/s, ${result.fetch.mbPerSec} MB/s over ${(result.fetch.fetchMs / 1000).toFixed(3)} s (the measured time minus ${result.fetch.rebalanceMs} ms joining the group)`,
    ]);
  }
  pairs.push(['errors', result.errors]);
  for (const message of result.errorMessages ?? []) pairs.push(['  error', message]);
  if (result.failedRecords) pairs.push(['failed records', result.failedRecords]);
  if (result.outage) {
    pairs.push([
      'outage',
      `no acknowledgement for ${result.outage.seconds.toFixed(1)} s (from ${result.outage.fromSeconds.toFixed(1)} s to ${result.outage.toSeconds.toFixed(1)} s of the measured phase)`,
    ]);
  }
  if (result.generator?.bound === 'broker') {
    pairs.push([
      'note',
      'the client buffer filled up: the broker (or the in-flight limit) could not keep the target rate; response latency includes that wait',
    ]);
  }
  if (result.interrupted) pairs.push(['interrupted', 'yes (partial results)']);
  pairs.push(['valid', result.valid ? 'yes' : `NO — ${result.invalidReason}`]);
  return `${table}\n\n${renderKeyValues(pairs, style)}`;
}

/**
 * kafka-producer-perf-test's final line, from the service latency (what it measures: send → ack), so
 * results can be compared and parsed by existing scripts.
 */
export function kafkaPerfTestLine(result: MqctlPerfResult): string {
  const s = result.latency.service ?? result.latency.latency;
  const records = result.command === 'consume' ? (result.received ?? 0) : result.acked;
  const int = (v: number | undefined) => Math.floor(v ?? 0);
  return (
    `${records} records sent, ${result.throughput.toFixed(1)} records/sec (${result.mbPerSec.toFixed(2)} MB/sec), ` +
    `${(s?.mean ?? 0).toFixed(2)} ms avg latency, ${(s?.max ?? 0).toFixed(2)} ms max latency, ` +
    `${int(s?.p50)} ms 50th, ${int(s?.p95)} ms 95th, ${int(s?.p99)} ms 99th, ${int(s?.p999)} ms 99.9th.`
  );
}

/**
 * kafka-consumer-perf-test's header and summary line, all ten columns (MB = 1024 × 1024 bytes). Its window is
 * the measured phase (end − start; the run's start when there is no warm-up), so every rate on the line is
 * its count over its printed times; fetch.* leave out the group join (rebalance.time.ms), as the tool does.
 */
export function kafkaConsumerPerfTestLines(result: MqctlPerfResult): string {
  const received = result.received ?? 0;
  const seconds = result.durationSeconds;
  const mb = result.bytes !== undefined ? result.bytes / (1024 * 1024) : result.mbPerSec * seconds;
  const mbPerSec = seconds > 0 ? mb / seconds : 0;
  const endMs = Date.parse(result.environment.endTime);
  const fmt = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace('T', ' ')
      .replace('Z', '')
      .replace(/\.(\d{3})$/, ':$1');
  const fetch = result.fetch ?? {
    rebalanceMs: 0,
    fetchMs: Math.round(seconds * 1000),
    throughput: 0,
    mbPerSec: 0,
  };
  const fetchSeconds = fetch.fetchMs / 1000;
  return (
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n' +
    `${fmt(endMs - seconds * 1000)}, ${fmt(endMs)}, ${mb.toFixed(4)}, ${mbPerSec.toFixed(4)}, ${received}, ${(seconds > 0 ? received / seconds : 0).toFixed(4)}, ` +
    `${fetch.rebalanceMs}, ${fetch.fetchMs}, ${(fetchSeconds > 0 ? mb / fetchSeconds : 0).toFixed(4)}, ${(fetchSeconds > 0 ? received / fetchSeconds : 0).toFixed(4)}`
  );
}

/** The line printed every interval on stderr. */
export function progressLine(row: PerfInterval, consumer: boolean): string {
  const count = consumer ? `${row.received ?? 0} received` : `${row.acked} acked`;
  const latencyName = consumer ? 'e2e' : 'latency';
  const delay = row.sendDelayP99 !== undefined ? `, send delay p99 ${ms(row.sendDelayP99)} ms` : '';
  return (
    `[${row.t.toFixed(1).padStart(6)} s] ${count}, ${row.rate.toFixed(1)} msg/s, ${row.mbPerSec.toFixed(2)} MB/s, ` +
    `${latencyName} p50 ${ms(row.p50)} ms p99 ${ms(row.p99)} ms max ${ms(row.max)} ms${delay}, ${row.errors} errors`
  );
}
