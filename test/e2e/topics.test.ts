import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CLOSED_PORT, requireKafka, requirePulsar, requireRabbit, uniqueName } from '../helpers/brokers';
import { isolatedConfigEnv, parseJson, runCli, expectExit } from '../helpers/cli';

const env = isolatedConfigEnv();
const run = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });

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
    assert.equal(list.stdout.trim(), `name,partitions,replicationFactor\n${name},2,1`);

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

describe('e2e: mqctl topic, tenant and namespace on Pulsar (bin/run.js)', () => {
  before(requirePulsar);
  const p = ['--kind', 'pulsar'];

  it('create → describe → alter → delete round trip', async () => {
    const name = uniqueName('mqctl-e2e');
    const full = `persistent://public/default/${name}`;
    const created = await run([
      'topic',
      'create',
      name,
      '--partitions',
      '2',
      '--config',
      'message-ttl-seconds=600',
      ...p,
    ]);
    expectExit(created, 0);
    assert.equal(created.stdout.trim(), `created topic ${full} (2 partitions)`);
    const described = await run(['topic', 'describe', full, '-o', 'yaml', ...p]);
    expectExit(described, 0);
    assert.match(
      described.stdout,
      new RegExp(
        `^kind: pulsar\\ncluster: http://127.0.0.1:8080\\nname: ${full}\\npartitioned: true\\npartitions: 2\\n`,
      ),
    );
    assert.match(described.stdout, /stats:\n\s+producers: 0\n\s+subscriptions: \[\]\n\s+backlog: 0/);
    expectExit(
      await run(['topic', 'alter', name, '--partitions', '1', ...p]),
      2,
      /Pulsar can only add partitions/,
    );
    const alter = await run(['topic', 'alter', name, '--partitions', '3', ...p]);
    expectExit(alter, 0);
    assert.equal(alter.stdout.trim(), `topic ${full}: partitions 2 → 3`);
    const table = await run(['topic', 'describe', name, ...p]);
    assert.match(table.stdout, /PARTITIONS \(3\)/);
    assert.match(table.stdout, /message-ttl-seconds\s+600\s+topic/);
    const deleted = await run(['topic', 'delete', name, '--yes', ...p]);
    expectExit(deleted, 0);
    assert.equal(deleted.stdout.trim(), `deleted topic ${full}`);
    expectExit(
      await run(['topic', 'describe', name, ...p]),
      3,
      /not found on Pulsar at http:\/\/127\.0\.0\.1:8080/,
    );
  });

  it('tenant list and namespace create → list → delete', async () => {
    const tenants = parseJson<{ items: Array<{ name: string }> }>(
      await run(['tenant', 'list', '-o', 'json', ...p]),
    ).items;
    assert.ok(tenants.some((t) => t.name === 'public'));
    const ns = `public/${uniqueName('mqctl-e2e')}`;
    expectExit(await run(['namespace', 'create', ns, ...p]), 0);
    const list = await run(['namespace', 'list', 'public', ...p]);
    assert.match(list.stdout, new RegExp(`^${ns}\\s+public`, 'm'));
    expectExit(await run(['namespace', 'delete', ns, ...p]), 2, /refusing to delete namespace/);
    expectExit(await run(['namespace', 'delete', ns, '--yes', ...p]), 0);
    expectExit(await run(['namespace', 'list', uniqueName('nobody'), ...p]), 3, /tenant .* not found/);
    expectExit(await run(['namespace', 'list', '--kind', 'kafka']), 2, /only on Pulsar/);
  });
});

describe('e2e: mqctl queue, exchange and binding on RabbitMQ (bin/run.js)', () => {
  before(requireRabbit);
  const r = ['--kind', 'rabbitmq'];

  it('create → describe → alter (bind, purge) → delete round trip', async () => {
    const q = uniqueName('mqctl-e2e');
    const ex = uniqueName('mqctl-e2e-ex');
    const created = await run([
      'queue',
      'create',
      q,
      '--type',
      'quorum',
      '--dead-letter-exchange',
      'dlx',
      '--message-ttl',
      '60s',
      '--max-length',
      '1000',
      ...r,
    ]);
    expectExit(created, 0);
    assert.equal(created.stdout.trim(), `created quorum queue ${q} in vhost /`);
    expectExit(await run(['exchange', 'create', ex, '--type', 'topic', ...r]), 0);
    expectExit(
      await run(['binding', 'create', '--source', ex, '--destination', q, '--routing-key', 'orders.*', ...r]),
      0,
    );

    const described = parseJson<{
      name: string;
      type: string;
      arguments: Record<string, unknown>;
      bindings: Array<{ source: string; routingKey: string }>;
    }>(await run(['queue', 'describe', q, '-o', 'json', ...r]));
    assert.equal(described.type, 'quorum');
    assert.deepEqual(described.arguments, {
      'x-dead-letter-exchange': 'dlx',
      'x-max-length': 1000,
      'x-message-ttl': 60000,
      'x-queue-type': 'quorum',
    });
    assert.deepEqual(
      described.bindings.map((b) => [b.source, b.routingKey]),
      [
        ['', q],
        [ex, 'orders.*'],
      ],
    );
    const table = await run(['queue', 'describe', q, ...r]);
    assert.match(table.stdout, /x-message-ttl\s+60000/);

    // The management API reports a new queue's state only after its first stats sample (~5 s): wait for it.
    let list = await run(['queue', 'list', '--filter', q, '-o', 'csv', ...r]);
    for (let i = 0; i < 20 && list.stdout.includes(',quorum,-,'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      list = await run(['queue', 'list', '--filter', q, '-o', 'csv', ...r]);
    }
    assert.equal(
      list.stdout.trim(),
      `name,type,state,messages,messagesReady,messagesUnacknowledged,consumers,durable\n${q},quorum,running,0,0,0,0,yes`,
    );
    expectExit(await run(['queue', 'purge', q, ...r]), 2, /refusing to purge/);
    const purged = await run(['queue', 'purge', q, '--yes', ...r]);
    expectExit(purged, 0);
    assert.equal(purged.stdout.trim(), `purged 0 messages from queue ${q} in vhost /`);

    expectExit(
      await run([
        'binding',
        'delete',
        '--source',
        ex,
        '--destination',
        q,
        '--routing-key',
        'orders.*',
        '--yes',
        ...r,
      ]),
      0,
    );
    expectExit(await run(['exchange', 'delete', ex, '--yes', ...r]), 0);
    expectExit(await run(['queue', 'delete', q, ...r]), 2, /refusing to delete queue/);
    const deleted = await run(['queue', 'delete', q, '--yes', ...r]);
    expectExit(deleted, 0);
    assert.equal(deleted.stdout.trim(), `deleted queue ${q} in vhost /`);
    expectExit(
      await run(['queue', 'describe', q, ...r]),
      3,
      new RegExp(`queue "${q}" not found in vhost "/"`),
    );
  });

  it('topic on RabbitMQ names queue/exchange; bad arguments exit 2; unreachable exits 69', async () => {
    const [topic, badArg, stream, dead] = await Promise.all([
      run(['topic', 'create', 'x', ...r]),
      run(['queue', 'create', uniqueName('x'), '--argument', 'x-max-length=lots', ...r]),
      run(['queue', 'create', uniqueName('x'), '--type', 'stream', '--no-durable', ...r]),
      run([
        'queue',
        'list',
        '--kind',
        'rabbitmq',
        '--admin-url',
        `http://127.0.0.1:${CLOSED_PORT}`,
        '--timeout',
        '2s',
      ]),
    ]);
    expectExit(topic, 2, /RabbitMQ .* has no topics — use `mqctl queue/);
    expectExit(badArg, 2, /x-max-length must be a whole number/);
    expectExit(stream, 2, /must be durable/);
    expectExit(dead, 69, /cannot reach RabbitMQ management API/);
  });
});
