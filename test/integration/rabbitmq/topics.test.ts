import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { typeArguments } from '../../../src/brokers/contracts/arguments';
import { namespaceAdminFor } from '../../../src/brokers/namespaces';
import { RabbitBindingAdmin } from '../../../src/brokers/rabbitmq/bindings';
import { RabbitExchangeAdmin } from '../../../src/brokers/rabbitmq/exchanges';
import { RabbitQueueAdmin } from '../../../src/brokers/rabbitmq/queues';
import { topicAdminFor } from '../../../src/brokers/topics';
import { CLOSED_PORT, LOCAL, requireRabbit, uniqueName } from '../../helpers/brokers';
import { rabbitConnection, rejectsWith } from '../../helpers/topics';

describe('RabbitMQ queues, exchanges and bindings (real broker at 127.0.0.1:5672/15672)', () => {
  const connection = rabbitConnection();
  const queueAdmin = new RabbitQueueAdmin(connection);
  const exchangeAdmin = new RabbitExchangeAdmin(connection);
  const bindingAdmin = new RabbitBindingAdmin(connection);
  const http = connection.management;
  const queues: string[] = [];
  const exchanges: string[] = [];
  const getQueue = (name: string) =>
    http.request<{ type: string; arguments: Record<string, unknown>; messages?: number } | undefined>({
      path: `/api/queues/%2F/${encodeURIComponent(name)}`,
      allow404: true,
    });
  const getExchange = (name: string) =>
    http.request<{ type: string } | undefined>({
      path: `/api/exchanges/%2F/${encodeURIComponent(name)}`,
      allow404: true,
    });
  const base = { durable: true, autoDelete: false, arguments: {}, ifNotExists: false, dryRun: false };

  before(requireRabbit);
  after(async () => {
    for (const q of queues)
      await http
        .request({ method: 'DELETE', path: `/api/queues/%2F/${encodeURIComponent(q)}`, allow404: true })
        .catch(() => undefined);
    for (const e of exchanges)
      await http
        .request({ method: 'DELETE', path: `/api/exchanges/%2F/${encodeURIComponent(e)}`, allow404: true })
        .catch(() => undefined);
    await connection.close();
  });

  it('creates classic, quorum and stream queues with dead-letter, TTL and max-length arguments', async () => {
    const [c, q, s] = ['classic', 'quorum', 'stream'].map((t) => uniqueName(`mqctl-${t}`));
    queues.push(c!, q!, s!);
    const args = typeArguments({
      'x-dead-letter-exchange': 'dlx',
      'x-message-ttl': '60000',
      'x-max-length': '100',
    });
    assert.deepEqual(args, { 'x-dead-letter-exchange': 'dlx', 'x-message-ttl': 60000, 'x-max-length': 100 });
    const created = await queueAdmin.createQueue({ ...base, name: c!, type: 'classic', arguments: args });
    assert.equal(created.created, true);
    await queueAdmin.createQueue({
      ...base,
      name: q!,
      type: 'quorum',
      arguments: typeArguments({ 'x-delivery-limit': '5' }),
    });
    await queueAdmin.createQueue({
      ...base,
      name: s!,
      type: 'stream',
      arguments: typeArguments({ 'x-max-age': '1D' }),
    });
    const classic = await getQueue(c!);
    assert.equal(classic?.arguments['x-message-ttl'], 60000);
    assert.equal(classic?.arguments['x-dead-letter-exchange'], 'dlx');
    assert.equal(classic?.arguments['x-max-length'], 100);
    assert.equal((await getQueue(q!))?.type, 'quorum');
    assert.equal((await getQueue(s!))?.type, 'stream');

    const rows = await queueAdmin.listQueues({ filter: c });
    assert.deepEqual(
      rows.map((r) => [r.name, r.type, r.durable]),
      [[c, 'classic', true]],
    );
    const byRegex = await queueAdmin.listQueues({ filter: `^(${q}|${s})$`, regex: true });
    assert.deepEqual(
      byRegex.map((r) => [r.name, r.type]).sort(),
      [
        [q, 'quorum'],
        [s, 'stream'],
      ].sort(),
    );
    const everywhere = await queueAdmin.listQueues({ filter: c!, allVhosts: true });
    assert.equal(everywhere[0]?.vhost, '/');
  });

  it('describe, purge (counting messages) and the failure cases', async () => {
    const name = uniqueName('mqctl-purge');
    queues.push(name);
    await queueAdmin.createQueue({ ...base, name, type: 'classic' });
    const channel = await connection.confirmChannel();
    for (let i = 0; i < 5; i++) channel.sendToQueue(name, Buffer.from(`m${i}`));
    await channel.waitForConfirms();
    await channel.close();
    const d = await queueAdmin.describeQueue(name);
    assert.equal(d.name, name);
    assert.equal(d.type, 'classic');
    assert.deepEqual(
      d.bindings.map((b) => [b.source, b.routingKey]),
      [['', name]],
    );
    const purged = await queueAdmin.purgeQueue(name);
    assert.equal(purged.purged, 5);
    assert.equal((await queueAdmin.purgeQueue(name)).purged, 0);

    const stream = uniqueName('mqctl-stream');
    queues.push(stream);
    await queueAdmin.createQueue({ ...base, name: stream, type: 'stream' });
    await rejectsWith(queueAdmin.purgeQueue(stream), 2, /is a stream; streams cannot be purged/);
    const missing = uniqueName('mqctl-none');
    await rejectsWith(
      queueAdmin.describeQueue(missing),
      3,
      new RegExp(
        `queue "${missing}" not found in vhost "/" on RabbitMQ at amqp://guest:\\*\\*\\*\\*@127\\.0\\.0\\.1:5672`,
      ),
    );
    await rejectsWith(queueAdmin.purgeQueue(missing), 3, /not found/);
  });

  it('rejects bad input with exit 2 and declares nothing', async () => {
    const name = uniqueName('mqctl-bad');
    await rejectsWith(queueAdmin.createQueue({ ...base, name: 'amq.mine', type: 'classic' }), 2, /reserved/);
    await rejectsWith(
      queueAdmin.createQueue({ ...base, name: 'x'.repeat(256), type: 'classic' }),
      2,
      /longer than 255 bytes/,
    );
    await rejectsWith(
      queueAdmin.createQueue({ ...base, name, type: 'quorum', durable: false }),
      2,
      /must be durable/,
    );
    await rejectsWith(
      queueAdmin.createQueue({ ...base, name, type: 'bogus' as 'classic' }),
      2,
      /unknown queue type/,
    );
    assert.throws(() => typeArguments({ 'x-message-ttl': '-5' }), /x-message-ttl must be a whole number/);
    assert.throws(() => typeArguments({ 'x-max-length': 'lots' }), /x-max-length must be a whole number/);
    assert.throws(() => typeArguments({ 'x-overflow': 'explode' }), /x-overflow must be one of/);
    // The broker's own check: streams take no x-message-ttl.
    await rejectsWith(
      queueAdmin.createQueue({ ...base, name, type: 'stream', arguments: { 'x-message-ttl': 1000 } }),
      2,
    );
    const dry = await queueAdmin.createQueue({ ...base, name, type: 'quorum', dryRun: true });
    assert.equal(dry.created, false);
    assert.equal(await getQueue(name), undefined);
  });

  it('--if-not-exists accepts an existing queue; without it, exit 2', async () => {
    const name = uniqueName('mqctl-dup');
    queues.push(name);
    await queueAdmin.createQueue({ ...base, name, type: 'classic' });
    assert.equal(
      (await queueAdmin.createQueue({ ...base, name, type: 'quorum', ifNotExists: true })).alreadyExisted,
      true,
    );
    assert.equal((await getQueue(name))?.type, 'classic');
    await rejectsWith(queueAdmin.createQueue({ ...base, name, type: 'classic' }), 2, /already exists/);
  });

  it('deletes queues; a missing name deletes none (exit 3); --if-empty refuses a queue with messages', async () => {
    const a = uniqueName('mqctl-qdel');
    const b = uniqueName('mqctl-qdel');
    queues.push(a, b);
    await queueAdmin.createQueue({ ...base, name: a, type: 'classic' });
    await queueAdmin.createQueue({ ...base, name: b, type: 'quorum' });
    await rejectsWith(queueAdmin.deleteQueues([a, uniqueName('mqctl-none')], {}), 3, /not found/);
    assert.ok(await getQueue(a));
    const ch = await connection.confirmChannel();
    ch.sendToQueue(a, Buffer.from('keep me'));
    await ch.waitForConfirms();
    await ch.close();
    await rejectsWith(queueAdmin.deleteQueues([a], { ifEmpty: true }), 2);
    assert.ok(await getQueue(a), 'a queue with messages survives --if-empty');
    const results = await queueAdmin.deleteQueues([a, b], {});
    assert.equal(results.length, 2);
    assert.equal(await getQueue(a), undefined);
    assert.equal(await getQueue(b), undefined);
  });

  it('exchanges: create, list, delete, and the failure cases', async () => {
    const name = uniqueName('mqctl-ex');
    exchanges.push(name);
    const dry = await exchangeAdmin.createExchange({
      name,
      type: 'topic',
      durable: true,
      autoDelete: false,
      internal: false,
      arguments: {},
      ifNotExists: false,
      dryRun: true,
    });
    assert.equal(dry.created, false);
    assert.equal(await getExchange(name), undefined);
    await exchangeAdmin.createExchange({
      name,
      type: 'topic',
      durable: true,
      autoDelete: false,
      internal: false,
      arguments: {},
      ifNotExists: false,
      dryRun: false,
    });
    assert.equal((await getExchange(name))?.type, 'topic');
    const rows = await exchangeAdmin.listExchanges({ filter: name });
    assert.deepEqual(
      rows.map((e) => [e.name, e.type, e.durable]),
      [[name, 'topic', true]],
    );
    assert.ok((await exchangeAdmin.listExchanges({})).some((e) => e.name === 'amq.direct'));
    await rejectsWith(
      exchangeAdmin.createExchange({
        name,
        type: 'topic',
        durable: true,
        autoDelete: false,
        internal: false,
        arguments: {},
        ifNotExists: false,
        dryRun: false,
      }),
      2,
      /already exists/,
    );
    await rejectsWith(
      exchangeAdmin.createExchange({
        name: uniqueName('mqctl-ex'),
        type: 'no-such-type',
        durable: true,
        autoDelete: false,
        internal: false,
        arguments: {},
        ifNotExists: false,
        dryRun: false,
      }),
      2,
    );
    await rejectsWith(
      exchangeAdmin.deleteExchanges(['amq.topic'], {}),
      2,
      /reserved exchange name \(amq\.\*\)/,
    );
    await rejectsWith(
      exchangeAdmin.deleteExchanges([uniqueName('mqctl-none')], {}),
      3,
      /exchange .* not found/,
    );
    await exchangeAdmin.deleteExchanges([name], {});
    assert.equal(await getExchange(name), undefined);
  });

  it('bindings: create (idempotent), list by source/destination, delete; missing ends are exit 3', async () => {
    const ex = uniqueName('mqctl-bex');
    const q = uniqueName('mqctl-bq');
    exchanges.push(ex);
    queues.push(q);
    await exchangeAdmin.createExchange({
      name: ex,
      type: 'topic',
      durable: true,
      autoDelete: false,
      internal: false,
      arguments: {},
      ifNotExists: false,
      dryRun: false,
    });
    await queueAdmin.createQueue({ ...base, name: q, type: 'classic' });
    const spec = {
      source: ex,
      destination: q,
      destinationType: 'queue' as const,
      routingKey: 'orders.#',
      arguments: {},
    };
    const created = await bindingAdmin.createBinding({ ...spec, dryRun: false });
    assert.equal(created.created, true);
    assert.equal((await bindingAdmin.createBinding({ ...spec, dryRun: false })).alreadyExisted, true);
    const bySource = await bindingAdmin.listBindings({ source: ex });
    assert.deepEqual(
      bySource.map((b) => [b.source, b.destination, b.destinationType, b.routingKey]),
      [[ex, q, 'queue', 'orders.#']],
    );
    const byDest = await bindingAdmin.listBindings({ destination: q });
    assert.deepEqual(byDest.map((b) => b.source).sort(), ['', ex]);
    // Routing works through the binding.
    const ch = await connection.confirmChannel();
    ch.publish(ex, 'orders.eu', Buffer.from('routed'));
    await ch.waitForConfirms();
    await ch.close();
    assert.equal((await queueAdmin.purgeQueue(q)).purged, 1);

    await rejectsWith(
      bindingAdmin.createBinding({ ...spec, source: uniqueName('mqctl-none'), dryRun: false }),
      3,
      /exchange .* not found/,
    );
    await rejectsWith(
      bindingAdmin.createBinding({ ...spec, destination: uniqueName('mqctl-none'), dryRun: false }),
      3,
      /queue .* not found/,
    );
    await rejectsWith(
      bindingAdmin.createBinding({ ...spec, source: '', dryRun: false }),
      2,
      /default exchange/,
    );
    await rejectsWith(bindingAdmin.deleteBinding({ ...spec, routingKey: 'other' }), 3, /no binding/);
    await bindingAdmin.deleteBinding(spec);
    assert.deepEqual(await bindingAdmin.listBindings({ source: ex }), []);
  });

  it('the management API going away in the middle of a multi-queue delete: exit 69 saying what was deleted', async () => {
    const names = [uniqueName('mqctl-cut'), uniqueName('mqctl-cut'), uniqueName('mqctl-cut')];
    queues.push(...names);
    for (const name of names) await queueAdmin.createQueue({ ...base, name, type: 'classic' });
    // A proxy in front of the management API that dies (drops the connection, stops listening) on the
    // second DELETE, as a broker would that goes down mid-command.
    let deletes = 0;
    const upstream = new URL(LOCAL.rabbitmq.managementUrl);
    const proxy = createServer((req, res) => {
      if (req.method === 'DELETE' && ++deletes === 2) {
        proxy.close();
        proxy.closeAllConnections();
        return;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    const cut = rabbitConnection('/', `http://127.0.0.1:${port}`, 3000);
    try {
      await rejectsWith(
        new RabbitQueueAdmin(cut).deleteQueues(names, {}),
        69,
        new RegExp(`deleted before the failure: ${names[0]}; not deleted: ${names[1]} and any after it`),
      );
    } finally {
      proxy.close();
      await cut.close();
    }
    assert.equal(await getQueue(names[0]!), undefined, 'the first queue was deleted');
    assert.ok(await getQueue(names[1]!), 'the second queue is still there, as the error says');
    assert.ok(await getQueue(names[2]!), 'the third queue is still there, as the error says');
  });

  it('vhost-aware: a missing vhost is exit 3; an unreachable API is exit 69; topic/namespace name the right commands', async () => {
    const otherConnection = rabbitConnection('no-such-vhost-xyz');
    const other = new RabbitQueueAdmin(otherConnection);
    await rejectsWith(other.listQueues({}), 3, /vhost "no-such-vhost-xyz" not found/);
    await rejectsWith(new RabbitExchangeAdmin(otherConnection).listExchanges({}), 3, /vhost/);
    await otherConnection.close();
    const dead = rabbitConnection('/', `http://127.0.0.1:${CLOSED_PORT}`, 1500);
    await rejectsWith(new RabbitQueueAdmin(dead).listQueues({}), 69, /cannot reach RabbitMQ management API/);
    await dead.close();
    assert.throws(() => topicAdminFor(connection), /RabbitMQ .* has no topics/);
    assert.throws(
      () => namespaceAdminFor(connection, 'namespace'),
      (e: Error & { hint?: string; exitCode?: number }) =>
        e.exitCode === 2 && /only on Pulsar/.test(e.message) && /--vhost/.test(e.hint ?? ''),
    );
  });
});
