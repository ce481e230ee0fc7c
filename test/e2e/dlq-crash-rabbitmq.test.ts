import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as amqp from 'amqplib';
import { LOCAL, requireRabbit, uniqueName } from '../helpers/brokers';
import { BIN, isolatedConfigEnv, runCli } from '../helpers/cli';
import { rabbitCleanup, rabbitDrain, runAndKill } from '../helpers/dlq-fixtures';

const TOTAL = 20_000;

describe('dlq replay on RabbitMQ survives SIGKILL at random points (nothing lost, duplicates identifiable)', () => {
  const base = uniqueName('rcrash');
  const names = { source: `${base}.src`, dlx: `${base}.dlx`, dlq: `${base}.dlq`, target: `${base}.target` };
  const env = isolatedConfigEnv();

  before(async () => {
    await requireRabbit();
    const conn = await amqp.connect(LOCAL.rabbitmq.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(names.dlx, 'fanout', { durable: true });
    await ch.assertQueue(names.dlq, { durable: true });
    await ch.bindQueue(names.dlq, names.dlx, '');
    await ch.assertQueue(names.target, { durable: true });
    // TTL 0 and no consumer: the broker dead-letters every message at once (reason "expired").
    await ch.assertQueue(names.source, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': names.dlx, 'x-message-ttl': 0 },
    });
    for (let i = 0; i < TOTAL; i++) {
      ch.sendToQueue(names.source, Buffer.from(JSON.stringify({ i })), {
        persistent: true,
        headers: { kind: i % 10 === 0 ? 'keep' : 'go' },
      });
      if (i % 1000 === 999) await ch.waitForConfirms();
    }
    await ch.waitForConfirms();
    const deadline = Date.now() + 60_000;
    while ((await ch.checkQueue(names.dlq)).messageCount < TOTAL && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await conn.close();
  });

  after(async () => {
    await rabbitCleanup(LOCAL.rabbitmq.url, [names.source, names.dlq, names.target], [names.dlx]);
  });

  it(
    '5+ kills and re-runs: every selected message reaches the target, the rest stay in the DLQ',
    { timeout: 240_000 },
    async () => {
      const args = [
        'dlq',
        'replay',
        names.dlq,
        '--kind',
        'rabbitmq',
        '--where',
        'header.kind == go',
        '--to',
        names.target,
      ];
      const killedArgs = [...args, '--rate', '1500'];
      const progress: number[] = [];
      const targetDepth = async (): Promise<number> => {
        const conn = await amqp.connect(LOCAL.rabbitmq.url);
        try {
          const ch = await conn.createChannel();
          return (await ch.checkQueue(names.target)).messageCount;
        } finally {
          await conn.close();
        }
      };
      let kills = 0;
      const delays: number[] = [];
      for (let attempt = 0; attempt < 15 && kills < 5; attempt++) {
        // a random point after this run's first new copies: mid-replay, never during process start-up
        const delay = 200 + Math.floor(Math.random() * 1500);
        const before = progress.length > 0 ? progress[progress.length - 1]! : 0;
        const result = await runAndKill(
          BIN,
          killedArgs,
          env,
          delay,
          async () => (await targetDepth()) > before,
        );
        if (result.killed) {
          kills++;
          delays.push(delay);
          const conn = await amqp.connect(LOCAL.rabbitmq.url);
          const ch = await conn.createChannel();
          progress.push((await ch.checkQueue(names.target)).messageCount);
          await conn.close();
        } else assert.equal(result.code, 0, 'a run that was not killed must succeed');
      }
      assert.ok(kills >= 5, `only ${kills} kills landed`);
      // The kills landed mid-replay: the target grew between kills and was not complete yet.
      assert.ok(
        progress.filter((p, i) => p > (i === 0 ? 0 : progress[i - 1]!) && p < TOTAL - TOTAL / 10).length >= 3,
        `kills did not land mid-replay: target depth after each ${progress.join(',')}`,
      );
      const final = await runCli([...args, '--output', 'json'], { env, timeoutMs: 120_000 });
      assert.equal(final.code, 0, final.stderr);
      const copies = await rabbitDrain(LOCAL.rabbitmq.url, names.target);
      const byI = new Map<number, Set<string>>();
      for (const c of copies) {
        const i = JSON.parse(c.body).i as number;
        const ids = byI.get(i) ?? new Set<string>();
        ids.add(c.messageId ?? '');
        byI.set(i, ids);
      }
      const expected = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 10 !== 0);
      assert.equal(byI.size, expected.length, 'every selected message arrived (no loss)');
      for (const i of expected) assert.ok(byI.has(i), `message ${i} lost`);
      // A duplicate (a copy confirmed but not yet acked at the kill) carries the same message-id.
      for (const [i, ids] of byI) assert.equal(ids.size, 1, `copies of ${i} have different message-ids`);
      const duplicates = copies.length - byI.size;
      assert.ok(duplicates <= kills * 256, `${duplicates} duplicates exceed the in-flight bound`);
      const left = await rabbitDrain(LOCAL.rabbitmq.url, names.dlq);
      assert.equal(left.length, TOTAL / 10, 'the unselected messages are all still in the DLQ');
      assert.ok(left.every((m) => m.headers.kind === 'keep'));
      process.stderr.write(
        `rabbitmq crash test: ${kills} SIGKILLs at ${delays.join(', ')} ms (target depth after each: ${progress.join(', ')}); ${byI.size} distinct copies, ${duplicates} duplicates (same message-id)\n`,
      );
    },
  );
});
