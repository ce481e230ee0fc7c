import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedConfigEnv, runCli } from '../helpers/cli';
import { LOCAL, requirePulsar, requireRabbit, uniqueName } from '../helpers/brokers';

/**
 * Gates are broker-independent, but the verdict must hold on every broker perf produce supports:
 * a gate that passes exits 0, an impossible one exits 99 with the table, and a malformed gate exits 2
 * before anything is created or sent.
 */
const env = isolatedConfigEnv();

async function httpStatus(url: string, auth?: string): Promise<number> {
  const response = await fetch(url, {
    headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return response.status;
}

const brokers = [
  {
    kind: 'rabbitmq',
    require: requireRabbit,
    args: ['--kind', 'rabbitmq', '--url', LOCAL.rabbitmq.url, '--admin-url', LOCAL.rabbitmq.managementUrl],
    exists: (name: string) =>
      httpStatus(`${LOCAL.rabbitmq.managementUrl}/api/queues/%2F/${name}`, 'guest:guest'),
    cleanup: (name: string) =>
      fetch(`${LOCAL.rabbitmq.managementUrl}/api/queues/%2F/${name}`, {
        method: 'DELETE',
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        signal: AbortSignal.timeout(10_000),
      }),
  },
  {
    kind: 'pulsar',
    require: requirePulsar,
    args: ['--kind', 'pulsar', '--url', LOCAL.pulsar.serviceUrl, '--admin-url', LOCAL.pulsar.adminUrl],
    exists: (name: string) =>
      httpStatus(`${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default/${name}/stats`),
    cleanup: (name: string) =>
      fetch(`${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default/${name}?force=true`, {
        method: 'DELETE',
        signal: AbortSignal.timeout(10_000),
      }),
  },
];

for (const broker of brokers) {
  describe(`gates on perf produce against ${broker.kind}`, { timeout: 180_000 }, () => {
    it('malformed gate: exit 2, nothing created; then passing gates exit 0 and an impossible one exits 99', async () => {
      await broker.require();
      const name = uniqueName('gates');
      try {
        const run = (gates: string[]) =>
          runCli(
            [
              'perf',
              'produce',
              ...broker.args,
              '--topic',
              name,
              '--create-topic',
              '--rate',
              '200',
              '--duration',
              '2s',
              '--allow-invalid',
              ...gates.flatMap((g) => ['--gate', g]),
            ],
            { env, timeoutMs: 90_000 },
          );
        const malformed = await run(['p99<20']);
        assert.equal(malformed.code, 2, malformed.stderr);
        assert.match(malformed.stderr, /invalid gate "p99<20": latency\.p99 needs a time unit/);
        assert.equal(await broker.exists(name), 404, `${broker.kind}: --create-topic must not have run`);

        const passing = await run(['errors==0', 'acked>=300', 'p99<30s']);
        assert.equal(passing.code, 0, `${passing.stdout}\n${passing.stderr}`);
        assert.match(passing.stdout, /gates: \d passed, 0 failed/);

        const impossible = await run(['p99<1us', 'errors==0']);
        assert.equal(impossible.code, 99, `${impossible.stdout}\n${impossible.stderr}`);
        assert.match(impossible.stdout, /p99<1us .*✗ FAIL/);
        assert.match(impossible.stdout, /errors==0 .*✓ pass/);
      } finally {
        await broker.cleanup(name).catch(() => undefined);
      }
    });
  });
}
