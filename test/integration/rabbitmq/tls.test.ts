import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { requirePort, requireRabbit } from '../../helpers/brokers';
import { isolatedConfigEnv, runCli, type CliResult } from '../../helpers/cli';
import { TLS, requireTlsMaterial, rogueCa } from '../../helpers/tls';
import { TEST_SECRETS } from '../../helpers/secrets';

/**
 * TLS end to end on the local RabbitMQ: AMQPS on 127.0.0.1:5671 and the HTTPS management API on 15671
 * (/etc/rabbitmq/conf.d/91-mqctl-tls.conf, certificates from scripts/lib/tls.sh; a second CA is the test's).
 * `cluster info` uses both: the management API for the overview and an AMQP connection for the data path,
 * which it reports as "ok" or "unreachable: <reason>".
 */
const env = isolatedConfigEnv();
const URLS = ['--url', 'amqps://guest:guest@127.0.0.1:5671', '--admin-url', 'https://127.0.0.1:15671'];

function rabbit(args: string[]): Promise<CliResult> {
  return runCli([...args, '--timeout', '8s'], { env, timeoutMs: 60_000 });
}

describe('RabbitMQ over TLS (AMQPS 5671, HTTPS management 15671)', () => {
  let rogue: ReturnType<typeof rogueCa>;
  before(async () => {
    await requireRabbit();
    await requirePort('127.0.0.1', 5671, 'RabbitMQ AMQPS');
    await requirePort('127.0.0.1', 15671, 'RabbitMQ HTTPS management');
    requireTlsMaterial();
    rogue = rogueCa();
  });

  it('with --tls-ca: the management API over HTTPS and AMQP over TLS both work', async () => {
    const result = await rabbit(['cluster', 'info', ...URLS, '--tls-ca', TLS.ca]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /amqp 0-9-1 \(amqplib\) ok/);
    assert.match(result.stdout, /https:\/\/127\.0\.0\.1:15671/);
    assert.doesNotMatch(result.stderr, /Warning|ServerName/, result.stderr);
  });

  it('a broker certificate no given CA signed: exit 69 naming --tls-ca and --tls-insecure', async () => {
    for (const ca of [['--tls'], ['--tls-ca', rogue.ca]]) {
      const result = await rabbit(['queue', 'list', ...URLS, ...ca]);
      assert.equal(result.code, 69, `${ca.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /certificate is not trusted/);
      assert.match(result.stderr, /--tls-ca.*--tls-insecure/);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
    // AMQPS alone (the management API trusted): the AMQP data path names the same failure
    const amqp = await rabbit([
      'cluster',
      'info',
      '--url',
      'amqps://guest:guest@127.0.0.1:5671',
      '--admin-url',
      'http://127.0.0.1:15672',
      '--tls-ca',
      rogue.ca,
    ]);
    assert.match(amqp.stdout, /unreachable: .*certificate is not trusted/, amqp.stdout + amqp.stderr);
  });

  it('--tls-insecure skips verifying the broker', async () => {
    const result = await rabbit(['cluster', 'info', ...URLS, '--tls-insecure']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /amqp 0-9-1 \(amqplib\) ok/);
  });

  it('a wrong password over AMQPS and HTTPS: exit 77, never the password', async () => {
    const wrong = TEST_SECRETS.wrongTls;
    const amqps = await rabbit([
      'queue',
      'list',
      '--url',
      `amqps://guest:${wrong}@127.0.0.1:5671`,
      '--admin-url',
      'https://127.0.0.1:15671',
      '--tls-ca',
      TLS.ca,
    ]);
    assert.equal(amqps.code, 77, amqps.stderr);
    assert.match(amqps.stderr, /refused/);
    assert.ok(!amqps.stderr.includes(wrong) && !amqps.stdout.includes(wrong), amqps.stderr);
  });
});
