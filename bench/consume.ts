/**
 * `npm run bench -- consume`: Kafka `mqctl perf consume` vs kafka-consumer-perf-test over the same
 * pre-produced records (issue #14: target ≥ 1.0× the Java tool's msg/s, and whole-command wall time).
 *
 * The records are produced once (mqctl perf produce, 100 B, 3 partitions, stamped), then BENCH_PAIRS pairs
 * run back to back in the same minute, the order alternating per pair. Each side is read two ways:
 * - rate: the tool's own nMsg.sec (records over its end.time − start.time; the JVM's start is outside that
 *   window, and so is mqctl's Node start); the Java tool's fetch.nMsg.sec (its window minus the group join)
 *   is printed beside it;
 * - wall: the whole command as a user waits for it (JVM or Node start included), printed separately.
 * The median ratio of each and whether it meets the target close the table; the load average is printed.
 *
 * BENCH_CONSUME_RECORDS (2000000), BENCH_PAIRS (3), BENCH_BROKERS (127.0.0.1:9092).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, reftoolsPath, runProcess } from './_process';

const BIN = join(ROOT, 'bin', 'run.js');

interface Side {
  rate: number;
  fetchRate: number;
  windowS: number;
  wallS: number;
}

/** kafka-consumer-perf-test's data line (mqctl prints the same one): the ten columns. */
function parseLine(stdout: string, what: string): Side & { n: number } {
  const lines = stdout.trim().split('\n');
  const header = lines.findIndex((l) => l.startsWith('start.time, end.time'));
  const cols = header >= 0 ? lines[header + 1]?.split(', ') : undefined;
  if (!cols || cols.length < 10) throw new Error(`${what}: no kafka-consumer-perf-test line in\n${stdout}`);
  const time = (s: string) => Date.parse(`${s.replace(' ', 'T').replace(/:(\d{3})$/, '.$1')}Z`);
  return {
    n: Number(cols[4]),
    rate: Number(cols[5]),
    fetchRate: Number(cols[9]),
    windowS: (time(cols[1]!) - time(cols[0]!)) / 1000,
    wallS: 0,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function main(): Promise<void> {
  const records = Number(process.env.BENCH_CONSUME_RECORDS ?? 2_000_000);
  const pairs = Number(process.env.BENCH_PAIRS ?? 3);
  const brokers = process.env.BENCH_BROKERS ?? '127.0.0.1:9092';
  const topic = `kc-bench-consume-${process.pid}`;
  const kafka = ['--kind', 'kafka', '--brokers', brokers];
  const made = await runProcess(process.execPath, [
    BIN,
    'perf',
    'produce',
    ...kafka,
    '--topic',
    topic,
    '--create-topic',
    '--partitions',
    '3',
    '--rate',
    '0',
    '--num-records',
    String(records),
    '--record-size',
    '100',
  ]);
  if (made.code !== 0) throw new Error(`producing the records failed: ${made.stderr.slice(-500)}`);
  try {
    const mqctl = async (): Promise<Side> => {
      const r = await runProcess(process.execPath, [
        BIN,
        'perf',
        'consume',
        ...kafka,
        '--topic',
        topic,
        '--num-records',
        String(records),
      ]);
      if (r.code !== 0) throw new Error(`mqctl perf consume failed (${r.code}): ${r.stderr.slice(-500)}`);
      const side = parseLine(r.stdout, 'mqctl');
      if (side.n !== records) throw new Error(`mqctl received ${side.n} of ${records}`);
      return { ...side, wallS: r.ms / 1000 };
    };
    const java = async (): Promise<Side> => {
      const r = await runProcess('bash', [
        reftoolsPath(),
        'kafka-consumer-perf-test',
        '--bootstrap-server',
        brokers,
        '--topic',
        topic,
        '--num-records',
        String(records),
        '--timeout',
        '60000',
      ]);
      if (r.code !== 0)
        throw new Error(`kafka-consumer-perf-test failed (${r.code}): ${r.stderr.slice(-500)}`);
      const side = parseLine(r.stdout, 'kafka-consumer-perf-test');
      if (side.n !== records) throw new Error(`kafka-consumer-perf-test received ${side.n} of ${records}`);
      return { ...side, wallS: r.ms / 1000 };
    };
    console.log(
      `Kafka perf consume vs kafka-consumer-perf-test: ${records} records × 100 B, 3 partitions, ${pairs} pairs (order alternating), brokers ${brokers}`,
    );
    console.log(
      'pair  mqctl msg/s  ref msg/s  ref fetch msg/s  rate ratio  mqctl wall s  ref wall s  wall ratio  load',
    );
    const rateRatios: number[] = [];
    const wallRatios: number[] = [];
    for (let i = 0; i < pairs; i++) {
      let m: Side;
      let j: Side;
      if (i % 2 === 0) {
        m = await mqctl();
        j = await java();
      } else {
        j = await java();
        m = await mqctl();
      }
      const rate = m.rate / j.rate;
      const wall = j.wallS / m.wallS;
      rateRatios.push(rate);
      wallRatios.push(wall);
      console.log(
        [
          String(i + 1).padEnd(4),
          m.rate.toFixed(0).padStart(11),
          j.rate.toFixed(0).padStart(10),
          j.fetchRate.toFixed(0).padStart(16),
          rate.toFixed(2).padStart(11),
          m.wallS.toFixed(1).padStart(13),
          j.wallS.toFixed(1).padStart(11),
          wall.toFixed(2).padStart(11),
          loadavg()[0]!.toFixed(1).padStart(5),
        ].join(' '),
      );
    }
    const rate = median(rateRatios);
    const wall = median(wallRatios);
    console.log(
      `median rate ratio ${rate.toFixed(2)} (target ≥ 1.00: ${rate >= 1 ? 'yes' : 'NO'}), median wall ratio (ref wall / mqctl wall) ${wall.toFixed(2)} (target ≥ 1.00: ${wall >= 1 ? 'yes' : 'NO'}), load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await runProcess(process.execPath, [BIN, 'topic', 'delete', topic, ...kafka, '--yes'], 60_000).catch(
      () => undefined,
    );
  }
}
