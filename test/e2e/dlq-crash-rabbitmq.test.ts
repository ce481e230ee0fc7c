import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as amqp from 'amqplib';
import { LOCAL, requireRabbit, uniqueName } from '../helpers/brokers';
import { BIN, isolatedConfigEnv, runCli } from '../helpers/cli';
import { rabbitCleanup, rabbitDrain, runAndKill } from '../helpers/dlq-fixtures';

const TOTAL = 20_000;
/** Kills per run: 5 in the suite; the acceptance trials (≥20) by hand with MQCTL_CRASH_KILLS=20. */
const KILLS = Number(process.env.MQCTL_CRASH_KILLS ?? 5);

describe('dlq replay on RabbitMQ survives SIGKILL at random points (nothing lost, nothing duplicated)', () => {
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
    '5+ kills and re-runs: every selected message reaches the target once, the rest stay in the DLQ',
    { timeout: 120_000 + KILLS * 30_000 },
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
      // --rate 500 keeps 20 killed runs from finishing the 18,000 (a run copies ~1,000 before its kill lands);
      // the property does not depend on the speed.
      const killedArgs = [...args, '--rate', '500'];
      const progress: number[] = [];
      const perKill: number[] = [];
      const targetDepth = async (): Promise<number> => {
        const conn = await amqp.connect(LOCAL.rabbitmq.url);
        try {
          const ch = await conn.createChannel();
          return (await ch.checkQueue(names.target)).messageCount;
        } finally {
          await conn.close();
        }
      };
      /**
       * Copies in the target plus messages back in the DLQ, once the killed run's connection is gone (no consumer
       * on the DLQ: the broker requeued every unacked delivery). Each duplicate adds one: its copy is in the target
       * and its original is back in the DLQ.
       */
      const settledTotal = async (): Promise<number> => {
        const conn = await amqp.connect(LOCAL.rabbitmq.url);
        try {
          const ch = await conn.createChannel();
          const deadline = Date.now() + 30_000;
          for (;;) {
            const dlqState = await ch.checkQueue(names.dlq);
            if (dlqState.consumerCount === 0)
              return dlqState.messageCount + (await ch.checkQueue(names.target)).messageCount;
            assert.ok(Date.now() < deadline, 'the killed run still consumes the DLQ after 30 s');
            await new Promise((r) => setTimeout(r, 100));
          }
        } finally {
          await conn.close();
        }
      };
      let previousTotal = TOTAL;
      let kills = 0;
      const delays: number[] = [];
      for (let attempt = 0; attempt < 3 * KILLS && kills < KILLS; attempt++) {
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
          const total = await settledTotal();
          perKill.push(total - previousTotal);
          previousTotal = total;
          progress.push(await targetDepth());
        } else assert.equal(result.code, 0, 'a run that was not killed must succeed');
      }
      assert.ok(kills >= KILLS, `only ${kills} kills landed`);
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
        // A copy without a message-id could not be recognised as a duplicate: that fails, not passes.
        assert.ok(c.messageId, `copy of ${i} has no message-id`);
        ids.add(c.messageId);
        byI.set(i, ids);
      }
      const expected = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 10 !== 0);
      assert.equal(byI.size, expected.length, 'every selected message arrived (no loss)');
      for (const i of expected) assert.ok(byI.has(i), `message ${i} lost`);
      // Every copy of one message carries one message-id (consumers can recognise a copy made twice).
      for (const [i, ids] of byI) assert.equal(ids.size, 1, `copies of ${i} have different message-ids`);
      const duplicates = copies.length - byI.size;
      // The per-kill counts add up to what the target holds twice (the final run duplicates nothing).
      assert.equal(
        perKill.reduce((a, b) => a + b, 0),
        duplicates,
        `duplicates per kill ${perKill.join(',')}`,
      );
      // Copies and DLQ acks commit in one AMQP transaction: a kill leaves both or neither.
      assert.deepEqual(
        perKill.filter((n) => n !== 0),
        [],
        `duplicates per kill: ${perKill.join(',')}`,
      );
      const left = await rabbitDrain(LOCAL.rabbitmq.url, names.dlq);
      assert.equal(left.length, TOTAL / 10, 'the unselected messages are all still in the DLQ');
      assert.ok(left.every((m) => m.headers.kind === 'keep'));
      process.stderr.write(
        `rabbitmq crash test: ${kills} SIGKILLs at ${delays.join(', ')} ms (target depth after each: ${progress.join(', ')}); ${byI.size} distinct copies, ${duplicates} duplicates (same message-id), ${(duplicates / kills).toFixed(1)} per kill (each kill: ${perKill.join(', ')}; most ${Math.max(...perKill)})\n`,
      );
    },
  );
});
