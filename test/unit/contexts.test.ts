import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExitCode, MqctlError } from '../../src/core/errors';
import { addContext, deleteContext, listContexts, showContext, useContext } from '../../src/config/contexts';
import { resolveContext } from '../../src/config/resolve';
import { redactValue } from '../../src/core/redact';
import { ConfigStore, configPath } from '../../src/config/store';
import { protectedReason, refuseProtected } from '../../src/brokers/contracts/protected';
import { tempDir } from '../helpers/tmp';

function freshStore(): ConfigStore {
  return new ConfigStore(join(tempDir('mqctl-ctx-'), 'mqctl', 'config.yaml'));
}

async function exitCodeOf(fn: () => unknown): Promise<number> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof MqctlError, `expected MqctlError, got ${error}`);
    return error.exitCode;
  }
  assert.fail('expected an error');
}

describe('config path', () => {
  it('uses XDG_CONFIG_HOME, then ~/.config, and MQCTL_CONFIG overrides both', async () => {
    assert.equal(configPath({ XDG_CONFIG_HOME: '/x' }), '/x/mqctl/config.yaml');
    assert.match(configPath({}), /\.config\/mqctl\/config\.yaml$/);
    assert.equal(configPath({ MQCTL_CONFIG: '/y.yaml', XDG_CONFIG_HOME: '/x' }), '/y.yaml');
  });
});

describe('contexts', () => {
  it('round-trips add, list, use, show and delete; the file is 0600', async () => {
    const store = freshStore();
    await addContext(store, 'k', {
      kind: 'kafka',
      brokers: '127.0.0.1:9094',
      username: 'u',
      password: 's3cret!',
      saslMechanism: 'scram-sha-512',
    });
    await addContext(store, 'r', {
      kind: 'rabbitmq',
      url: 'amqp://bob:hunter2@127.0.0.1:5672/prod',
      adminUrl: 'http://127.0.0.1:15672',
    });
    assert.equal(statSync(store.path).mode & 0o777, 0o600);
    const list = listContexts(store);
    assert.deepEqual(
      list.map((c) => [c.name, c.current, c.kind]),
      [
        ['k', true, 'kafka'],
        ['r', false, 'rabbitmq'],
      ],
    );
    assert.equal(list[1]!.target, 'amqp://bob:****@127.0.0.1:5672/prod');
    await useContext(store, 'r');
    const shown = showContext(store);
    assert.equal(shown.name, 'r');
    assert.equal(shown.spec.kind, 'rabbitmq');
    assert.ok(!JSON.stringify(shown).includes('hunter2'));
    assert.ok(!JSON.stringify(showContext(store, 'k')).includes('s3cret!'));
    assert.ok(
      readFileSync(store.path, 'utf8').includes('s3cret!'),
      'the secret is stored (0600) for later use',
    );
    await deleteContext(store, 'r');
    assert.equal(listContexts(store).length, 1);
    assert.equal(store.load().currentContext, undefined);
  });

  it('rejects bad names, kinds, URLs and duplicates with usage errors; unknown names with not-found', async () => {
    const store = freshStore();
    assert.equal(await exitCodeOf(() => addContext(store, 'bad name', { kind: 'kafka' })), ExitCode.USAGE);
    assert.equal(await exitCodeOf(() => addContext(store, 'x', { kind: 'nats' })), ExitCode.USAGE);
    assert.equal(
      await exitCodeOf(() => addContext(store, 'x', { kind: 'kafka', brokers: 'no-port' })),
      ExitCode.USAGE,
    );
    assert.equal(
      await exitCodeOf(() => addContext(store, 'x', { kind: 'pulsar', url: 'http//bad' })),
      ExitCode.USAGE,
    );
    assert.equal(
      await exitCodeOf(() => addContext(store, 'x', { kind: 'rabbitmq', url: 'pulsar://h:1' })),
      ExitCode.USAGE,
    );
    await addContext(store, 'x', { kind: 'kafka' });
    assert.equal(await exitCodeOf(() => addContext(store, 'x', { kind: 'kafka' })), ExitCode.USAGE);
    assert.equal(await exitCodeOf(() => useContext(store, 'nope')), ExitCode.NOT_FOUND);
    assert.equal(await exitCodeOf(() => deleteContext(store, 'nope')), ExitCode.NOT_FOUND);
  });
});

describe('resolveContext precedence', () => {
  it('flags beat environment, environment beats the current context', async () => {
    const store = freshStore();
    await addContext(store, 'ctx', { kind: 'kafka', brokers: '10.0.0.1:9092' });
    assert.deepEqual((resolveContext({}, {}, store) as { brokers: string[] }).brokers, ['10.0.0.1:9092']);
    const env = { MQCTL_BROKERS: '127.0.0.2:9092' };
    assert.deepEqual((resolveContext({}, env, store) as { brokers: string[] }).brokers, ['127.0.0.2:9092']);
    assert.deepEqual(
      (resolveContext({ brokers: '127.0.0.3:9092' }, env, store) as { brokers: string[] }).brokers,
      ['127.0.0.3:9092'],
    );
  });

  it('a kind alone gives the local defaults; nothing at all is a usage error', async () => {
    const store = freshStore();
    const pulsar = resolveContext({ kind: 'pulsar' }, {}, store);
    assert.equal(pulsar.kind, 'pulsar');
    assert.equal(await exitCodeOf(() => resolveContext({}, {}, store)), ExitCode.USAGE);
  });

  it('--kind alone uses the current context when it is of that kind, else the local default address (README)', async () => {
    const store = freshStore();
    await addContext(store, 'prod-kafka', { kind: 'kafka', brokers: '10.9.9.9:9092' });
    await useContext(store, 'prod-kafka');
    const sameKind = resolveContext({ kind: 'kafka' }, {}, store) as { brokers: string[]; name: string };
    assert.deepEqual(sameKind.brokers, ['10.9.9.9:9092']);
    assert.equal(sameKind.name, 'prod-kafka');
    const otherKind = resolveContext({ kind: 'pulsar' }, {}, store) as { serviceUrl: string };
    assert.equal(otherKind.serviceUrl, 'pulsar://127.0.0.1:6650');
  });

  it('infers the kind from the URL scheme and reads the vhost from the AMQP URL', async () => {
    const store = freshStore();
    const rabbit = resolveContext({ url: 'amqp://u:p@127.0.0.1:5672/orders' }, {}, store);
    assert.equal(rabbit.kind, 'rabbitmq');
    assert.equal((rabbit as { vhost?: string }).vhost, 'orders');
    assert.equal(resolveContext({ url: 'pulsar://127.0.0.1:6650' }, {}, store).kind, 'pulsar');
    assert.equal(await exitCodeOf(() => resolveContext({ url: 'ftp://x' }, {}, store)), ExitCode.USAGE);
  });

  it('an unknown context named by flag or MQCTL_CONTEXT is not found', async () => {
    const store = freshStore();
    assert.equal(
      await exitCodeOf(() => resolveContext({ context: 'missing' }, {}, store)),
      ExitCode.NOT_FOUND,
    );
    assert.equal(
      await exitCodeOf(() => resolveContext({}, { MQCTL_CONTEXT: 'missing' }, store)),
      ExitCode.NOT_FOUND,
    );
  });

  it('masks passwords, tokens and URL credentials', async () => {
    const masked = redactValue({ token: 'abc', nested: { password: 'p' }, url: 'amqp://a:b@h:1' });
    assert.deepEqual(masked, { token: '****', nested: { password: '****' }, url: 'amqp://a:****@h:1' });
  });
});

describe('only the cluster the user named (issue 11 item 2)', () => {
  it('derives the admin endpoint from the data URL host: documented ports, https for TLS', () => {
    const store = freshStore();
    const rabbit = resolveContext({ url: 'amqp://nohost.invalid' }, {}, store) as { managementUrl: string };
    assert.equal(rabbit.managementUrl, 'http://nohost.invalid:15672');
    const rabbits = resolveContext({ url: 'amqps://mq.example:5671/v' }, {}, store) as {
      managementUrl: string;
    };
    assert.equal(rabbits.managementUrl, 'https://mq.example:15671');
    const pulsar = resolveContext({ url: 'pulsar://nohost.invalid:6650' }, {}, store) as { adminUrl: string };
    assert.equal(pulsar.adminUrl, 'http://nohost.invalid:8080');
    const pulsars = resolveContext({ url: 'pulsar+ssl://p.example:6651' }, {}, store) as { adminUrl: string };
    assert.equal(pulsars.adminUrl, 'https://p.example:8443');
  });

  it('derives the data URL from an admin URL given alone, and keeps both when both are named', () => {
    const store = freshStore();
    const pulsar = resolveContext({ kind: 'pulsar', adminUrl: 'https://p.example:8443' }, {}, store) as {
      serviceUrl: string;
    };
    assert.equal(pulsar.serviceUrl, 'pulsar+ssl://p.example:6651');
    const rabbit = resolveContext({ kind: 'rabbitmq', adminUrl: 'http://mq.example:15672' }, {}, store) as {
      url: string;
    };
    assert.equal(rabbit.url, 'amqp://mq.example:5672');
    const both = resolveContext(
      { url: 'amqp://a.example', adminUrl: 'http://b.example:9999' },
      {},
      store,
    ) as { managementUrl: string };
    assert.equal(both.managementUrl, 'http://b.example:9999');
  });

  it('contexts get the same derivation; a saved context with a remote data URL and a local admin URL is refused', async () => {
    const store = freshStore();
    const spec = (await addContext(store, 'remote', { kind: 'rabbitmq', url: 'amqp://mq.example:5672' })) as {
      managementUrl: string;
    };
    assert.equal(spec.managementUrl, 'http://mq.example:15672');
    // what mqctl 0.1.0 saved for `context add old --kind rabbitmq --url amqp://mq.example`
    await store.update((c) => {
      c.contexts.old = {
        kind: 'rabbitmq',
        url: 'amqp://mq.example:5672',
        managementUrl: 'http://127.0.0.1:15672',
      };
    });
    assert.equal(await exitCodeOf(() => resolveContext({ context: 'old' }, {}, store)), ExitCode.USAGE);
    // a kind alone with nothing naming a host keeps the local defaults
    const local = resolveContext({ kind: 'rabbitmq' }, {}, freshStore()) as { managementUrl: string };
    assert.equal(local.managementUrl, 'http://127.0.0.1:15672');
  });
});

describe('flags of another broker kind (issue 11 item 3)', () => {
  it('are usage errors, not silently dropped', async () => {
    const store = freshStore();
    const cases: Array<Record<string, string>> = [
      { kind: 'kafka', brokers: '127.0.0.1:9092', url: 'amqp://127.0.0.1', vhost: 'x' },
      { kind: 'kafka', vhost: 'x' },
      { kind: 'kafka', adminUrl: 'http://127.0.0.1:15672' },
      { kind: 'kafka', token: 't' },
      { brokers: '127.0.0.1:9092', url: 'amqp://127.0.0.1' },
      { kind: 'pulsar', brokers: '127.0.0.1:9092' },
      { kind: 'pulsar', username: 'u' },
      { kind: 'pulsar', url: 'amqp://127.0.0.1' },
      { kind: 'rabbitmq', token: 't' },
      { kind: 'rabbitmq', saslMechanism: 'plain' },
      { url: 'pulsar://127.0.0.1:6650', vhost: 'x' },
    ];
    for (const flags of cases) {
      assert.equal(
        await exitCodeOf(() => resolveContext(flags, {}, store)),
        ExitCode.USAGE,
        JSON.stringify(flags),
      );
    }
    await addContext(store, 'k', { kind: 'kafka' });
    assert.equal(await exitCodeOf(() => resolveContext({ vhost: 'x' }, {}, store)), ExitCode.USAGE);
    assert.equal(
      await exitCodeOf(() => addContext(store, 'z', { kind: 'kafka', vhost: 'x' })),
      ExitCode.USAGE,
    );
  });
});

describe('secrets from the environment and from files (issue 11 items 6 and 8)', () => {
  it('an unset --password-env variable is exit 2 naming the variable and the context', async () => {
    const store = freshStore();
    await addContext(store, 'sasl', {
      kind: 'kafka',
      brokers: '127.0.0.1:9094',
      username: 'u',
      passwordEnv: 'MQCTL_TEST_UNSET_PW',
    });
    try {
      resolveContext({ context: 'sasl' }, {}, store);
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof MqctlError);
      assert.equal(error.exitCode, ExitCode.USAGE);
      assert.match(error.message, /MQCTL_TEST_UNSET_PW/);
      assert.match(error.message, /context "sasl"/);
    }
    const ok = resolveContext({ context: 'sasl' }, { MQCTL_TEST_UNSET_PW: 'pw' }, store) as {
      sasl: { password: string };
    };
    assert.equal(ok.sasl.password, 'pw');
  });

  it('--password-file / --token-file: the context stores the path, the secret is read when connecting', async () => {
    const dir = tempDir('mqctl-secret-');
    const pwFile = join(dir, 'pw');
    const tokenFile = join(dir, 'token');
    writeFileSync(pwFile, 'Fi1e-S3cret\n', { mode: 0o600 });
    writeFileSync(tokenFile, 'eyJ.tok.en\n', { mode: 0o600 });
    const store = freshStore();
    await addContext(store, 'r', { kind: 'rabbitmq', username: 'u', passwordFile: pwFile });
    await addContext(store, 'p', { kind: 'pulsar', tokenFile });
    const text = readFileSync(store.path, 'utf8');
    assert.ok(text.includes(pwFile) && text.includes(tokenFile), text);
    assert.ok(!text.includes('Fi1e-S3cret') && !text.includes('eyJ.tok.en'), text);
    assert.equal(
      (resolveContext({ context: 'r' }, {}, store) as { password: string }).password,
      'Fi1e-S3cret',
    );
    assert.equal((resolveContext({ context: 'p' }, {}, store) as { token: string }).token, 'eyJ.tok.en');
    assert.equal(
      (resolveContext({ kind: 'rabbitmq', passwordFile: pwFile }, {}, freshStore()) as { password: string })
        .password,
      'Fi1e-S3cret',
    );
    assert.equal(
      await exitCodeOf(() =>
        addContext(store, 'x', { kind: 'rabbitmq', passwordFile: join(dir, 'missing') }),
      ),
      ExitCode.USAGE,
    );
    assert.equal(
      await exitCodeOf(() =>
        resolveContext({ kind: 'rabbitmq', password: 'a', passwordFile: pwFile }, {}, store),
      ),
      ExitCode.USAGE,
    );
  });
});

describe('protected resources (issue 11 item 1)', () => {
  it('names broker-owned topics, exchanges and queues, and nothing else', () => {
    for (const name of [
      '__consumer_offsets',
      '__transaction_state',
      '__share_group_state',
      '__cluster_metadata',
    ])
      assert.ok(protectedReason({ kind: 'kafka', type: 'topic', name }), name);
    assert.equal(protectedReason({ kind: 'kafka', type: 'topic', name: 'orders' }), undefined);
    const pulsar = (local: string, tenant = 'public', namespace = 'default') =>
      protectedReason({ kind: 'pulsar', type: 'topic', tenant, namespace, local, full: local });
    assert.ok(pulsar('__change_events'));
    assert.ok(pulsar('__change_events-partition-0'));
    assert.ok(pulsar('__transaction_buffer_snapshot'));
    assert.ok(pulsar('orders-sub__transaction_pending_ack'));
    assert.ok(pulsar('transaction_coordinator_assign-partition-0', 'pulsar', 'system'));
    assert.equal(pulsar('orders'), undefined);
    assert.ok(protectedReason({ kind: 'rabbitmq', type: 'exchange', name: '' }));
    assert.ok(protectedReason({ kind: 'rabbitmq', type: 'exchange', name: 'amq.direct' }));
    assert.ok(protectedReason({ kind: 'rabbitmq', type: 'queue', name: 'amq.gen-abc' }));
    assert.equal(protectedReason({ kind: 'rabbitmq', type: 'exchange', name: 'orders' }), undefined);
    assert.throws(
      () => refuseProtected('delete topic', { kind: 'kafka', type: 'topic', name: '__consumer_offsets' }),
      (e: unknown) => e instanceof MqctlError && e.exitCode === ExitCode.USAGE && !e.message.includes('\n'),
    );
  });
  it("a Kafka topic the broker's Metadata flags internal is refused whatever its name; unflagged names pass", () => {
    const future = { kind: 'kafka', type: 'topic', name: 'share_group_v2_state' } as const;
    assert.equal(protectedReason(future), undefined, 'by name alone it is an ordinary topic');
    assert.equal(protectedReason({ ...future, brokerInternal: false }), undefined);
    assert.match(
      protectedReason({ ...future, brokerInternal: true }) ?? '',
      /^"share_group_v2_state" is a topic the Kafka broker flags internal \(owned by the broker\)$/,
    );
    assert.throws(
      () => refuseProtected('delete topic', { ...future, brokerInternal: true }),
      (e: unknown) =>
        e instanceof MqctlError &&
        e.exitCode === ExitCode.USAGE &&
        e.message ===
          'refusing to delete topic: "share_group_v2_state" is a topic the Kafka broker flags internal (owned by the broker)',
    );
    // the name list still decides first (and before any connection): its reason, flag or not
    assert.match(
      protectedReason({ kind: 'kafka', type: 'topic', name: '__consumer_offsets', brokerInternal: false }) ??
        '',
      /is an internal Kafka topic/,
    );
  });
});
