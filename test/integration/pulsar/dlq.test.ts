import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { dlqFor } from '../../../src/brokers/dlq';
import { PulsarConnection } from '../../../src/brokers/pulsar/connection';
import { buildFilter } from '../../../src/dlq/filter';
import { peekDlq, statsDlq } from '../../../src/dlq/inspect';
import { UNPACED } from '../../../src/dlq/rate';
import type { ReplayOptions } from '../../../src/dlq/replay';
import { LOCAL, requirePulsar, uniqueName } from '../../helpers/brokers';
import { pulsarDeadLetters, pulsarReadAll } from '../../helpers/dlq-fixtures';

function connection(): PulsarConnection {
  return new PulsarConnection(
    {
      name: '(test)',
      kind: 'pulsar',
      serviceUrl: LOCAL.pulsar.serviceUrl,
      adminUrl: LOCAL.pulsar.adminUrl,
      dataPath: 'websocket',
    } as never,
    { timeoutMs: 10_000 },
  );
}

function options(extra: Partial<ReplayOptions> & { where?: string[] } = {}): ReplayOptions {
  return {
    filter: buildFilter({ where: extra.where }),
    maxReplays: 3,
    pacer: UNPACED,
    dryRun: false,
    jobId: uniqueName('job'),
    ...extra,
  };
}

describe("dlq on Pulsar (real dead letters from the client's dead-letter policy)", () => {
  const topic = uniqueName('pdlq-orders');
  const full = `persistent://public/default/${topic}`;
  let dlq = '';
  const conn = connection();

  before(async () => {
    await requirePulsar();
    dlq = await pulsarDeadLetters(LOCAL.pulsar.adminUrl, topic, 'billing', 'audit', [
      ...Array.from({ length: 6 }, (_, i) => ({
        payload: JSON.stringify({ id: i, amount: i * 10 }),
        key: `order-${i}`,
        properties: { tenant: i < 3 ? 'acme' : 'globex' },
      })),
      { payload: '{"id":6}', key: 'order-6', properties: { tenant: 'acme', 'mqctl-replay-count': '3' } },
    ]);
  });

  after(async () => {
    await conn.close();
    for (const t of [dlq, topic])
      await request(`${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default/${t}?force=true`, {
        method: 'DELETE',
      }).then(
        (r) => r.body.text(),
        () => undefined,
      );
  });

  it('list finds <topic>-<subscription>-DLQ with its depth and source topic', async () => {
    const rows = await dlqFor(conn).list({ sample: 20 });
    const row = rows.find((r) => r.name === `persistent://public/default/${dlq}`);
    assert.ok(row, `${dlq} not listed`);
    assert.equal(row.depth, 7);
    assert.deepEqual(row.sources, [full]);
    assert.ok(row.newestAgeMs !== undefined && row.newestAgeMs < 120_000);
  });

  it('peek decodes REAL_TOPIC / ORIGIN_MESSAGE_ID and acks nothing', async () => {
    const access = dlqFor(conn);
    const result = await peekDlq(access, dlq, { limit: 100, scan: 100, filter: buildFilter({}) });
    assert.equal(result.messages.length, 7);
    for (const m of result.messages) {
      assert.equal(m.origin.convention, 'pulsar');
      assert.equal(m.origin.topic, full);
      assert.match(m.origin.messageId ?? '', /^\d+:\d+:-?\d+/);
    }
    assert.deepEqual(
      result.messages.map((m) => m.key?.toString()).sort(),
      Array.from({ length: 7 }, (_, i) => `order-${i}`),
    );
    assert.equal(await access.depth(dlq), 7);
  });

  it('filters select the expected subset; stats count by source', async () => {
    const keys = async (where: string[]) =>
      (await peekDlq(dlqFor(conn), dlq, { limit: 100, scan: 100, filter: buildFilter({ where }) })).messages
        .map((m) => m.key?.toString())
        .sort();
    assert.deepEqual(await keys(['header.tenant == globex']), ['order-3', 'order-4', 'order-5']);
    assert.deepEqual(await keys(['payload.amount >= 20 and header.tenant == acme']), ['order-2']);
    const stats = await statsDlq(dlqFor(conn), dlq, { scan: 100, filter: buildFilter({}) });
    assert.deepEqual(
      stats.bySource.map((g) => [g.value, g.count]),
      [[full, 7]],
    );
  });

  it('replay sends the selected messages to their origin with their keys; the rest stay', async () => {
    const access = dlqFor(conn);
    const dry = await access.replay(dlq, options({ where: ['header.tenant == acme'], dryRun: true }));
    assert.equal(dry.replayed, 3);
    assert.equal(dry.skippedByLoopGuard, 1);
    assert.equal(await access.depth(dlq), 7);
    const summary = await access.replay(dlq, options({ where: ['header.tenant == acme'] }));
    assert.equal(summary.replayed, 3);
    assert.equal(summary.skippedByFilter, 3);
    assert.equal(summary.skippedByLoopGuard, 1);
    assert.deepEqual(summary.targets, { [full]: 3 });
    const copies = (await pulsarReadAll(LOCAL.pulsar.adminUrl, topic)).filter(
      (m) => m.properties['mqctl-replayed-from'],
    );
    assert.deepEqual(copies.map((c) => c.key).sort(), ['order-0', 'order-1', 'order-2']);
    for (const c of copies) {
      assert.equal(c.properties['mqctl-replay-count'], '1');
      assert.equal(c.properties.REAL_TOPIC, full);
      assert.equal(JSON.parse(c.payload).id, Number(c.key!.split('-')[1]));
    }
    await new Promise((r) => setTimeout(r, 500));
    const left = await peekDlq(access, dlq, { limit: 100, scan: 100, filter: buildFilter({}) });
    assert.deepEqual(left.messages.map((m) => m.key?.toString()).sort(), [
      'order-3',
      'order-4',
      'order-5',
      'order-6',
    ]);
  });

  it('purge --where acks only the selected messages', async () => {
    const access = dlqFor(conn);
    const result = await access.purge(dlq, { filter: buildFilter({ where: ['key == order-4'] }) });
    assert.equal(result.purged, 1);
    assert.equal(result.kept, 3);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await access.depth(dlq), 3);
    await access.purge(dlq, {});
    assert.equal(await access.depth(dlq), 0);
  });
});
