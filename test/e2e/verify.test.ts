import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedConfigEnv, parseJson, runCli, type CliResult } from '../helpers/cli';
import { requireKafka, requirePulsar, requireRabbit, uniqueName } from '../helpers/brokers';
import type { VerifyResult } from '../../src/verify/run';
import { tempDir } from '../helpers/tmp';
import { deleteKafkaGroups } from '../helpers/leftovers';

/**
 * `mqctl verify` on the single-node local brokers, spawned exactly as a user runs it. Short runs at a low
 * rate (300 msg/s for 8-10 s): they check the accounting and the exit codes, not performance.
 */
const env = isolatedConfigEnv();
const dir = tempDir('mqctl-verify-');
const GATES = ['--gate', 'lost==0', '--gate', 'duplicated==0', '--gate', 'reordered==0'];

const run = (args: string[]) => runCli(args, { env, timeoutMs: 90_000 });

function expectExit(r: CliResult, code: number): void {
  assert.equal(r.code, code, `exit ${r.code}, wanted ${code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

function expectClean(r: VerifyResult, planned: number): void {
  assert.equal(r.sent, planned);
  assert.equal(r.acknowledged, planned);
  assert.equal(r.received, planned);
  assert.equal(r.lost, 0);
  assert.equal(r.unconfirmed, 0);
  assert.equal(r.refused, 0);
  assert.equal(r.duplicated, 0);
  assert.equal(r.reordered, 0);
  assert.equal(r.foreign, 0);
}

describe('mqctl verify on single-node brokers', { timeout: 300_000 }, () => {
  const kafkaTopic = uniqueName('verify-k');
  const pulsarTopic = uniqueName('verify-p');
  const queues: string[] = [];
  const pulsarTopics: string[] = [];

  before(async () => {
    await Promise.all([requireKafka(), requirePulsar(), requireRabbit()]);
  });

  after(async () => {
    // verify's consumer groups (mqctl-verify-<run id>) first: Kafka keeps them after their topic goes.
    await deleteKafkaGroups([kafkaTopic]);
    await run(['topic', 'delete', kafkaTopic, '--kind', 'kafka', '--yes']);
    await run(['topic', 'delete', pulsarTopic, '--kind', 'pulsar', '--yes']);
    for (const q of queues) await run(['queue', 'delete', q, '--kind', 'rabbitmq', '--yes']);
    for (const t of pulsarTopics) await run(['topic', 'delete', t, '--kind', 'pulsar', '--yes', '--force']);
  });

  it('Kafka, acks=all + idempotence: 2,400 records sent, acknowledged, received once, in order; exit 0 with gates', async () => {
    expectExit(await run(['topic', 'create', kafkaTopic, '--kind', 'kafka', '-p', '1', '-R', '1']), 0);
    const r = await run([
      'verify',
      '--kind',
      'kafka',
      '--topic',
      kafkaTopic,
      '--rate',
      '300',
      '--duration',
      '8s',
      '--producer-props',
      'acks=all',
      'enable.idempotence=true',
      ...GATES,
      '--output',
      'json',
    ]);
    expectExit(r, 0);
    // a write: its target is the first line on stderr, before the topic check, producers and consumer group
    assert.equal(r.stderr.split('\n')[0], 'target: connection flags: Kafka 127.0.0.1:9092', r.stderr);
    assert.equal(r.stderr.match(/^target: /gm)?.length, 1, `one target line:\n${r.stderr}`);
    const result = parseJson<VerifyResult>(r);
    expectClean(result, 2400);
    assert.deepEqual((result.settings.kafka as { acks: string; idempotent: boolean }).acks, 'all');
    assert.equal((result.settings.kafka as { idempotent: boolean }).idempotent, true);
  });

  it('RabbitMQ, confirms + persistent + manual ack: 2,400 records, 0 lost / 0 duplicated / 0 reordered, exit 0', async () => {
    const q = uniqueName('verify-r');
    queues.push(q);
    const r = await run([
      'verify',
      '--kind',
      'rabbitmq',
      '--topic',
      q,
      '--create-topic',
      '--persistent',
      '--rate',
      '300',
      '--duration',
      '8s',
      ...GATES,
      '--output',
      'json',
    ]);
    expectExit(r, 0);
    expectClean(parseJson<VerifyResult>(r), 2400);
  });

  it('Pulsar, batching on: 2,400 records, 0 lost / 0 duplicated / 0 reordered, exit 0', async () => {
    expectExit(await run(['topic', 'create', pulsarTopic, '--kind', 'pulsar']), 0);
    const r = await run([
      'verify',
      '--kind',
      'pulsar',
      '--topic',
      pulsarTopic,
      '--rate',
      '300',
      '--duration',
      '8s',
      ...GATES,
      '--output',
      'json',
    ]);
    expectExit(r, 0);
    expectClean(parseJson<VerifyResult>(r), 2400);
  });

  it('RabbitMQ auto-ack consumer killed mid-run loses what it was sent while it hung: lost > 0 with examples, exit 99 under lost==0, JUnit and Markdown say so', async () => {
    const q = uniqueName('verify-ra');
    queues.push(q);
    const resultFile = join(dir, 'auto-ack.json');
    const junit = join(dir, 'auto-ack.xml');
    const md = join(dir, 'auto-ack.md');
    const r = await run([
      'verify',
      '--kind',
      'rabbitmq',
      '--topic',
      q,
      '--create-topic',
      '--rate',
      '300',
      '--duration',
      '10s',
      '--auto-ack',
      '--consumer-restarts',
      '1',
      '--consumer-hang',
      '1s',
      '--drain-timeout',
      '4s',
      '--gate',
      'lost==0',
      '--result',
      resultFile,
      '--junit',
      junit,
      '--summary-md',
      md,
    ]);
    expectExit(r, 99);
    assert.match(r.stderr, /gates: 0 passed, 1 failed: lost = \d+, wanted == 0/);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as VerifyResult;
    assert.equal(result.sent, 3000);
    assert.equal(result.acknowledged, 3000);
    // the kill comes at 5 s (record ~1,500) and the consumer hangs 1 s: ~300 records at 300 msg/s
    assert.ok(result.lost >= 100 && result.lost <= 600, `lost ${result.lost}`);
    assert.equal(result.lost + result.received, 3000);
    assert.ok(result.examples.lost.length === 5);
    for (const e of result.examples.lost) {
      assert.equal(e.producer, 0);
      assert.ok(e.seq >= 1200 && e.seq <= 2100, `lost seq ${e.seq} outside the hang window`);
    }
    assert.match(r.stdout, /^example lost: producer 0 seq \d+ \(acknowledged, never received\)$/m);
    assert.deepEqual(
      result.timeline.map((e) => e.event),
      ['producers started', 'consumer killed', 'consumer started', 'producers finished', 'drained'],
    );
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /tests="1" failures="1"/);
    assert.match(xml, /<failure message="lost = \d+, wanted == 0"/);
    assert.match(readFileSync(md, 'utf8'), /### mqctl verify: :x: 1 of 1 gates failed/);
  });

  it('RabbitMQ manual-ack consumer killed the same way loses nothing (unacknowledged messages are redelivered): lost 0, exit 0', async () => {
    const q = uniqueName('verify-rm');
    queues.push(q);
    const r = await run([
      'verify',
      '--kind',
      'rabbitmq',
      '--topic',
      q,
      '--create-topic',
      '--rate',
      '300',
      '--duration',
      '10s',
      '--consumer-restarts',
      '1',
      '--consumer-hang',
      '1s',
      '--gate',
      'lost==0',
      '--output',
      'json',
    ]);
    expectExit(r, 0);
    const result = parseJson<VerifyResult>(r);
    assert.equal(result.acknowledged, 3000);
    assert.equal(result.received, 3000);
    assert.equal(result.lost, 0);
    // what the killed consumer had received but not yet acknowledged comes again: duplicates, reported
    assert.equal(result.deliveries, 3000 + result.duplicateDeliveries);
    for (const e of result.examples.duplicated) assert.match(e.positions![1]!, /redelivered/);
  });

  for (const ack of ['cumulative', 'individual'] as const) {
    it(`Pulsar consumer (${ack} acks) killed mid-run loses nothing: what it had not acknowledged comes again from the same entries (redelivered, never stored twice), exit 0 under lost==0`, async () => {
      const t = uniqueName(`verify-pk-${ack.slice(0, 3)}`);
      pulsarTopics.push(t);
      const r = await run([
        'verify',
        '--kind',
        'pulsar',
        '--topic',
        t,
        '--create-topic',
        '--rate',
        '500',
        '--duration',
        '6s',
        '--pulsar-ack',
        ack,
        '--consumer-restarts',
        '1',
        '--consumer-hang',
        '1s',
        '--gate',
        'lost==0',
        '--gate',
        'stored_twice==0',
        '--output',
        'json',
      ]);
      expectExit(r, 0);
      const result = parseJson<VerifyResult>(r);
      assert.equal(result.acknowledged, 3000);
      assert.equal(result.received, 3000);
      assert.equal(result.lost, 0);
      assert.deepEqual(
        result.timeline.map((e) => e.event).filter((e) => e.startsWith('consumer')),
        ['consumer killed', 'consumer started'],
      );
      assert.match(r.stderr, new RegExp(`consumer binary protocol \\(mqctl\\).*${ack} acks`));
      // The killed consumer hung 1 s receiving (and acknowledging) nothing, then its connection dropped: the
      // broker hands what it had delivered but not yet acknowledged to the new consumer.
      assert.ok(result.duplicated > 0, 'the entries in flight at the kill came again');
      assert.equal(
        result.duplicatedRedelivered,
        result.duplicated,
        'each from the entry that already held it',
      );
      assert.equal(result.duplicatedStoredTwice, 0);
    });
  }

  it("--pulsar-ack is refused on another broker, and on Pulsar's WebSocket client (exit 2)", async () => {
    const k = await run([
      'verify',
      '--kind',
      'kafka',
      '--topic',
      kafkaTopic,
      '--rate',
      '10',
      '-n',
      '10',
      '--pulsar-ack',
      'individual',
    ]);
    expectExit(k, 2);
    assert.match(k.stderr, /--pulsar-ack applies to Pulsar only/);
    const ws = await run([
      'verify',
      '--kind',
      'pulsar',
      '--topic',
      pulsarTopic,
      '--rate',
      '10',
      '-n',
      '10',
      '--pulsar-client',
      'websocket',
      '--pulsar-ack',
      'cumulative',
    ]);
    expectExit(ws, 2);
    assert.match(ws.stderr, /--pulsar-ack needs the binary client/);
  });

  it('a malformed gate or fault is a usage error (exit 2) before anything is sent', async () => {
    const bad = await run([
      'verify',
      '--kind',
      'kafka',
      '--topic',
      kafkaTopic,
      '--rate',
      '10',
      '--duration',
      '1s',
      '--gate',
      'p99<20ms',
    ]);
    expectExit(bad, 2);
    assert.match(bad.stderr, /invalid gate "p99<20ms"/);
    const fault = await run([
      'verify',
      '--kind',
      'kafka',
      '--topic',
      kafkaTopic,
      '--rate',
      '10',
      '--duration',
      '1s',
      '--fault',
      'cmd=true',
    ]);
    expectExit(fault, 2);
    assert.match(fault.stderr, /no at=/);
  });
});
