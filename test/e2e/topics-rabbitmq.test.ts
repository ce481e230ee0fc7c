import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CLOSED_PORT, requireRabbit, uniqueName } from '../helpers/brokers';
import { isolatedConfigEnv, parseJson, runCli, expectExit } from '../helpers/cli';

const env = isolatedConfigEnv();
const run = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });

// The topic commands through bin/run.js on rabbitmq: one file per broker (test/e2e/topics-*.test.ts), so the
// three run side by side (scripts/node-matrix.sh runs them on the other Node lines too).
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
