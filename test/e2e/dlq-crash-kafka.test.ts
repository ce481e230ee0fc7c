import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from '../../src/brokers/kafka/kafkajs';
import { buildFilter } from '../../src/dlq/filter';
import { replayJobId } from '../../src/dlq/replay';
import { LOCAL, requireKafka, uniqueName } from '../helpers/brokers';
import { BIN, isolatedConfigEnv, runCli } from '../helpers/cli';
import {
  createTopics,
  deleteTopics,
  produceAll,
  readAllCommitted,
  runAndKill,
  springDltHeaders,
} from '../helpers/dlq-fixtures';
import { deleteKilledReaderGroups, forgetReplayProgress, kafkaGroupIds } from '../helpers/leftovers';

const kafka = new Kafka({
  brokers: [LOCAL.kafka.brokers],
  clientId: 'dlq-crash',
  logLevel: logLevel.NOTHING,
});
const TOTAL = 20_000;
/** Kills per run: 5 in the suite; the acceptance trials (≥20) by hand with MQCTL_CRASH_KILLS=20. */
const KILLS = Number(process.env.MQCTL_CRASH_KILLS ?? 5);

describe('dlq replay on Kafka survives SIGKILL at random points (exactly once for read_committed)', () => {
  const origin = uniqueName('crash-orders');
  const dlq = `${origin}-dlt`;
  const env = isolatedConfigEnv();

  let groupsBefore = new Set<string>();

  before(async () => {
    await requireKafka();
    groupsBefore = await kafkaGroupIds();
    await createTopics(kafka, [
      { topic: origin, partitions: 3 },
      { topic: dlq, partitions: 3 },
    ]);
    await produceAll(
      kafka,
      dlq,
      Array.from({ length: TOTAL }, (_, i) => ({
        key: `k${i}`,
        value: JSON.stringify({ i }),
        partition: i % 3,
        headers: springDltHeaders({
          topic: origin,
          partition: i % 3,
          offset: i,
          exceptionClass:
            i % 10 === 0 ? 'com.example.ValidationException' : 'java.util.concurrent.TimeoutException',
          exceptionMessage: `failure ${i}`,
        }),
      })),
    );
  });

  after(async () => {
    await forgetReplayProgress([dlq]);
    await deleteKilledReaderGroups(groupsBefore, dlq);
    await deleteTopics(kafka, [origin, dlq]);
  });

  it(
    '5+ kills and re-runs leave every selected message in the target exactly once',
    { timeout: 120_000 + KILLS * 30_000 },
    async () => {
      const args = [
        'dlq',
        'replay',
        dlq,
        '--kind',
        'kafka',
        '--exception',
        'TimeoutException',
        '--output',
        'json',
      ];
      // --rate 500 keeps each run from finishing before its kill (the property does not depend on speed).
      const killedArgs = [...args, '--rate', '500'];
      const jobId = replayJobId(dlq, undefined, buildFilter({ exception: 'TimeoutException' }), 3);
      const committedProgress = async (): Promise<number> => {
        const admin = kafka.admin();
        await admin.connect();
        const offsets = await admin.fetchOffsets({ groupId: jobId, topics: [dlq] });
        await admin.disconnect();
        return offsets[0]!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
      };
      const progress: number[] = [];
      let kills = 0;
      const delays: number[] = [];
      for (let attempt = 0; attempt < 3 * KILLS && kills < KILLS; attempt++) {
        // --rate 500 keeps each run from finishing before its kill (the property itself does not depend on speed).
        // A random point after this run's first commit: mid-replay, never during start-up (which alone took
        // more than 8 s on the loaded test machine, so fixed delays from spawn killed before any commit).
        const delay = 200 + Math.floor(Math.random() * 2000);
        const before = progress.length > 0 ? progress[progress.length - 1]! : 0;
        const result = await runAndKill(
          BIN,
          killedArgs,
          env,
          delay,
          async () => (await committedProgress()) > before,
        );
        if (result.killed) {
          kills++;
          delays.push(delay);
          progress.push(await committedProgress());
        } else assert.equal(result.code, 0, 'a run that was not killed must succeed');
      }
      assert.ok(kills >= KILLS, `only ${kills} kills landed`);
      // The kills landed mid-replay: the job's committed DLQ position was strictly between start and end.
      assert.ok(
        progress.filter((p, i) => p > (i === 0 ? 0 : progress[i - 1]!) && p < TOTAL).length >= 3,
        `kills did not land mid-replay: committed positions ${progress.join(',')}`,
      );
      const final = await runCli(args, { env, timeoutMs: 120_000 });
      assert.equal(final.code, 0, final.stderr);
      const copies = await readAllCommitted(kafka, origin, 120_000);
      const expected = TOTAL - TOTAL / 10;
      const keys = new Map<string, number>();
      for (const c of copies) keys.set(c.key!, (keys.get(c.key!) ?? 0) + 1);
      const doubled = [...keys].filter(([, n]) => n > 1);
      assert.deepEqual(doubled, [], `duplicates after ${kills} kills at ${delays.join(',')} ms`);
      assert.equal(copies.length, expected, `target holds ${copies.length}, expected ${expected}`);
      for (let i = 0; i < TOTAL; i++) assert.equal(keys.has(`k${i}`), i % 10 !== 0, `k${i}`);
      // The DLQ itself is untouched (Kafka replay only moves the job's committed offsets).
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(dlq);
      await admin.disconnect();
      assert.equal(
        offsets.reduce((s, o) => s + Number(o.high) - Number(o.low), 0),
        TOTAL,
      );
      process.stderr.write(
        `kafka crash test: ${kills} SIGKILLs at ${delays.join(', ')} ms (DLQ position after each: ${progress.join(', ')}); ${copies.length} copies, 0 duplicates\n`,
      );
    },
  );
});
