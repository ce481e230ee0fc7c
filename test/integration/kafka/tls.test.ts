import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { LOCAL, requireKafka, requirePort, uniqueName } from '../../helpers/brokers';
import { isolatedConfigEnv, runCli, type CliResult } from '../../helpers/cli';
import { TLS, requireTlsMaterial, rogueCa } from '../../helpers/tls';

/**
 * TLS end to end on the local Kafka's SSL listener (127.0.0.1:9095, client certificates required; the CA,
 * server and client certificates are scripts/lib/tls.sh's, a second CA is made by the test). mqctl is run as
 * a user runs it. 9095 speaks nothing but TLS, so a command that succeeds there went through the handshake.
 */
const SSL_BROKERS = '127.0.0.1:9095';
const env = isolatedConfigEnv();
const MUTUAL = ['--tls-cert', TLS.clientCert, '--tls-key', TLS.clientKey];

function kafka(args: string[]): Promise<CliResult> {
  return runCli([...args, '--brokers', SSL_BROKERS, '--timeout', '8s'], { env, timeoutMs: 60_000 });
}

/** One error line naming the flags to try, and no Node warning (e.g. about SNI for an IP address). */
function assertOneLine(result: CliResult): void {
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /Warning|ServerName/, result.stderr);
}

describe('Kafka over TLS (SSL listener 127.0.0.1:9095, mutual TLS)', () => {
  const topic = uniqueName('mqctl-tls');
  const plain = new Kafka({ brokers: [LOCAL.kafka.brokers], logLevel: logLevel.NOTHING }).admin();
  let rogue: ReturnType<typeof rogueCa>;

  before(async () => {
    await requireKafka();
    await requirePort('127.0.0.1', 9095, 'Kafka SSL listener');
    requireTlsMaterial();
    rogue = rogueCa();
    await plain.connect();
  });
  after(async () => {
    await plain.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await plain.disconnect();
  });

  it('with --tls-ca, --tls-cert and --tls-key: creates a topic the plaintext listener then sees', async () => {
    const created = await kafka([
      'topic',
      'create',
      topic,
      '--partitions',
      '2',
      '--tls-ca',
      TLS.ca,
      ...MUTUAL,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.doesNotMatch(created.stderr, /Warning|ServerName/, created.stderr);
    const [metadata] = (await plain.fetchTopicMetadata({ topics: [topic] })).topics;
    assert.equal(metadata?.partitions.length, 2);
    const listed = await kafka(['topic', 'list', '-o', 'json', '--tls-ca', TLS.ca, ...MUTUAL]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(
      (JSON.parse(listed.stdout) as { items: Array<{ name: string }> }).items.some((t) => t.name === topic),
    );
  });

  it('a broker certificate no given CA signed: exit 69, naming --tls-ca and --tls-insecure', async () => {
    for (const ca of [[], ['--tls-ca', rogue.ca]]) {
      const result = await kafka(['topic', 'list', '--tls', ...ca, ...MUTUAL]);
      assert.equal(result.code, 69, `${ca.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /certificate is not trusted/);
      assert.match(result.stderr, /--tls-ca/);
      assert.match(result.stderr, /--tls-insecure/);
      assertOneLine(result);
    }
  });

  it('--tls-insecure skips verifying the broker (the client certificate is still sent)', async () => {
    const result = await kafka(['topic', 'list', '-o', 'json', '--tls-insecure', ...MUTUAL]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Array.isArray((JSON.parse(result.stdout) as { items: unknown }).items));
  });

  it('no client certificate, or one from another CA: the broker refuses it, exit 77', async () => {
    for (const client of [[], ['--tls-cert', rogue.clientCert, '--tls-key', rogue.clientKey]]) {
      const result = await kafka(['topic', 'list', '--tls-ca', TLS.ca, ...client]);
      assert.equal(result.code, 77, `${client.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /refused the client certificate/);
      assert.match(result.stderr, /--tls-cert/);
      assertOneLine(result);
    }
  });
});
