import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CLOSED_PORT, requireKafka, uniqueName } from '../helpers/brokers';
import { isolatedConfigEnv, parseJson, runCli, expectExit } from '../helpers/cli';

const env = isolatedConfigEnv();
const run = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });

// The topic commands through bin/run.js on kafka: one file per broker (test/e2e/topics-*.test.ts), so the
// three run side by side (scripts/node-matrix.sh runs them on the other Node lines too).
describe('e2e: mqctl topic on Kafka (bin/run.js)', () => {
  before(requireKafka);
  // A generous deadline: on a loaded CI machine a KRaft broker can take seconds to elect new leaders.
  const k = ['--kind', 'kafka', '--timeout', '30s'];

  it('create → describe → alter → config → delete round trip, with failures along the way', async () => {
    const name = uniqueName('mqctl-e2e');
    const created = await run([
      'topic',
      'create',
      name,
      '--partitions',
      '2',
      '--replication-factor',
      '1',
      '--config',
      'retention.ms=3600000',
      ...k,
    ]);
    expectExit(created, 0);
    assert.equal(created.stdout.trim(), `created topic ${name} (2 partitions, replication factor 1)`);
    assert.equal(created.stderr, 'target: connection flags: Kafka 127.0.0.1:9092\n');

    const list = await run(['topic', 'list', '--filter', name, '-o', 'csv', ...k]);
    expectExit(list, 0);
    assert.equal(list.stdout.trim(), `name,partitions,replicationFactor,status\n${name},2,1,ok`);

    const described = await run(['topic', 'describe', name, ...k]);
    expectExit(described, 0);
    assert.match(described.stdout, /^TOPIC\n/);
    assert.match(described.stdout, new RegExp(`name\\s+${name}`));
    assert.match(
      described.stdout,
      /PARTITIONS \(2\)\nPARTITION\s+LEADER\s+REPLICAS\s+ISR\s+EARLIEST\s+LATEST\s+MESSAGES\s+STATUS/,
    );
    assert.match(described.stdout, /retention\.ms\s+3600000\s+topic/);

    const shrink = await run(['topic', 'alter', name, '--partitions', '1', ...k]);
    expectExit(shrink, 2, /cannot decrease topic .* from 2 to 1 partitions: Kafka can only add partitions/);
    assert.equal(shrink.stdout, '');

    const alter = await run(['topic', 'alter', name, '--partitions', '4', ...k]);
    expectExit(alter, 0);
    assert.equal(alter.stdout.trim(), `topic ${name}: partitions 2 → 4`);
    const add = await run(['topic', 'add-partitions', name, '--num', '1', '-o', 'json', ...k]);
    expectExit(add, 0);
    assert.deepEqual(parseJson(add), {
      name,
      previousPartitions: 4,
      partitions: 5,
      changed: true,
      dryRun: false,
    });

    const json = parseJson<{
      partitions: number;
      partitionDetails: unknown[];
      configs: Array<{ name: string; value: string }>;
    }>(await run(['topic', 'describe', name, '--output', 'json', ...k]));
    assert.equal(json.partitions, 5);
    assert.equal(json.partitionDetails.length, 5);

    expectExit(await run(['topic', 'config', 'set', name, 'segment.ms=600000', ...k]), 0);
    expectExit(
      await run(['topic', 'config', 'set', name, 'no.such.key=1', ...k]),
      2,
      /unknown topic config key no\.such\.key/,
    );
    const cfg = parseJson<{ items: Array<{ name: string; value: string }> }>(
      await run(['topic', 'config', 'get', name, '-o', 'json', ...k]),
    ).items;
    assert.deepEqual(
      cfg.map((c) => [c.name, c.value]),
      [
        ['retention.ms', '3600000'],
        ['segment.ms', '600000'],
      ],
    );
    expectExit(await run(['topic', 'config', 'delete', name, 'segment.ms', ...k]), 0);

    const refused = await run(['topic', 'delete', name, ...k]);
    expectExit(refused, 2, /refusing to delete topic .* without confirmation — pass --yes/);
    const deleted = await run(['topic', 'delete', name, '--yes', ...k]);
    expectExit(deleted, 0);
    assert.equal(deleted.stdout.trim(), `deleted topic ${name}`);
    expectExit(
      await run(['topic', 'describe', name, ...k]),
      3,
      new RegExp(`topic "${name}" not found on Kafka at 127\\.0\\.0\\.1:9092`),
    );
  });

  it('bad input exits 2; unreachable exits 69; queue on Kafka names topic', async () => {
    // Independent checks run side by side: each is its own process.
    const [badName, zero, rf, queue, dead] = await Promise.all([
      run(['topic', 'create', 'bad name', ...k]),
      run(['topic', 'create', uniqueName('x'), '--partitions', '0', ...k]),
      run(['topic', 'create', uniqueName('x'), '--replication-factor', '5', ...k]),
      run(['queue', 'list', ...k]),
      run(['topic', 'list', '--brokers', `127.0.0.1:${CLOSED_PORT}`, '--timeout', '2s']),
    ]);
    expectExit(badName, 2, /invalid topic name/);
    expectExit(zero, 2, /--partitions must be a whole number above 0/);
    expectExit(rf, 2, /above the number of brokers/);
    expectExit(queue, 2, /Kafka .* has no queues — use `mqctl topic/);
    expectExit(dead, 69, /cannot reach Kafka at 127\.0\.0\.1:1/);
  });
});
