import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExitCode, MqctlError } from '../../src/cli/errors';
import { addContext, deleteContext, listContexts, showContext, useContext } from '../../src/config/contexts';
import { maskSecrets, resolveContext } from '../../src/config/resolve';
import { ConfigStore, configPath } from '../../src/config/store';

function freshStore(): ConfigStore {
  return new ConfigStore(join(mkdtempSync(join(tmpdir(), 'mqctl-ctx-')), 'mqctl', 'config.yaml'));
}

function exitCodeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof MqctlError, `expected MqctlError, got ${error}`);
    return error.exitCode;
  }
  assert.fail('expected an error');
}

describe('config path', () => {
  it('uses XDG_CONFIG_HOME, then ~/.config, and MQCTL_CONFIG overrides both', () => {
    assert.equal(configPath({ XDG_CONFIG_HOME: '/x' }), '/x/mqctl/config.yaml');
    assert.match(configPath({}), /\.config\/mqctl\/config\.yaml$/);
    assert.equal(configPath({ MQCTL_CONFIG: '/y.yaml', XDG_CONFIG_HOME: '/x' }), '/y.yaml');
  });
});

describe('contexts', () => {
  it('round-trips add, list, use, show and delete; the file is 0600', () => {
    const store = freshStore();
    addContext(store, 'k', {
      kind: 'kafka',
      brokers: '127.0.0.1:9094',
      username: 'u',
      password: 's3cret!',
      saslMechanism: 'scram-sha-512',
    });
    addContext(store, 'r', {
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
    useContext(store, 'r');
    const shown = showContext(store);
    assert.equal(shown.name, 'r');
    assert.equal(shown.spec.kind, 'rabbitmq');
    assert.ok(!JSON.stringify(shown).includes('hunter2'));
    assert.ok(!JSON.stringify(showContext(store, 'k')).includes('s3cret!'));
    assert.ok(
      readFileSync(store.path, 'utf8').includes('s3cret!'),
      'the secret is stored (0600) for later use',
    );
    deleteContext(store, 'r');
    assert.equal(listContexts(store).length, 1);
    assert.equal(store.load().currentContext, undefined);
  });

  it('rejects bad names, kinds, URLs and duplicates with usage errors; unknown names with not-found', () => {
    const store = freshStore();
    assert.equal(
      exitCodeOf(() => addContext(store, 'bad name', { kind: 'kafka' })),
      ExitCode.USAGE,
    );
    assert.equal(
      exitCodeOf(() => addContext(store, 'x', { kind: 'nats' })),
      ExitCode.USAGE,
    );
    assert.equal(
      exitCodeOf(() => addContext(store, 'x', { kind: 'kafka', brokers: 'no-port' })),
      ExitCode.USAGE,
    );
    assert.equal(
      exitCodeOf(() => addContext(store, 'x', { kind: 'pulsar', url: 'http//bad' })),
      ExitCode.USAGE,
    );
    assert.equal(
      exitCodeOf(() => addContext(store, 'x', { kind: 'rabbitmq', url: 'pulsar://h:1' })),
      ExitCode.USAGE,
    );
    addContext(store, 'x', { kind: 'kafka' });
    assert.equal(
      exitCodeOf(() => addContext(store, 'x', { kind: 'kafka' })),
      ExitCode.USAGE,
    );
    assert.equal(
      exitCodeOf(() => useContext(store, 'nope')),
      ExitCode.NOT_FOUND,
    );
    assert.equal(
      exitCodeOf(() => deleteContext(store, 'nope')),
      ExitCode.NOT_FOUND,
    );
  });
});

describe('resolveContext precedence', () => {
  it('flags beat environment, environment beats the current context', () => {
    const store = freshStore();
    addContext(store, 'ctx', { kind: 'kafka', brokers: '10.0.0.1:9092' });
    assert.deepEqual((resolveContext({}, {}, store) as { brokers: string[] }).brokers, ['10.0.0.1:9092']);
    const env = { MQCTL_BROKERS: '127.0.0.2:9092' };
    assert.deepEqual((resolveContext({}, env, store) as { brokers: string[] }).brokers, ['127.0.0.2:9092']);
    assert.deepEqual(
      (resolveContext({ brokers: '127.0.0.3:9092' }, env, store) as { brokers: string[] }).brokers,
      ['127.0.0.3:9092'],
    );
  });

  it('a kind alone gives the local defaults; nothing at all is a usage error', () => {
    const store = freshStore();
    const pulsar = resolveContext({ kind: 'pulsar' }, {}, store);
    assert.equal(pulsar.kind, 'pulsar');
    assert.equal(
      exitCodeOf(() => resolveContext({}, {}, store)),
      ExitCode.USAGE,
    );
  });

  it('infers the kind from the URL scheme and reads the vhost from the AMQP URL', () => {
    const store = freshStore();
    const rabbit = resolveContext({ url: 'amqp://u:p@127.0.0.1:5672/orders' }, {}, store);
    assert.equal(rabbit.kind, 'rabbitmq');
    assert.equal((rabbit as { vhost?: string }).vhost, 'orders');
    assert.equal(resolveContext({ url: 'pulsar://127.0.0.1:6650' }, {}, store).kind, 'pulsar');
    assert.equal(
      exitCodeOf(() => resolveContext({ url: 'ftp://x' }, {}, store)),
      ExitCode.USAGE,
    );
  });

  it('an unknown context named by flag or MQCTL_CONTEXT is not found', () => {
    const store = freshStore();
    assert.equal(
      exitCodeOf(() => resolveContext({ context: 'missing' }, {}, store)),
      ExitCode.NOT_FOUND,
    );
    assert.equal(
      exitCodeOf(() => resolveContext({}, { MQCTL_CONTEXT: 'missing' }, store)),
      ExitCode.NOT_FOUND,
    );
  });

  it('masks passwords, tokens and URL credentials', () => {
    const masked = maskSecrets({ token: 'abc', nested: { password: 'p' }, url: 'amqp://a:b@h:1' });
    assert.deepEqual(masked, { token: '****', nested: { password: '****' }, url: 'amqp://a:****@h:1' });
  });
});
