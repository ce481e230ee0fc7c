/**
 * Lag at scale: 200 consumer groups over topics totalling 2,000 partitions. mqctl (one ListOffsets per
 * broker for all topics, OffsetFetch for the groups pipelined, one Fetch per broker for time lags) against
 * `kafka-consumer-groups.sh --describe --all-groups` on the same cluster, same groups. Prints both wall
 * times and the ratio, and checks that both tools see the same total lag for the benchmark's groups.
 *
 *   npm run build && node dist/bench/lag.js        (env: BENCH_LAG_TOPICS, BENCH_LAG_PARTITIONS, BENCH_LAG_GROUPS, BENCH_LAG_RUNS)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { connect } from '../src/brokers';
import type { KafkaConnection } from '../src/brokers/kafka/connection';
import { KafkaLagSource } from '../src/brokers/kafka/lag';
import { waitForTopicLeaders } from '../src/brokers/kafka/wait';
import { resolveContext } from '../src/config/resolve';
import { ConfigStore } from '../src/config/store';
import { LagHistory } from '../src/lag/report';
import { ROOT, reftoolsPath as reftools, runProcess as run } from './_process';

const BROKERS = process.env.MQCTL_BENCH_BROKERS ?? '127.0.0.1:9092';
const TOPICS = Number(process.env.BENCH_LAG_TOPICS ?? 20);
const PARTITIONS = Number(process.env.BENCH_LAG_PARTITIONS ?? 100);
const GROUPS = Number(process.env.BENCH_LAG_GROUPS ?? 200);
const RUNS = Number(process.env.BENCH_LAG_RUNS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function setup(admin: Admin, conn: KafkaConnection, topics: string[], groups: string[]): Promise<void> {
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })),
    // kafkajs's wait gives up on KRaft's transient "does not host this topic-partition": wait here instead
    waitForLeaders: false,
    timeout: 120_000,
  });
  for (const topic of topics)
    if (!(await waitForTopicLeaders(conn, topic))) throw new Error(`bench: ${topic} has no leaders yet`);
  const producer = conn.kafka.producer({ retry: { retries: 10, initialRetryTime: 300 } });
  await producer.connect();
  // 5 messages per partition, so every group has a lag on every partition it committed.
  await Promise.all(
    topics.map((topic) =>
      producer.send({
        topic,
        messages: Array.from({ length: PARTITIONS * 5 }, (_, i) => ({
          partition: i % PARTITIONS,
          value: `v${i}`,
        })),
      }),
    ),
  );
  await producer.disconnect();
  // Group i consumes topic i % TOPICS and has committed offset 1..3 on each of its partitions.
  for (let i = 0; i < groups.length; i += 20) {
    await Promise.all(
      groups.slice(i, i + 20).map((groupId, j) =>
        admin.setOffsets({
          groupId,
          topic: topics[(i + j) % TOPICS]!,
          partitions: Array.from({ length: PARTITIONS }, (_, p) => ({
            partition: p,
            offset: String(1 + ((p + i + j) % 3)),
          })),
        }),
      ),
    );
  }
}

/** Sum of LAG for our groups in kafka-consumer-groups' --describe output. */
function referenceLag(stdout: string, prefix: string): { rows: number; lag: number } {
  let rows = 0;
  let lag = 0;
  for (const line of stdout.split('\n')) {
    const cells = line.trim().split(/\s+/);
    if (!cells[0]?.startsWith(`${prefix}-g`)) continue;
    rows++;
    lag += Number(cells[5]) || 0;
  }
  return { rows, lag };
}

export async function main(): Promise<void> {
  const store = new ConfigStore(join(mkdtempSync(join(tmpdir(), 'mqctl-bench-')), 'config.yaml'));
  const conn = connect(resolveContext({ kind: 'kafka', brokers: BROKERS }, {}, store), {
    timeoutMs: 60_000,
  }) as KafkaConnection;
  const admin = await conn.admin();
  const prefix = `bench-lag-${Date.now().toString(36)}`;
  console.log(
    `lag bench: ${GROUPS} groups over ${TOPICS} topics x ${PARTITIONS} partitions = ${TOPICS * PARTITIONS} partitions on ${BROKERS}`,
  );
  const topics = Array.from({ length: TOPICS }, (_, i) => `${prefix}-t${i}`);
  const groups = Array.from({ length: GROUPS }, (_, i) => `${prefix}-g${i}`);
  const expectedRows = GROUPS * PARTITIONS;
  try {
    const setupStarted = performance.now();
    await setup(admin, conn, topics, groups);
    console.log(`setup: ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
    // In-process: a fresh connection each run, so connect and metadata are counted.
    const inProcess: number[] = [];
    let expectedLag = 0;
    for (let r = 0; r < RUNS; r++) {
      const c = connect(resolveContext({ kind: 'kafka', brokers: BROKERS }, {}, store), {
        timeoutMs: 60_000,
      }) as KafkaConnection;
      const started = performance.now();
      const report = new LagHistory().observe(
        await new KafkaLagSource(c).snapshot({ groups: [], topics: [], timeLag: true }),
      );
      inProcess.push(performance.now() - started);
      await c.close();
      const ours = report.rows.filter((row) => row.group.startsWith(`${prefix}-g`));
      if (ours.length !== expectedRows)
        throw new Error(`mqctl saw ${ours.length} rows, expected ${expectedRows}`);
      expectedLag = ours.reduce((n, row) => n + (row.lag ?? 0), 0);
    }
    const bin = join(ROOT, 'bin', 'run.js');
    const cli: number[] = [];
    const cliNoTimeLag: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const a = await run(process.execPath, [
        bin,
        'lag',
        '--brokers',
        BROKERS,
        '--all-groups',
        '-o',
        'json',
        '--timeout',
        '60s',
      ]);
      if (a.code !== 0)
        throw new Error(
          `mqctl lag failed (exit ${a.code}, signal ${a.signal}, ${(a.ms / 1000).toFixed(1)} s): ${a.stderr}`,
        );
      cli.push(a.ms);
      const b = await run(process.execPath, [
        bin,
        'lag',
        '--brokers',
        BROKERS,
        '--all-groups',
        '-o',
        'json',
        '--no-time-lag',
        '--timeout',
        '60s',
      ]);
      if (b.code !== 0)
        throw new Error(`mqctl lag --no-time-lag failed (exit ${b.code}, signal ${b.signal}): ${b.stderr}`);
      cliNoTimeLag.push(b.ms);
    }
    const ref: number[] = [];
    let refCheck = { rows: 0, lag: 0 };
    for (let r = 0; r < RUNS; r++) {
      const k = await run('bash', [
        reftools(),
        'kafka-consumer-groups',
        '--bootstrap-server',
        BROKERS,
        '--describe',
        '--all-groups',
        '--timeout',
        '60000',
      ]);
      if (k.code !== 0)
        throw new Error(`kafka-consumer-groups failed (${k.code}): ${k.stderr.slice(0, 500)}`);
      ref.push(k.ms);
      refCheck = referenceLag(k.stdout, prefix);
    }
    if (refCheck.rows !== expectedRows || refCheck.lag !== expectedLag) {
      throw new Error(
        `tools disagree: kafka-consumer-groups ${refCheck.rows} rows / lag ${refCheck.lag}, mqctl ${expectedRows} / ${expectedLag}`,
      );
    }
    const fmt = (xs: number[]) =>
      `median ${(median(xs) / 1000).toFixed(2)} s (runs: ${xs.map((x) => (x / 1000).toFixed(2)).join(', ')})`;
    console.log(`both tools: ${expectedRows} rows for the bench groups, total lag ${expectedLag}`);
    console.log(`mqctl in-process snapshot (with time lag):    ${fmt(inProcess)}`);
    console.log(`mqctl lag --all-groups CLI (with time lag):   ${fmt(cli)}`);
    console.log(`mqctl lag --all-groups CLI (--no-time-lag):   ${fmt(cliNoTimeLag)}`);
    console.log(`kafka-consumer-groups --describe --all-groups: ${fmt(ref)}`);
    console.log(
      `ratio kafka-consumer-groups / mqctl CLI: ${(median(ref) / median(cli)).toFixed(2)}x (with time lag), ${(median(ref) / median(cliNoTimeLag)).toFixed(2)}x (--no-time-lag)`,
    );
  } finally {
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics, timeout: 60_000 }).catch(() => undefined);
    await conn.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`lag bench failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
