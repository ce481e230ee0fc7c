/**
 * Benchmark: `mqctl topic list` on a cluster with 5,000 extra topics and `mqctl topic describe` of a
 * 1,000-partition topic, against Kafka's own `kafka-topics.sh --list` / `--describe` (TopicCommand from the
 * Maven jars, via scripts/reftools.sh), end to end as a user runs them: process start to exit.
 *
 *   node dist/bench/topics.js            (or as part of `npm run bench`)
 *
 * Environment: MQCTL_BENCH_BROKERS (default 127.0.0.1:9092), MQCTL_BENCH_TOPICS (5000),
 * MQCTL_BENCH_PARTITIONS (1000), MQCTL_BENCH_RUNS (3), MQCTL_REFTOOLS (path to reftools.sh).
 * Everything it creates is deleted at the end, also after a failure or Ctrl-C.
 */
import { resolve } from 'node:path';
import { connect } from '../src/brokers';
import type { KafkaConnection } from '../src/brokers/kafka/connection';
import { ROOT, reftoolsPath, runProcess as timed, type ProcessRun } from './_process';

const BROKERS = process.env.MQCTL_BENCH_BROKERS ?? '127.0.0.1:9092';
const TOPIC_COUNT = Number(process.env.MQCTL_BENCH_TOPICS ?? 5000);
const PARTITIONS = Number(process.env.MQCTL_BENCH_PARTITIONS ?? 1000);
const RUNS = Number(process.env.MQCTL_BENCH_RUNS ?? 3);
const MQCTL = resolve(ROOT, 'bin', 'run.js');
const BATCH = 250;

type Timed = ProcessRun;

/** scripts/reftools.sh, found when main() starts. */
let REFTOOLS = '';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function check(result: Timed, what: string): Timed {
  if (result.code !== 0) {
    throw new Error(
      `${what} exited ${result.code}: ${result.stderr.trim().split('\n').slice(0, 3).join(' | ')}`,
    );
  }
  return result;
}

interface Comparison {
  name: string;
  mqctlMs: number[];
  referenceMs: number[];
}

async function compare(
  name: string,
  mqctlArgs: string[],
  referenceArgs: string[],
  verify: (mqctl: Timed, reference: Timed) => void,
): Promise<Comparison> {
  const result: Comparison = { name, mqctlMs: [], referenceMs: [] };
  // Interleaved, so a load spike from the shared machine hits both tools alike.
  for (let i = 0; i < RUNS; i++) {
    const m = check(await timed(process.execPath, [MQCTL, ...mqctlArgs]), `mqctl ${mqctlArgs.join(' ')}`);
    const r = check(
      await timed('bash', [REFTOOLS, ...referenceArgs]),
      `kafka-topics ${referenceArgs.slice(1).join(' ')}`,
    );
    if (i === 0) verify(m, r);
    result.mqctlMs.push(m.ms);
    result.referenceMs.push(r.ms);
    process.stderr.write(
      `  ${name} run ${i + 1}/${RUNS}: mqctl ${m.ms.toFixed(0)} ms, kafka-topics ${r.ms.toFixed(0)} ms\n`,
    );
  }
  return result;
}

export async function main(): Promise<void> {
  REFTOOLS = reftoolsPath();
  const id = `${Date.now().toString(36)}`;
  const prefix = `mqctl-bench-${id}`;
  const names = Array.from({ length: TOPIC_COUNT }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
  const wide = `${prefix}-wide`;
  const connection = connect(
    { kind: 'kafka', brokers: BROKERS.split(','), name: 'bench', source: 'flags' },
    { timeoutMs: 60_000 },
  ) as KafkaConnection;
  const admin = await connection.admin();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  try {
    process.stderr.write(`resolving the reference tool jars (first run downloads them)...\n`);
    check(await timed('bash', [REFTOOLS, 'fetch', 'kafka']), 'reftools fetch kafka');

    process.stderr.write(
      `creating ${TOPIC_COUNT} topics and one ${PARTITIONS}-partition topic on ${BROKERS}...\n`,
    );
    const createStarted = Date.now();
    for (let i = 0; i < names.length && !interrupted; i += BATCH) {
      await admin.createTopics({
        waitForLeaders: false,
        timeout: 60_000,
        topics: names.slice(i, i + BATCH).map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      });
    }
    await admin.createTopics({
      waitForLeaders: false,
      timeout: 60_000,
      topics: [{ topic: wide, numPartitions: PARTITIONS, replicationFactor: 1 }],
    });
    if (interrupted) throw new Error('interrupted');
    process.stderr.write(`  created in ${((Date.now() - createStarted) / 1000).toFixed(1)} s\n`);
    // Created topics reach the metadata a moment later: wait (bounded) until all are listed.
    let all = await admin.listTopics();
    let ours = all.filter((t) => t.startsWith(prefix)).length;
    for (let waited = 0; ours < TOPIC_COUNT + 1 && waited < 120_000 && !interrupted; waited += 500) {
      await new Promise((r) => setTimeout(r, 500));
      all = await admin.listTopics();
      ours = all.filter((t) => t.startsWith(prefix)).length;
    }
    if (ours !== TOPIC_COUNT + 1)
      throw new Error(`expected ${TOPIC_COUNT + 1} bench topics, the cluster lists ${ours}`);

    // One untimed run of each tool first (page cache, JIT-free start for both).
    await timed(process.execPath, [MQCTL, 'topic', 'list', '--brokers', BROKERS]);
    await timed('bash', [REFTOOLS, 'kafka-topics', '--bootstrap-server', BROKERS, '--list']);

    const list = await compare(
      `topic list (${all.length} topics)`,
      ['topic', 'list', '--brokers', BROKERS, '--internal', '-o', 'csv'],
      ['kafka-topics', '--bootstrap-server', BROKERS, '--list'],
      (m, r) => {
        const mqctlNames = m.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',')[0]);
        const refNames = r.stdout.trim().split('\n');
        const mine = mqctlNames.filter((n) => n?.startsWith(prefix)).length;
        const theirs = refNames.filter((n) => n.startsWith(prefix)).length;
        if (mine !== TOPIC_COUNT + 1 || theirs !== TOPIC_COUNT + 1) {
          throw new Error(
            `list mismatch: mqctl shows ${mine}, kafka-topics ${theirs} of ${TOPIC_COUNT + 1} bench topics`,
          );
        }
      },
    );
    const describe = await compare(
      `topic describe (${PARTITIONS} partitions)`,
      ['topic', 'describe', wide, '--brokers', BROKERS, '-o', 'csv'],
      ['kafka-topics', '--bootstrap-server', BROKERS, '--describe', '--topic', wide],
      (m, r) => {
        const mqctlRows = m.stdout.trim().split('\n').length - 1;
        const refRows = r.stdout.split('\n').filter((l) => /\bPartition: \d+/.test(l)).length;
        if (mqctlRows !== PARTITIONS || refRows !== PARTITIONS) {
          throw new Error(
            `describe mismatch: mqctl ${mqctlRows} partition rows, kafka-topics ${refRows}, want ${PARTITIONS}`,
          );
        }
      },
    );

    const rows = [list, describe].map((c) => {
      const mqctl = median(c.mqctlMs);
      const reference = median(c.referenceMs);
      return { name: c.name, mqctl, reference, ratio: reference / mqctl };
    });
    const width = Math.max(...rows.map((r) => r.name.length));
    const lines = [
      `\nmqctl vs kafka-topics (${RUNS} interleaved runs each, median wall time, process start to exit)`,
      `${'operation'.padEnd(width)}  ${'mqctl'.padStart(10)}  ${'kafka-topics'.padStart(12)}  ratio (kafka-topics / mqctl)`,
      ...rows.map(
        (r) =>
          `${r.name.padEnd(width)}  ${`${r.mqctl.toFixed(0)} ms`.padStart(10)}  ${`${r.reference.toFixed(0)} ms`.padStart(12)}  ${r.ratio.toFixed(2)}x ${r.ratio > 1 ? '(mqctl faster)' : '(mqctl slower)'}`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(
      `${JSON.stringify({ benchmark: 'topics', runs: RUNS, topics: all.length, partitions: PARTITIONS, results: rows })}\n`,
    );
  } finally {
    process.stderr.write('deleting the bench topics...\n');
    // The metadata lags behind creations and deletions, so list and delete again until nothing is left
    // (bounded). A batch naming a topic that is already gone fails for that topic only: ignore it here.
    const listOurs = async () =>
      (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(prefix));
    for (let pass = 0; pass < 5; pass++) {
      const leftovers = await listOurs();
      if (leftovers.length === 0) break;
      for (let i = 0; i < leftovers.length; i += BATCH) {
        await admin
          .deleteTopics({ topics: leftovers.slice(i, i + BATCH), timeout: 60_000 })
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    const left = await listOurs();
    if (left.length > 0) {
      process.stderr.write(
        `  ${left.length} bench topics are still listed; their names start with ${prefix}\n`,
      );
    }
    process.off('SIGINT', onSigint);
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`bench/topics: ${error.message}\n`);
    process.exitCode = 1;
  });
}
