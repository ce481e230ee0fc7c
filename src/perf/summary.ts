import { renderKeyValues, renderTable, type RenderStyle } from '../cli/output';
import type { MqctlPerfResult } from './result';
import type { HistogramName, PerfInterval, PercentileSummary } from './result-schema';

const LABELS: Record<HistogramName, string> = {
  latency: 'response (ack − intended)',
  service: 'service (ack − send)',
  send_delay: 'send delay (send − intended)',
  e2e: 'end-to-end (receive − intended)',
};

const ms = (v: number) => v.toFixed(3);

export interface PercentileRow {
  histogram: HistogramName;
  label: string;
  summary: PercentileSummary;
}

export function percentileRows(result: MqctlPerfResult): PercentileRow[] {
  const order: HistogramName[] = ['latency', 'service', 'send_delay', 'e2e'];
  return order
    .filter((name) => result.latency[name])
    .map((name) => ({ histogram: name, label: LABELS[name], summary: result.latency[name]! }));
}

/** The final summary: the percentile table (ms), rates, errors and the verdict. */
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
    pairs.push(['received', `${result.received}${consumer ? ` (${result.throughput} msg/s)` : ''}`]);
  }
  pairs.push(['throughput', `${result.mbPerSec} MB/s`]);
  pairs.push(['errors', result.errors]);
  for (const message of result.errorMessages ?? []) pairs.push(['  error', message]);
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

/** kafka-consumer-perf-test's header and summary line (MB = 1024 × 1024 bytes). */
export function kafkaConsumerPerfTestLines(result: MqctlPerfResult): string {
  const received = result.received ?? 0;
  const mb = result.mbPerSec * result.durationSeconds;
  const fmt = (iso: string) =>
    iso
      .replace('T', ' ')
      .replace('Z', '')
      .replace(/\.(\d{3})$/, ':$1');
  return (
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec\n' +
    `${fmt(result.environment.startTime)}, ${fmt(result.environment.endTime)}, ${mb.toFixed(4)}, ${result.mbPerSec.toFixed(4)}, ${received}, ${result.throughput.toFixed(4)}`
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
