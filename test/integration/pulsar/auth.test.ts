import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../../src/brokers';
import type { PulsarConnection } from '../../../src/brokers/pulsar/connection';
import { resolveContext, type ConnectionOverrides } from '../../../src/config/resolve';
import { ConfigStore } from '../../../src/config/store';
import { ExitCode, MqctlError } from '../../../src/core/errors';
import { LOCAL, requirePort, requirePulsar, uniqueName } from '../../helpers/brokers';
import { isolatedConfigEnv, runCli } from '../../helpers/cli';
import { deletePulsarTopics } from '../../helpers/pulsar-admin';
import { TLS, pulsarToken, requireTlsMaterial } from '../../helpers/tls';
import { tempDir } from '../../helpers/tmp';

/**
 * Token authentication against the local Pulsar standalone itself (scripts/conf/pulsar/standalone.conf:
 * AuthenticationProviderToken with the secret key of scripts/lib/tls.sh, authorization on). Clients without a
 * token are the anonymous role, a superuser, so every other test keeps working; a token that is sent decides:
 *
 * - the superuser's token (role mqctl-super) is accepted on the admin REST API, the WebSocket API and the
 *   binary protocol;
 * - a valid token for a role with no permission is refused (exit 77) on all three: proof that mqctl sends the
 *   token (without it the request would be the anonymous superuser's and pass);
 * - an expired token, a token signed with another key, a forged signature and a token that is no JWT are
 *   refused (exit 77) on all three, never served as the anonymous role; the broker's reason is printed, the
 *   token never.
 */
const SUPER = 'mqctl-super';
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

function forgedSignature(token: string): string {
  const [header, payload] = token.split('.');
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}

const REFUSED: Array<[string, () => string]> = [
  ['a valid token for a role without permissions', () => pulsarToken('mqctl-nobody')],
  ['an expired superuser token', () => pulsarToken(SUPER, { exp: now() - HOUR })],
  ['a superuser token signed with another key', () => pulsarToken(SUPER, { key: randomBytes(32) })],
  ['a superuser token with a forged signature', () => forgedSignature(pulsarToken(SUPER))],
  ['a token that is not a JWT', () => 'not-a-jwt-token'],
];

function pulsar(overrides: ConnectionOverrides = {}): PulsarConnection {
  const ctx = resolveContext(
    { kind: 'pulsar', ...overrides },
    {},
    new ConfigStore('/nonexistent/mqctl.yaml'),
  );
  return connect(ctx, { timeoutMs: 8000 }) as PulsarConnection;
}

async function refusal(what: string, fn: () => Promise<unknown>): Promise<MqctlError> {
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof MqctlError, `${what}: expected a refusal, got ${String(error)}`);
  assert.equal(error.exitCode, ExitCode.AUTH, `${what}: ${error.message}`);
  return error;
}

describe('Pulsar token authentication (real broker, token provider on)', () => {
  const topic = `persistent://public/default/${uniqueName('mqctl-auth')}`;
  before(async () => {
    await requirePulsar();
    requireTlsMaterial();
    // created by the anonymous (superuser) role
    const anonymous = pulsar();
    try {
      await anonymous.admin.request({
        method: 'PUT',
        path: `/admin/v2/persistent/public/default/${topic.split('/').pop()}`,
      });
    } finally {
      await anonymous.close();
    }
  });
  after(() => deletePulsarTopics([topic]));

  it("the superuser's token is accepted on the admin REST API, the WebSocket API and the binary protocol", async () => {
    const conn = pulsar({ token: pulsarToken(SUPER, { exp: now() + HOUR }) });
    try {
      const topics = await conn.admin.get<string[]>('/admin/v2/persistent/public/default');
      assert.ok(topics.includes(topic));
      const producer = await conn.websocket.producer(topic);
      assert.ok((await producer.send({ payload: Buffer.from('with a token') })).length > 0);
      assert.equal(await conn.binary.partitions(topic), 0);
    } finally {
      await conn.close();
    }
  });

  it('without a token a client is the anonymous role (a superuser here, so other tests need no token)', async () => {
    const conn = pulsar();
    try {
      assert.ok((await conn.admin.get<string[]>('/admin/v2/persistent/public/default')).includes(topic));
      assert.equal(await conn.binary.partitions(topic), 0);
    } finally {
      await conn.close();
    }
  });

  for (const [name, token] of REFUSED) {
    it(`${name}: refused with exit 77 on admin REST, WebSocket and binary protocol`, async () => {
      const secret = token();
      const conn = pulsar({ token: secret });
      try {
        const errors = [
          await refusal('admin REST', () => conn.admin.get('/admin/v2/persistent/public/default')),
          await refusal('WebSocket', () => conn.websocket.producer(topic)),
          await refusal('binary protocol', () => conn.binary.partitions(topic)),
        ];
        for (const error of errors) assert.ok(!error.message.includes(secret), 'the token is never printed');
      } finally {
        await conn.close();
      }
    });
  }

  it("the CLI prints the broker's reason on one line, never the token, and exits 77", async () => {
    const env = isolatedConfigEnv();
    const expired = pulsarToken(SUPER, { exp: now() - HOUR });
    const result = await runCli(
      [
        'topic',
        'list',
        '--url',
        LOCAL.pulsar.serviceUrl,
        '--admin-url',
        LOCAL.pulsar.adminUrl,
        '--namespace',
        'public/default',
        '--timeout',
        '8s',
      ],
      {
        env: { ...env, MQCTL_TOKEN: expired },
        timeoutMs: 60_000,
      },
    );
    assert.equal(result.code, 77, result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /expired/i, 'the reason is readable, not masked');
    assert.ok(!result.stderr.includes(expired) && !result.stdout.includes(expired));
  });
});

describe('--token-file against the token-auth Pulsar (issue 11 item 8)', () => {
  const topic = uniqueName('mqctl-auth-file');
  const full = `persistent://public/default/${topic}`;
  const dir = tempDir('mqctl-token-file-');
  const superFile = join(dir, 'super.jwt');
  const nobodyFile = join(dir, 'nobody.jwt');
  const superToken = pulsarToken(SUPER, { exp: now() + HOUR });
  const nobodyToken = pulsarToken('mqctl-nobody', { exp: now() + HOUR });
  const env = isolatedConfigEnv();
  const P = ['--kind', 'pulsar', '--timeout', '8s'];
  before(async () => {
    await requirePulsar();
    requireTlsMaterial();
    writeFileSync(superFile, `${superToken}\n`, { mode: 0o600 });
    writeFileSync(nobodyFile, `${nobodyToken}\n`, { mode: 0o600 });
    const anonymous = pulsar();
    try {
      await anonymous.admin.request({ method: 'PUT', path: `/admin/v2/persistent/public/default/${topic}` });
    } finally {
      await anonymous.close();
    }
  });
  after(() => deletePulsarTopics([full]));

  const never = (r: { stdout: string; stderr: string }) =>
    assert.ok(
      ![superToken, nobodyToken].some((t) => `${r.stdout}${r.stderr}`.includes(t)),
      'no token printed',
    );

  it("the superuser's token read from a file is accepted (exit 0); a no-permission token's file is refused (exit 77)", async () => {
    const ok = await runCli(['topic', 'describe', topic, ...P, '--token-file', superFile, '-o', 'json'], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { name: string }).name, full);
    never(ok);
    const refused = await runCli(['topic', 'describe', topic, ...P, '--token-file', nobodyFile], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(refused.code, 77, refused.stderr);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    never(refused);
  });

  it('a context saved with --token-file stores the path, and its runs send the token read from it', async () => {
    const added = await runCli(['context', 'add', 'tokfile', ...P.slice(0, 2), '--token-file', nobodyFile], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(added.code, 0, added.stderr);
    const stored = readFileSync(env.MQCTL_CONFIG!, 'utf8');
    assert.ok(stored.includes(nobodyFile), stored);
    assert.ok(!stored.includes(nobodyToken), 'the token is not in the config file');
    // the token is read at each run: the no-permission one is refused, then the file holds the superuser's
    const refused = await runCli(['topic', 'describe', topic, '--context', 'tokfile', '--timeout', '8s'], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(refused.code, 77, refused.stderr);
    writeFileSync(nobodyFile, `${superToken}\n`, { mode: 0o600 });
    const ok = await runCli(['topic', 'describe', topic, '--context', 'tokfile', '--timeout', '8s'], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(ok.code, 0, ok.stderr);
    never(refused);
    never(ok);
  });
});

describe('Pulsar over TLS (binary 6651, HTTPS admin and WebSocket 8443)', () => {
  const topic = `persistent://public/default/${uniqueName('mqctl-tls')}`;
  const TLS_URLS = { url: 'pulsar+ssl://127.0.0.1:6651', adminUrl: 'https://127.0.0.1:8443' };
  before(async () => {
    await requirePort('127.0.0.1', 6651, 'Pulsar TLS (binary)');
    await requirePort('127.0.0.1', 8443, 'Pulsar HTTPS');
    requireTlsMaterial();
  });
  after(() => deletePulsarTopics([topic]));

  it('with --tls-ca: admin REST, WebSocket and binary protocol work, with a token', async () => {
    const conn = pulsar({ ...TLS_URLS, tlsCa: TLS.ca, token: pulsarToken(SUPER) });
    try {
      const producer = await conn.websocket.producer(topic);
      assert.ok((await producer.send({ payload: Buffer.from('over tls') })).length > 0);
      assert.ok((await conn.admin.get<string[]>('/admin/v2/persistent/public/default')).includes(topic));
      assert.equal(await conn.binary.partitions(topic), 0);
    } finally {
      await conn.close();
    }
  });

  it('without the CA: exit 69 naming --tls-ca and --tls-insecure on all three; --tls-insecure works', async () => {
    const conn = pulsar({ ...TLS_URLS, tls: true });
    try {
      for (const [what, fn] of [
        ['admin REST', () => conn.admin.get('/admin/v2/persistent/public/default')],
        ['WebSocket', () => conn.websocket.producer(topic)],
        ['binary protocol', () => conn.binary.partitions(topic)],
      ] as const) {
        const error = await fn().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(error instanceof MqctlError, `${what}: ${String(error)}`);
        assert.equal(error.exitCode, ExitCode.UNAVAILABLE, `${what}: ${error.message}`);
        assert.match(
          `${error.message} ${error.hint ?? ''}`,
          /--tls-ca.*--tls-insecure/,
          `${what}: ${error.message}`,
        );
      }
    } finally {
      await conn.close();
    }
    const insecure = pulsar({ ...TLS_URLS, tlsInsecure: true });
    try {
      assert.ok(Array.isArray(await insecure.admin.get('/admin/v2/persistent/public/default')));
      assert.equal(await insecure.binary.partitions(topic), 0);
    } finally {
      await insecure.close();
    }
  });
});
