import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { PulsarWebSocketClient } from '../../src/brokers/pulsar/websocket';
import { LOCAL, requirePulsar, uniqueName } from '../helpers/brokers';
import { BIN, isolatedConfigEnv, runCli } from '../helpers/cli';
import { runAndKill } from '../helpers/dlq-fixtures';

const TOTAL = 20_000;
/** Kills per run: 5 in the suite; the acceptance trials (≥20) by hand with MQCTL_CRASH_KILLS=20. */
const KILLS = Number(process.env.MQCTL_CRASH_KILLS ?? 5);
/**
 * Sends in flight at once (MAX_IN_FLIGHT in src/brokers/pulsar/dlq.ts): a kill can duplicate at most these (sent,
 * receipt maybe back, DLQ ack not yet at the broker).
 */
const WINDOW = 100;
const ADMIN = LOCAL.pulsar.adminUrl;
const BASE = `${ADMIN}/admin/v2/persistent/public/default`;

/** Reads `count` messages (what the broker says is there), not "until 3 s of silence". */
async function readAll(
  topic: string,
  subscription: string,
  ack: boolean,
  count: number,
): Promise<Array<{ i: number; props: Record<string, string> }>> {
  const ws = new PulsarWebSocketClient({ adminUrl: ADMIN, timeoutMs: 10_000 });
  const c = await ws.consumer(topic, subscription, { subscriptionType: 'Shared', receiverQueueSize: 25_000 });
  const out: Array<{ i: number; props: Record<string, string> }> = [];
  while (out.length < count) {
    const m = await c.receive(30_000);
    assert.ok(m, `${topic}: read ${out.length} of ${count}`);
    if (ack) c.ack(m.messageId);
    out.push({ i: JSON.parse(m.payload.toString()).i as number, props: m.properties });
  }
  await c.close();
  return out;
}

describe('dlq replay on Pulsar survives SIGKILL at random points (nothing lost)', () => {
  const origin = uniqueName('pcrash');
  const originFull = `persistent://public/default/${origin}`;
  const dlq = `${origin}-billing-DLQ`;
  const env = isolatedConfigEnv();

  before(async () => {
    await requirePulsar();
    for (const [t, sub] of [
      [origin, 'verify'],
      [dlq, 'audit'],
    ] as const) {
      await (await request(`${BASE}/${t}`, { method: 'PUT' })).body.text();
      await (
        await request(`${BASE}/${t}/subscription/${sub}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ledgerId: -1, entryId: -1, partitionIndex: -1 }),
        })
      ).body.text();
    }
    // The exact properties Pulsar's dead-letter policy writes.
    const ws = new PulsarWebSocketClient({ adminUrl: ADMIN, timeoutMs: 10_000 });
    const producer = await ws.producer(dlq);
    const pending: Array<Promise<string>> = [];
    for (let i = 0; i < TOTAL; i++) {
      pending.push(
        producer.send({
          payload: Buffer.from(JSON.stringify({ i })),
          key: `k${i}`,
          properties: {
            REAL_TOPIC: originFull,
            REAL_SUBSCRIPTION: 'billing',
            ORIGIN_MESSAGE_ID: `7:${i}:-1`,
            ORIGIN_MESSAGE_IDY_TIME: `7:${i}:-1`,
            kind: i % 10 === 0 ? 'keep' : 'go',
          },
        }),
      );
      if (pending.length >= 500) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await producer.close();
  });

  after(async () => {
    for (const t of [dlq, origin])
      await request(`${BASE}/${t}?force=true`, { method: 'DELETE' }).then(
        (r) => r.body.text(),
        () => undefined,
      );
  });

  it(
    '5+ kills and re-runs: every selected message reaches its origin, the rest stay',
    { timeout: 180_000 + KILLS * 30_000 },
    async () => {
      const args = ['dlq', 'replay', dlq, '--kind', 'pulsar', '--where', 'header.kind == go'];
      const killedArgs = [...args, '--rate', '1500'];
      const progress: number[] = [];
      const perKill: number[] = [];
      /**
       * Copies stored in the origin plus the DLQ backlog, once the killed run's consumer is gone (its unacked
       * messages are back in the backlog): each duplicate adds one (a copy stored, its DLQ message not acked).
       */
      const settledTotal = async (): Promise<number> => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const dlqStats = (await (await request(`${BASE}/${dlq}/stats`)).body.json()) as {
            subscriptions: Record<string, { msgBacklog: number; consumers: unknown[] }>;
          };
          const audit = dlqStats.subscriptions.audit!;
          if (audit.consumers.length === 0) {
            const originStats = (await (await request(`${BASE}/${origin}/stats`)).body.json()) as {
              msgInCounter: number;
            };
            return originStats.msgInCounter + audit.msgBacklog;
          }
          assert.ok(Date.now() < deadline, 'the killed run still consumes the DLQ after 30 s');
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const originCount = async (): Promise<number> =>
        ((await (await request(`${BASE}/${origin}/stats`)).body.json()) as { msgInCounter: number })
          .msgInCounter;
      let previousTotal = TOTAL;
      let kills = 0;
      const delays: number[] = [];
      for (let attempt = 0; attempt < 3 * KILLS && kills < KILLS; attempt++) {
        // A random point after this run's first copy reached the origin: mid-replay, never during start-up
        // (fixed delays from spawn, 1.5-4.5 s, killed runs before their first copy at load 17: copies after
        // each kill 432,432,432,432,432).
        const delay = 200 + Math.floor(Math.random() * 2000);
        const originBefore = await originCount();
        const result = await runAndKill(
          BIN,
          killedArgs,
          env,
          delay,
          async () => (await originCount()) > originBefore,
        );
        if (result.killed) {
          kills++;
          delays.push(delay);
          const total = await settledTotal();
          perKill.push(total - previousTotal);
          previousTotal = total;
          const stats = (await (await request(`${BASE}/${origin}/stats`)).body.json()) as {
            msgInCounter: number;
          };
          progress.push(stats.msgInCounter);
        } else assert.equal(result.code, 0, 'a run that was not killed must succeed');
      }
      assert.ok(kills >= KILLS, `only ${kills} kills landed`);
      // The kills landed mid-replay: the target grew between kills and was not complete yet.
      assert.ok(
        progress.filter((p, i) => p > (i === 0 ? 0 : progress[i - 1]!) && p < TOTAL - TOTAL / 10).length >= 3,
        `kills did not land mid-replay: copies after each ${progress.join(',')}`,
      );
      const final = await runCli([...args, '--output', 'json'], { env, timeoutMs: 180_000 });
      assert.equal(final.code, 0, final.stderr);
      const stored = (
        (await (await request(`${BASE}/${origin}/stats`)).body.json()) as { msgInCounter: number }
      ).msgInCounter;
      const copies = await readAll(origin, 'verify', true, stored);
      const distinct = new Set(copies.map((c) => c.i));
      const expected = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 10 !== 0);
      for (const i of expected) assert.ok(distinct.has(i), `message ${i} lost`);
      assert.equal(distinct.size, expected.length);
      // Duplicates are identifiable: same mqctl-replayed-from (the DLQ message id).
      const fromById = new Map<number, Set<string>>();
      for (const c of copies) {
        const s = fromById.get(c.i) ?? new Set<string>();
        // A copy without the mark could not be recognised as a duplicate: that fails, not passes.
        assert.ok(c.props['mqctl-replayed-from'], `copy of ${c.i} has no mqctl-replayed-from`);
        s.add(c.props['mqctl-replayed-from']);
        fromById.set(c.i, s);
      }
      for (const [i, s] of fromById) assert.equal(s.size, 1, `copies of ${i} name different sources`);
      const duplicates = copies.length - distinct.size;
      assert.equal(
        perKill.reduce((a, b) => a + b, 0),
        duplicates,
        `duplicates per kill ${perKill.join(',')}`,
      );
      for (const [k, n] of perKill.entries())
        assert.ok(
          n <= WINDOW,
          `kill ${k + 1} duplicated ${n} messages, more than the ${WINDOW} sends in flight`,
        );
      const stats = (await (await request(`${BASE}/${dlq}/stats`)).body.json()) as {
        subscriptions: Record<string, { msgBacklog: number }>;
      };
      assert.equal(stats.subscriptions.audit?.msgBacklog, TOTAL / 10, 'DLQ backlog after the replay');
      // Read (and ack) what is left: the WebSocket proxy delivers at most ~1000 unacknowledged messages.
      const left = await readAll(dlq, 'audit', true, stats.subscriptions.audit!.msgBacklog);
      assert.equal(left.length, TOTAL / 10, 'the unselected messages are all still in the DLQ backlog');
      assert.ok(left.every((m) => m.props.kind === 'keep'));
      process.stderr.write(
        `pulsar crash test: ${kills} SIGKILLs at ${delays.join(', ')} ms (copies after each: ${progress.join(', ')}); ${distinct.size} distinct copies, ${duplicates} duplicates, ${(duplicates / kills).toFixed(1)} per kill (each kill: ${perKill.join(', ')}; most ${Math.max(...perKill)})\n`,
      );
    },
  );
});
