import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CLOSED_PORT, LOCAL, requireKafka, requirePulsar, requireRabbit } from '../helpers/brokers';
import { assertWithinTimeout, cliStartupMs, isolatedConfigEnv, parseJson, runCli } from '../helpers/cli';
import { TEST_SECRETS } from '../helpers/secrets';

interface ClusterInfoJson {
  kind: string;
  version?: string;
  nodes: Array<{ id: string; address: string }>;
  controller?: string;
  dataPath: string;
}

describe('mqctl cluster info against the real local brokers', () => {
  it('Kafka: version, controller and nodes as JSON', async () => {
    await requireKafka();
    const result = await runCli(['cluster', 'info', '--brokers', LOCAL.kafka.brokers, '--output', 'json'], {
      env: isolatedConfigEnv(),
    });
    assert.equal(result.code, 0, result.stderr);
    const info = parseJson<ClusterInfoJson>(result);
    assert.equal(info.kind, 'kafka');
    assert.match(info.version ?? '', /^4\.\d+$/);
    assert.ok(info.nodes.length >= 1);
    assert.match(info.controller ?? '', /^1 \(127\.0\.0\.1:9092\)$/);
    assert.equal(info.dataPath, 'kafkajs');
  });

  it('Kafka over SASL/SCRAM on the SASL listener, password from the environment, never printed', async () => {
    await requireKafka();
    const env = { ...isolatedConfigEnv(), MQCTL_PASSWORD: LOCAL.kafka.saslPassword };
    const args = [
      'cluster',
      'info',
      '-b',
      LOCAL.kafka.saslBrokers,
      '--username',
      LOCAL.kafka.saslUser,
      '--sasl-mechanism',
    ];
    const ok = await runCli([...args, 'scram-sha-512', '-o', 'json'], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(!ok.stdout.includes(LOCAL.kafka.saslPassword) && !ok.stderr.includes(LOCAL.kafka.saslPassword));
    const plain = await runCli([...args, 'plain'], { env });
    assert.equal(plain.code, 0, plain.stderr);
    const bad = await runCli([...args, 'scram-sha-256'], {
      env: { ...env, MQCTL_PASSWORD: TEST_SECRETS.wrongSasl },
    });
    assert.equal(bad.code, 77, bad.stderr);
    assert.match(bad.stderr, /refused authentication/);
    assert.ok(!bad.stderr.includes(TEST_SECRETS.wrongSasl));
  });

  it('Pulsar: version, leader and the WebSocket data path', async () => {
    await requirePulsar();
    const result = await runCli(['cluster', 'info', '--kind', 'pulsar', '-o', 'json'], {
      env: isolatedConfigEnv(),
    });
    assert.equal(result.code, 0, result.stderr);
    const info = parseJson<ClusterInfoJson & { clusterName: string }>(result);
    assert.equal(info.kind, 'pulsar');
    assert.match(info.version ?? '', /^4\./);
    assert.equal(info.clusterName, 'standalone');
    assert.ok(info.nodes.length >= 1);
    assert.match(info.dataPath, /^websocket/);
  });

  it('RabbitMQ: version and nodes, table output by default', async () => {
    await requireRabbit();
    const result = await runCli(['cluster', 'info', '--url', LOCAL.rabbitmq.url], {
      env: isolatedConfigEnv(),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^CLUSTER/m);
    assert.match(result.stdout, /kind\s+rabbitmq/);
    assert.match(result.stdout, /version\s+\d+\.\d+\.\d+/);
    assert.match(result.stdout, /NODES \(1\)/);
    assert.ok(!result.stdout.includes('guest:guest'), 'the AMQP password is masked');
    const yaml = await runCli(['cluster', 'info', '--kind', 'rabbitmq', '-o', 'yaml'], {
      env: isolatedConfigEnv(),
    });
    assert.match(yaml.stdout, /^kind: rabbitmq$/m);
  });
});

describe('unreachable brokers exit 69 within the timeout', () => {
  let blackHole: Server;
  let blackHolePort = 0;
  before(async () => {
    // Accepts TCP connections and never answers: the worst case for a client without deadlines.
    blackHole = createServer(() => undefined);
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    blackHolePort = (blackHole.address() as AddressInfo).port;
  });
  after(() => blackHole.close());

  for (const [kind, args] of [
    ['kafka', ['--brokers', `127.0.0.1:${CLOSED_PORT}`]],
    [
      'pulsar',
      ['--url', `pulsar://127.0.0.1:${CLOSED_PORT}`, '--admin-url', `http://127.0.0.1:${CLOSED_PORT}`],
    ],
    [
      'rabbitmq',
      ['--url', `amqp://127.0.0.1:${CLOSED_PORT}`, '--admin-url', `http://127.0.0.1:${CLOSED_PORT}`],
    ],
  ] as const) {
    it(`${kind} on a closed port`, async () => {
      const env = isolatedConfigEnv();
      const startup = await cliStartupMs(['cluster', 'info', ...args], env);
      const result = await runCli(['cluster', 'info', ...args, '--timeout', '3s'], {
        env,
        timeoutMs: 20_000,
      });
      assert.equal(result.code, 69, result.stderr);
      assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${CLOSED_PORT}`));
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assertWithinTimeout(result, 3000, startup);
    });
  }

  for (const kind of ['kafka', 'pulsar', 'rabbitmq'] as const) {
    it(`${kind} on a port that accepts and never answers`, async () => {
      const args =
        kind === 'kafka'
          ? ['--brokers', `127.0.0.1:${blackHolePort}`]
          : kind === 'pulsar'
            ? ['--url', 'pulsar://127.0.0.1:6650', '--admin-url', `http://127.0.0.1:${blackHolePort}`]
            : [
                '--url',
                `amqp://127.0.0.1:${blackHolePort}`,
                '--admin-url',
                `http://127.0.0.1:${blackHolePort}`,
              ];
      const env = isolatedConfigEnv();
      const startup = await cliStartupMs(['cluster', 'info', ...args], env);
      const result = await runCli(['cluster', 'info', ...args, '--timeout', '2s'], {
        env,
        timeoutMs: 30_000,
      });
      assert.equal(result.code, 69, result.stderr);
      assertWithinTimeout(result, 2000, startup);
      assert.ok(!/\n\s+at /.test(result.stderr), 'no stack trace');
    });
  }
});

describe('bad input: exit 2 or 3 with one clear line and no stack trace', () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ['unknown flag', ['cluster', 'info', '--kind', 'kafka', '--bogus'], 2, /Nonexistent flag: --bogus/],
    ['unknown context', ['cluster', 'info', '--context', 'nope'], 3, /context "nope" not found/],
    [
      'malformed URL',
      ['cluster', 'info', '--url', 'amqp//broken'],
      2,
      /cannot tell the broker kind|malformed/,
    ],
    [
      'malformed broker list',
      ['cluster', 'info', '--brokers', 'host-without-port'],
      2,
      /malformed broker address/,
    ],
    ['bad timeout', ['cluster', 'info', '--kind', 'kafka', '--timeout', 'soon'], 2, /invalid duration/],
    ['bad output format', ['context', 'list', '--output', 'xml'], 2, /Expected --output=xml to be one of/],
    ['no broker selected', ['cluster', 'info'], 2, /no broker selected/],
    ['unknown command', ['frobnicate'], 2, /^Error: unknown command "frobnicate"/],
  ];
  for (const [name, args, code, pattern] of cases) {
    it(name, async () => {
      const result = await runCli(args, { env: isolatedConfigEnv() });
      assert.equal(result.code, code, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.ok(!/\n\s+at /.test(result.stderr), `no stack trace: ${result.stderr}`);
      assert.equal(result.stdout, '');
    });
  }

  it('never reads a missing positional argument from piped stdin', async () => {
    const result = await runCli(['context', 'show'], { env: isolatedConfigEnv(), input: 'piped-junk\n' });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /no current context/);
    assert.ok(!result.stderr.includes('piped-junk'));
  });

  it('--debug adds the stack', async () => {
    const result = await runCli(['cluster', 'info', '--context', 'nope', '--debug'], {
      env: isolatedConfigEnv(),
    });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /\n\s+at /);
  });
});

describe('contexts end to end', () => {
  it('add, use, show, list and use with the broker; 0600; secrets masked everywhere', async () => {
    await requireKafka();
    const env = isolatedConfigEnv();
    const secret = TEST_SECRETS.foundation;
    let r = await runCli(
      [
        'context',
        'add',
        'sasl',
        '--kind',
        'kafka',
        '-b',
        LOCAL.kafka.saslBrokers,
        '--username',
        'mqctl',
        '--password',
        secret,
        '--sasl-mechanism',
        'scram-sha-256',
      ],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(['context', 'add', 'local', '--kind', 'kafka', '-b', LOCAL.kafka.brokers, '--use'], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(env.MQCTL_CONFIG!).mode & 0o777, 0o600);
    assert.ok(readFileSync(env.MQCTL_CONFIG!, 'utf8').includes('current-context: local'));

    const list = await runCli(['context', 'list', '-o', 'json'], { env });
    assert.deepEqual(
      parseJson<{ items: Array<{ name: string; current: boolean }> }>(list).items.map((c) => [
        c.name,
        c.current,
      ]),
      [
        ['local', true],
        ['sasl', false],
      ],
    );
    const show = await runCli(['context', 'show', 'sasl', '-o', 'json'], { env });
    assert.equal(show.code, 0);
    assert.equal(parseJson<{ sasl: { password: string } }>(show).sasl.password, '****');
    const table = await runCli(['context', 'show', 'sasl'], { env });
    assert.match(table.stdout, /sasl\.password\s+\*\*\*\*/);
    for (const out of [list, show, table]) assert.ok(!(out.stdout + out.stderr).includes(secret));

    // The current context is used when no flags are given; --context picks another.
    const info = await runCli(['cluster', 'info', '-o', 'json'], { env });
    assert.equal(info.code, 0, info.stderr);
    assert.equal(parseJson<{ context: string }>(info).context, 'local');
    r = await runCli(['context', 'use', 'sasl'], { env });
    assert.equal(r.code, 0);
    const viaSasl = await runCli(['cluster', 'info', '-o', 'json'], { env });
    assert.equal(viaSasl.code, 77, 'the stored password is wrong for the broker: auth refused');
    assert.ok(!viaSasl.stderr.includes(secret));

    const del = await runCli(['context', 'delete', 'sasl'], { env });
    assert.equal(del.code, 2, 'refuses without --yes when not on a TTY');
    const delYes = await runCli(['context', 'delete', 'sasl', '--yes'], { env });
    assert.equal(delYes.code, 0, delYes.stderr);
  });
});

describe('help', () => {
  it('the exit-code table once in the root help, a one-line pointer on every command', async () => {
    const root = await runCli(['--help']);
    assert.equal(root.code, 0);
    assert.match(root.stdout, /EXIT CODES/);
    assert.match(root.stdout, /69\s+broker unreachable/);
    assert.match(root.stdout, /130\s+interrupted/);
    const result = await runCli(['cluster', 'info', '--help']);
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /EXIT CODES\n {2}0, 1, 2, 3, 69, 77, 99, 130: meanings in `mqctl --help`\s*$/,
    );
    assert.doesNotMatch(result.stdout, /broker unreachable/);
  });
});
