import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addContext, useContext } from '../../src/config/contexts';
import {
  applyOverrides,
  describeTarget,
  overridesFromEnv,
  parseBrokerList,
  parseUrl,
  resolveContext,
  secretOf,
} from '../../src/config/resolve';
import { ConfigStore } from '../../src/config/store';
import { tempDir } from '../helpers/tmp';
import { expectUsageError } from '../helpers/usage-error';

function freshStore(): ConfigStore {
  const dir = tempDir('mqctl-resolve-');
  return new ConfigStore(join(dir, 'config.yaml'));
}

type Any = Record<string, unknown> & { tls?: Record<string, unknown> };

describe('connection resolution: flags > environment > context', () => {
  it('--url without --admin-url takes the admin address from the URL host, not the local broker', async () => {
    const store = freshStore();
    const pulsar = resolveContext({ url: 'pulsar://pulsar.example:6650' }, {}, store) as unknown as Any;
    assert.equal(pulsar.adminUrl, 'http://pulsar.example:8080');
    const pulsarTls = resolveContext(
      { url: 'pulsar+ssl://pulsar.example:6651' },
      {},
      store,
    ) as unknown as Any;
    assert.equal(pulsarTls.adminUrl, 'https://pulsar.example:8443');
    const rabbit = resolveContext({ url: 'amqp://u:p@rabbit.example:5672/v' }, {}, store) as unknown as Any;
    assert.equal(rabbit.managementUrl, 'http://rabbit.example:15672');
    const rabbitTls = resolveContext({ url: 'amqps://rabbit.example' }, {}, store) as unknown as Any;
    assert.equal(rabbitTls.managementUrl, 'https://rabbit.example:15671');
    // an explicit admin URL wins, from a flag or the environment
    const explicit = resolveContext(
      { url: 'pulsar://p:6650', adminUrl: 'http://admin:9999' },
      {},
      store,
    ) as unknown as Any;
    assert.equal(explicit.adminUrl, 'http://admin:9999');
    const fromEnv = resolveContext(
      { url: 'pulsar://p:6650' },
      { MQCTL_ADMIN_URL: 'http://a:1' },
      store,
    ) as unknown as Any;
    assert.equal(fromEnv.adminUrl, 'http://a:1');
  });

  it('environment of another kind than the flags is ignored; of the same kind it fills in', async () => {
    const store = freshStore();
    const env = { MQCTL_URL: 'amqp://e:5672', MQCTL_VHOST: 'ev', MQCTL_PASSWORD: 'pw' };
    const kafka = resolveContext({ brokers: '127.0.0.1:1' }, env, store) as unknown as Any;
    assert.equal(kafka.kind, 'kafka');
    assert.equal(kafka.sasl, undefined, 'a RabbitMQ password in the environment is not a Kafka SASL login');
    const rabbit = resolveContext({ kind: 'rabbitmq' }, env, store) as unknown as Any;
    assert.equal(rabbit.url, 'amqp://e:5672');
    assert.equal(rabbit.vhost, 'ev');
    assert.equal(rabbit.password, 'pw');
    assert.equal(rabbit.source, 'flags');
    assert.equal(resolveContext({}, { MQCTL_KIND: 'kafka' }, store).source, 'env');
  });

  it('the current context is used under kind-only flags of its kind, and not under another kind', async () => {
    const store = freshStore();
    await addContext(store, 'k', { kind: 'kafka', brokers: '10.1.1.1:9092' });
    await useContext(store, 'k');
    assert.deepEqual((resolveContext({ kind: 'kafka' }, {}, store) as unknown as Any).brokers, [
      '10.1.1.1:9092',
    ]);
    const pulsar = resolveContext({ kind: 'pulsar' }, {}, store) as unknown as Any;
    assert.equal(pulsar.serviceUrl, 'pulsar://127.0.0.1:6650');
    assert.notEqual(pulsar.name, 'k', 'a kafka context is not used for --kind pulsar');
    expectUsageError(
      () => resolveContext({ context: 'k', kind: 'pulsar' }, {}, store),
      /context "k" is kafka, but the flags name a pulsar broker/,
    );
    expectUsageError(() => resolveContext({ kind: 'nats' }, {}, store), /unknown broker kind "nats"/);
    assert.equal(resolveContext({ kind: 'Rabbit' }, {}, store).kind, 'rabbitmq');
  });

  it('environment flags: empty values are unset; tls takes 1/true/yes', async () => {
    assert.deepEqual(overridesFromEnv({ MQCTL_BROKERS: '', MQCTL_TLS: 'yes', MQCTL_TLS_INSECURE: '0' }), {
      tls: true,
      tlsInsecure: false,
    });
    assert.deepEqual(overridesFromEnv({ MQCTL_TLS: 'TRUE', MQCTL_TOKEN: 't' }), { tls: true, token: 't' });
  });

  it('TLS flags switch TLS on and keep the context files they do not replace', async () => {
    const spec = applyOverrides(
      { kind: 'kafka', brokers: ['h:1'], tls: { enabled: true, caFile: 'ca.pem', certFile: 'c.pem' } },
      { tlsKey: 'k.pem' },
    ) as unknown as Any;
    assert.deepEqual(spec.tls, {
      enabled: true,
      caFile: 'ca.pem',
      certFile: 'c.pem',
      keyFile: 'k.pem',
      insecure: undefined,
    });
    const insecure = applyOverrides(
      { kind: 'kafka', brokers: ['h:1'] },
      { tlsInsecure: true },
    ) as unknown as Any;
    assert.equal(insecure.tls?.enabled, true);
    assert.equal(insecure.tls?.insecure, true);
    assert.equal((applyOverrides({ kind: 'kafka', brokers: ['h:1'] }, {}) as unknown as Any).tls, undefined);
    const amqps = applyOverrides(
      { kind: 'rabbitmq', url: 'amqp://h', managementUrl: 'http://h:15672' },
      { url: 'amqps://h' },
    ) as unknown as Any;
    assert.deepEqual(amqps.tls, { enabled: true });
  });

  it('Kafka SASL: mechanism defaults to plain, needs a username, refuses an unknown mechanism and --url', async () => {
    const base = () => ({ kind: 'kafka' as const, brokers: ['h:1'] });
    assert.deepEqual((applyOverrides(base(), { username: 'u', password: 'p' }) as unknown as Any).sasl, {
      mechanism: 'plain',
      username: 'u',
      password: 'p',
    });
    assert.equal(
      (
        (applyOverrides(base(), { username: 'u', saslMechanism: 'SCRAM-SHA-512' }) as unknown as Any)
          .sasl as unknown as Any
      ).mechanism,
      'scram-sha-512',
    );
    expectUsageError(() => applyOverrides(base(), { password: 'p' }), /SASL needs --username/);
    expectUsageError(
      () => applyOverrides(base(), { username: 'u', saslMechanism: 'kerberos' }),
      /unknown SASL mechanism "kerberos"/,
    );
    expectUsageError(() => applyOverrides(base(), { url: 'amqp://h' }), /Kafka takes --brokers/);
  });

  it('RabbitMQ vhost: flag, then the URL path (decoded), then "/"', async () => {
    const spec = (url: string, vhost?: string) =>
      applyOverrides({ kind: 'rabbitmq', url, managementUrl: 'http://h:15672' }, { vhost }) as unknown as Any;
    assert.equal(spec('amqp://h/%2Fprod').vhost, '/prod');
    assert.equal(spec('amqp://h/').vhost, '/');
    assert.equal(spec('amqp://h').vhost, '/');
    assert.equal(spec('amqp://h/a', 'b').vhost, 'b');
  });

  it('broker lists and URLs: host:port with a port 1-65535, bracketed IPv6, the right schemes', async () => {
    assert.deepEqual(parseBrokerList(' a:1 , [::1]:65535,, '), ['a:1', '[::1]:65535']);
    for (const bad of ['a', 'a:0', 'a:65536', 'a:123456', 'http://a:1', '::1:9092', 'a b:1'])
      expectUsageError(() => parseBrokerList(bad), /malformed broker address/);
    expectUsageError(() => parseBrokerList(' , '), /--brokers is empty/);
    assert.equal(parseUrl('pulsar+ssl://h:6651', 'x', ['pulsar', 'pulsar+ssl']).port, '6651');
    expectUsageError(
      () => parseUrl('http://h', 'Pulsar service URL', ['pulsar']),
      /Pulsar service URL "http:\/\/h" has scheme "http"/,
    );
    expectUsageError(() => parseUrl('not a url', 'AMQP URL', ['amqp']), /malformed AMQP URL/);
    expectUsageError(() => parseUrl('amqp://', 'AMQP URL', ['amqp']));
  });

  it('a secret comes from the value, else from the named variable', async () => {
    assert.equal(secretOf('v', 'E', { E: 'e' }), 'v');
    assert.equal(secretOf(undefined, 'E', { E: 'e' }), 'e');
    assert.equal(secretOf('', 'E', { E: 'e' }), 'e');
    assert.equal(secretOf(undefined, undefined, { E: 'e' }), undefined);
  });

  it('the target named in messages: brokers, service URL, or AMQP URL', async () => {
    assert.equal(describeTarget({ kind: 'kafka', brokers: ['a:1', 'b:2'] }), 'a:1,b:2');
    assert.equal(
      describeTarget({ kind: 'pulsar', serviceUrl: 'pulsar://p:6650', adminUrl: 'http://p:8080' }),
      'pulsar://p:6650',
    );
  });
});
