/**
 * `npm run bench -- perf`: mqctl perf produce side by side with the reference tools on the local brokers
 * (kafka-producer-perf-test, pulsar-perf, RabbitMQ PerfTest via scripts/reftools.sh), with equal settings:
 * 100-byte records, acks=all / confirms (1000 outstanding, transient messages, as mqctl's default) /
 * Pulsar defaults (batching, 1 ms delay, 1000 pending).
 *
 * Per broker: (1) unthrottled throughput, (2) a fixed rate (Kafka 50,000 msg/s, others 20,000) for service
 * latency p99, each tool measured for CPU seconds per million messages and peak RSS (GNU time).
 *
 * Environment: BENCH_SECONDS (default 40) per run, BENCH_BROKERS (default kafka,rabbitmq,pulsar),
 * BENCH_KAFKA_RATE (50000), BENCH_RATE (20000), REFTOOLS (default ../main/scripts/reftools.sh or
 * scripts/reftools.sh). Numbers from a shared machine are noisy: run it on a quiet one.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, reftoolsPath as reftools, runProcess } from './_process';

const BIN = join(ROOT, 'bin', 'run.js');
// 40 s: enough full reporting intervals for a steady state (pulsar-perf reports every 10 s, Kafka's tool every 5 s).
const SECONDS = Number(process.env.BENCH_SECONDS ?? 40);
const BROKERS = (process.env.BENCH_BROKERS ?? 'kafka,rabbitmq,pulsar').split(',').map((b) => b.trim());

interface Measured {
  /** msg/s over the whole run, as the tool itself reports it (start-up costs included for some tools) */
  throughput: number;
  /** msg/s in steady state: the mean of the tool's own full reporting intervals, first and last left out */
  steady: number;
  /** how many intervals the steady figure averages */
  steadyIntervals: number;
  /** ms */
  serviceP99: number;
  records: number;
  cpuSeconds: number;
  peakRssMiB: number;
  note?: string;
}

interface Timed {
  code: number | null;
  stdout: string;
  stderr: string;
  cpuSeconds: number;
  peakRssMiB: number;
}

/** Runs a command under GNU time for its CPU time and peak RSS (children included). */
async function timed(cmd: string, args: string[], timeoutMs: number): Promise<Timed> {
  const run = await runProcess('/usr/bin/time', ['-f', 'MQCTL_BENCH_TIME %U %S %M', cmd, ...args], timeoutMs);
  const m = /MQCTL_BENCH_TIME ([\d.]+) ([\d.]+) (\d+)/.exec(run.stderr);
  return {
    code: run.code,
    stdout: run.stdout,
    stderr: run.stderr,
    cpuSeconds: m ? Number(m[1]) + Number(m[2]) : NaN,
    peakRssMiB: m ? Number(m[3]) / 1024 : NaN,
  };
}

const uniq = (p: string) => `${p}-${Date.now().toString(36)}`;

/**
 * Steady-state rate from a tool's periodic lines: the first interval (connection, metadata, JIT warm-up) and the
 * last (partial) are left out, the rest averaged. Every tool is measured the same way, so neither pays its
 * start-up inside the compared figure (a JVM tool's aggregate includes producer creation; mqctl's does not).
 */
export function steadyState(rates: number[]): { rate: number; intervals: number } {
  const middle = rates.slice(1, -1);
  if (middle.length === 0) return { rate: NaN, intervals: 0 };
  return { rate: middle.reduce((a, b) => a + b, 0) / middle.length, intervals: middle.length };
}

/** kafka-producer-perf-test prints `N records sent, X records/sec (...)` every 5 s, then its summary line. */
export function kafkaIntervalRates(stdout: string): number[] {
  return stdout
    .split('\n')
    .filter((line) => !/99th/.test(line))
    .map((line) => /^\d+ records sent, ([\d.]+) records\/sec/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
}

/** pulsar-perf produce prints `Throughput produced: N msg --- X msg/s --- ...` per reporting interval. */
export function pulsarIntervalRates(text: string): number[] {
  return [...text.matchAll(/Throughput produced:\s+\d+ msg ---\s+([\d.]+) msg\/s/g)].map((m) => Number(m[1]));
}

/** RabbitMQ PerfTest with `-i 1` prints `id: ..., time: 1.000s, sent: N msg/s, ...` every second. */
export function perfTestIntervalRates(text: string): number[] {
  return [...text.matchAll(/time:?\s*[\d.]+\s*s, sent: (\d+) msg\/s/g)].map((m) => Number(m[1]));
}

async function mqctl(kind: string, topic: string, rate: number, records: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-bench-'));
  const resultFile = join(dir, 'result.json');
  const args = [
    BIN,
    'perf',
    'produce',
    '--kind',
    kind,
    '--topic',
    topic,
    '--create-topic',
    '--record-size',
    '100',
    '--rate',
    String(rate),
    '--num-records',
    String(records),
    '--result',
    resultFile,
    '--interval',
    '5s',
    '--output',
    'json',
  ];
  const t = await timed(process.execPath, args, 30 * 60_000);
  if (t.code !== 0 || !existsSync(resultFile))
    throw new Error(`mqctl failed (${t.code}): ${t.stderr.split('\n').slice(-3).join(' ')}`);
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  const steady = steadyState((r.intervals as Array<{ rate: number }>).map((i) => i.rate));
  return {
    throughput: r.throughput,
    steady: steady.rate,
    steadyIntervals: steady.intervals,
    serviceP99: r.latency.service?.p99 ?? NaN,
    records: r.acked,
    cpuSeconds: t.cpuSeconds,
    peakRssMiB: t.peakRssMiB,
    note: r.valid ? undefined : 'mqctl flagged the run invalid (generator-bound)',
  };
}

async function kafkaReference(topic: string, rate: number, records: number): Promise<Measured> {
  const t = await timed(
    'bash',
    [
      reftools(),
      'kafka-producer-perf-test',
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      '100',
      '--throughput',
      String(rate > 0 ? rate : -1),
      '--producer-props',
      'bootstrap.servers=127.0.0.1:9092',
      'acks=all',
    ],
    30 * 60_000,
  );
  const m = /(\d+) records sent, ([\d.]+) records\/sec .* (\d+) ms 99th/.exec(
    t.stdout.trim().split('\n').pop() ?? '',
  );
  if (!m)
    throw new Error(
      `kafka-producer-perf-test output not understood: ${t.stdout.slice(-300)} ${t.stderr.slice(-300)}`,
    );
  const steady = steadyState(kafkaIntervalRates(t.stdout));
  return {
    throughput: Number(m[2]),
    steady: steady.rate,
    steadyIntervals: steady.intervals,
    serviceP99: Number(m[3]),
    records: Number(m[1]),
    cpuSeconds: t.cpuSeconds,
    peakRssMiB: t.peakRssMiB,
  };
}

async function pulsarReference(topic: string, rate: number, records: number): Promise<Measured> {
  const t = await timed(
    'bash',
    [
      reftools(),
      'pulsar-perf',
      'produce',
      '-r',
      String(rate > 0 ? rate : 10_000_000),
      '-m',
      String(records),
      '-s',
      '100',
      '-o',
      '1000',
      `persistent://public/default/${topic}`,
    ],
    30 * 60_000,
  );
  const text = t.stdout + t.stderr;
  const tp = /Aggregated throughput stats --- (\d+) records sent --- ([\d.]+) msg\/s/.exec(text);
  const lat =
    /Aggregated latency stats --- Latency: mean:\s*[\d.]+ ms - med:\s*[\d.]+ - 95pct:\s*[\d.]+ - 99pct:\s*([\d.]+)/.exec(
      text,
    );
  if (!tp) throw new Error(`pulsar-perf output not understood: ${text.slice(-400)}`);
  const steady = steadyState(pulsarIntervalRates(text));
  return {
    throughput: Number(tp[2]),
    steady: steady.rate,
    steadyIntervals: steady.intervals,
    serviceP99: lat ? Number(lat[1]) : NaN,
    records: Number(tp[1]),
    cpuSeconds: t.cpuSeconds,
    peakRssMiB: t.peakRssMiB,
  };
}

async function rabbitReference(queue: string, rate: number, records: number): Promise<Measured> {
  const args = [
    reftools(),
    'rabbitmq-perf-test',
    '-h',
    'amqp://guest:guest@127.0.0.1:5672',
    '-x',
    '1',
    '-y',
    '0',
    '-s',
    '100',
    '-C',
    String(records),
    '-c',
    '1000',
    '-u',
    queue,
    '-ad',
    'false',
    '-i',
    '1',
  ];
  if (rate > 0) args.push('-r', String(rate));
  const t = await timed('bash', args, 30 * 60_000);
  const text = t.stdout + t.stderr;
  const avg = /sending rate avg: ([\d.]+) msg\/s/.exec(text);
  // PerfTest reports confirm latency per interval only; take the highest interval p99 as an upper bound
  const p99s = [...text.matchAll(/confirm latency: [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+\/([\d.]+) (µs|ms)/g)].map(
    (m) => (m[2] === 'µs' ? Number(m[1]) / 1000 : Number(m[1])),
  );
  if (!avg) throw new Error(`PerfTest output not understood: ${text.slice(-400)}`);
  const steady = steadyState(perfTestIntervalRates(text));
  return {
    throughput: Number(avg[1]),
    steady: steady.rate,
    steadyIntervals: steady.intervals,
    serviceP99: p99s.length ? Math.max(...p99s) : NaN,
    records,
    cpuSeconds: t.cpuSeconds,
    peakRssMiB: t.peakRssMiB,
    note: 'PerfTest p99 = worst 1 s interval',
  };
}

const REFERENCE: Record<
  string,
  { name: string; run: (topic: string, rate: number, records: number) => Promise<Measured> }
> = {
  kafka: { name: 'kafka-producer-perf-test', run: kafkaReference },
  pulsar: { name: 'pulsar-perf', run: pulsarReference },
  rabbitmq: { name: 'rabbitmq-perf-test', run: rabbitReference },
};

interface Row {
  broker: string;
  mode: string;
  mqctl: Measured;
  ref: Measured;
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '-';
const cpuPerMillion = (m: Measured) => (m.records > 0 ? (m.cpuSeconds / m.records) * 1e6 : NaN);

export function renderTable(rows: Row[]): string {
  const header = [
    'broker',
    'mode',
    'mqctl steady msg/s',
    'ref steady msg/s',
    'thr ratio',
    'mqctl run msg/s',
    'ref run msg/s',
    'mqctl svc p99 ms',
    'ref p99 ms',
    'p99 ratio',
    'mqctl CPU s/M',
    'ref CPU s/M',
    'mqctl RSS MiB',
    'ref RSS MiB',
  ];
  const lines = rows.map((r) => [
    r.broker,
    r.mode,
    `${fmt(r.mqctl.steady)} (${r.mqctl.steadyIntervals})`,
    `${fmt(r.ref.steady)} (${r.ref.steadyIntervals})`,
    ratio(r.mqctl.steady, r.ref.steady),
    fmt(r.mqctl.throughput),
    fmt(r.ref.throughput),
    fmt(r.mqctl.serviceP99, 2),
    fmt(r.ref.serviceP99, 2),
    ratio(r.mqctl.serviceP99, r.ref.serviceP99),
    fmt(cpuPerMillion(r.mqctl), 1),
    fmt(cpuPerMillion(r.ref), 1),
    fmt(r.mqctl.peakRssMiB),
    fmt(r.ref.peakRssMiB),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [row(header), ...lines.map(row)].join('\n');
}

/** Leaves nothing behind: the topics/queues of a run hold up to hundreds of thousands of messages. */
async function deleteBenchTopics(kind: string, names: string[]): Promise<void> {
  const noun = kind === 'rabbitmq' ? 'queue' : 'topic';
  for (const name of names) {
    await timed(process.execPath, [BIN, noun, 'delete', name, '--kind', kind, '--yes'], 60_000).catch(
      () => undefined,
    );
  }
}

export async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const kind of BROKERS) {
    const ref = REFERENCE[kind];
    if (!ref) throw new Error(`unknown broker ${kind}`);
    const fixedRate =
      kind === 'kafka'
        ? Number(process.env.BENCH_KAFKA_RATE ?? 50_000)
        : Number(process.env.BENCH_RATE ?? 20_000);
    // unthrottled: the same record count for both tools (what one tool does in BENCH_SECONDS at ~30k/s)
    const unthrottledRecords = Math.round(SECONDS * 30_000);
    for (const [mode, rate, records] of [
      ['unthrottled', 0, unthrottledRecords],
      [`${fixedRate}/s`, fixedRate, fixedRate * SECONDS],
    ] as const) {
      process.stderr.write(`bench perf: ${kind} ${mode}, ${records} records …\n`);
      const topic = uniq(`bench-perf-${kind}-${rate}`);
      const m = await mqctl(kind, `${topic}-mqctl`, rate, records);
      const r = await ref.run(`${topic}-ref`, rate, records);
      rows.push({ broker: kind, mode, mqctl: m, ref: r });
      await deleteBenchTopics(kind, [`${topic}-mqctl`, `${topic}-ref`]);
      for (const note of [m.note && `mqctl: ${m.note}`, r.note && `${ref.name}: ${r.note}`].filter(Boolean))
        process.stderr.write(`  ${kind} ${mode}: ${note}\n`);
    }
  }
  process.stdout.write(`${renderTable(rows)}\n`);
  process.stdout.write(
    "ratios: throughput = mqctl ÷ reference over steady-state intervals (each tool's own periodic lines, first and last\n" +
      "left out; (n) = intervals averaged; ≥ 1.00 wanted); run msg/s = each tool's own whole-run figure, shown, not compared;\n" +
      'p99 = mqctl service p99 ÷ reference p99 (≤ 1.50 wanted). Settings per row: 100-byte records, acks=all / confirms\n' +
      `1000 / Pulsar batching 1 ms + 1000 pending, ${SECONDS} s per run.\n`,
  );
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
