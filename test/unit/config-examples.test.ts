import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { addContext, useContext } from '../../src/config/contexts';
import {
  applyOverrides,
  describeTarget,
  describeWriteTarget,
  overridesFromEnv,
  parseBrokerList,
  parseUrl,
  readSecretFile,
  resolveContext,
  resolveSecrets,
  secretOf,
} from '../../src/config/resolve';
import { ConfigStore } from '../../src/config/store';
import type { ContextSpec, ResolvedContext } from '../../src/config/types';
import { tempDir } from '../helpers/tmp';
import { expectUsageError } from '../helpers/usage-error';

// Hand-written examples per branch of connection resolution: exact results, and for each refusal the
// message and hint that name the problem.

function freshStore(): ConfigStore {
  return new ConfigStore(join(tempDir('mqctl-config-ex-'), 'config.yaml'));
}

type Any = Record<string, unknown>;
const asAny = (x: unknown) => x as Any;

describe('overridesFromEnv', () => {
  it('reads the MQCTL_* variables, skips empty ones, and reads TLS switches as 1/true/yes', () => {
    assert.deepEqual(
      overridesFromEnv({
        MQCTL_KIND: 'kafka',
        MQCTL_BROKERS: 'h:1',
        MQCTL_TLS: 'YES',
        MQCTL_TLS_INSECURE: '0',
        MQCTL_VHOST: '',
        MQCTL_TOKEN: 't',
        MQCTL_PASSWORD_FILE: '/pw',
        OTHER: 'x',
      }),
      { kind: 'kafka', brokers: 'h:1', tls: true, tlsInsecure: false, token: 't', passwordFile: '/pw' },
    );
    assert.deepEqual(overridesFromEnv({ MQCTL_TLS: 'true1', MQCTL_TLS_INSECURE: '1' }), {
      tls: false,
      tlsInsecure: true,
    });
    assert.deepEqual(overridesFromEnv({}), {});
  });
});

describe('parseUrl', () => {
  const amqp = ['amqp', 'amqps'];
  it('accepts a URL of one of the schemes', () => {
    const url = parseUrl('amqp://u:p@h:5672/vh', 'AMQP URL', amqp);
    assert.equal(url.hostname, 'h');
    assert.equal(url.pathname, '/vh');
  });

  it('refuses a raw at sign after a slash, and spaces, with the encoding hint', () => {
    expectUsageError(
      () => parseUrl('amqp://u:p/w@h', 'AMQP URL', amqp),
      /^malformed AMQP URL .*raw at sign/,
      /%40/,
    );
    expectUsageError(
      () => parseUrl('amqp://h /v', 'AMQP URL', amqp),
      /^malformed AMQP URL .*raw at sign/,
      /%20/,
    );
  });

  it('refuses what is no URL, another scheme, and no host', () => {
    expectUsageError(
      () => parseUrl('amqp//h', 'AMQP URL', amqp),
      /^malformed AMQP URL "amqp\/\/h"$/,
      /amqp:\/\/127\.0\.0\.1/,
    );
    expectUsageError(
      () => parseUrl('http://h', 'AMQP URL', amqp),
      /^AMQP URL "http:\/\/h" has scheme "http"$/,
      /^use amqp or amqps$/,
    );
    expectUsageError(() => parseUrl('amqp://', 'AMQP URL', amqp), /^AMQP URL "amqp:\/\/" has no host$/);
  });
});

describe('parseBrokerList', () => {
  it('trims, drops empty entries, accepts names, IPs, IPv6 and ports 1..65535', () => {
    assert.deepEqual(parseBrokerList(' a:1 , b.example:65535 ,'), ['a:1', 'b.example:65535']);
    assert.deepEqual(parseBrokerList('[::1]:9092'), ['[::1]:9092']);
  });

  it('refuses an empty list, a missing or out-of-range port, and never prints credentials', () => {
    expectUsageError(() => parseBrokerList(' , '), /^--brokers is empty$/, /127\.0\.0\.1:9092/);
    for (const bad of ['h', 'h:0', 'h:65536', 'h:123456', 'h:-1', 'h:9092/x']) {
      expectUsageError(
        () => parseBrokerList(bad),
        new RegExp(`^malformed broker address "${bad}"$`),
        /^use host:port, e\.g\./,
      );
    }
    expectUsageError(
      () => parseBrokerList('u:s3cret@h:9092'),
      /^malformed broker address "\*\*\*\*@h:9092"$/,
      /--username and --password-file/,
    );
  });
});

describe('resolveContext: kinds, sources and foreign flags', () => {
  it('a kind by name (any case, "rabbit"), by --brokers, or by URL scheme', () => {
    const store = freshStore();
    assert.equal(resolveContext({ kind: 'Rabbit' }, {}, store).kind, 'rabbitmq');
    assert.equal(resolveContext({ kind: 'KAFKA' }, {}, store).kind, 'kafka');
    assert.equal(resolveContext({ url: 'AMQPS://h' }, {}, store).kind, 'rabbitmq');
    assert.equal(resolveContext({ url: 'pulsar+ssl://h:6651' }, {}, store).kind, 'pulsar');
    expectUsageError(
      () => resolveContext({ kind: 'redis' }, {}, store),
      /^unknown broker kind "redis"$/,
      /kafka, pulsar, rabbitmq/,
    );
    expectUsageError(
      () => resolveContext({ url: 'http://h' }, {}, store),
      /cannot tell the broker kind/,
      /--kind/,
    );
    expectUsageError(() => resolveContext({}, {}, store), /^no broker selected$/, /--kind/);
  });

  it('names where the settings came from', () => {
    const store = freshStore();
    const flags = resolveContext({ brokers: 'f:1' }, {}, store);
    assert.equal(flags.source, 'flags');
    assert.equal(flags.name, '(flags)');
    const env = resolveContext({}, { MQCTL_BROKERS: 'e:1' }, store);
    assert.equal(env.source, 'env');
    assert.deepEqual(asAny(env).brokers, ['e:1']);
  });

  it('environment settings of another kind than the flags are dropped; of the same kind, kept', () => {
    const store = freshStore();
    const other = resolveContext({ kind: 'pulsar' }, { MQCTL_KIND: 'kafka', MQCTL_BROKERS: 'e:1' }, store);
    assert.equal(asAny(other).serviceUrl, 'pulsar://127.0.0.1:6650');
    const same = resolveContext({ kind: 'pulsar' }, { MQCTL_URL: 'pulsar://e:6650' }, store);
    assert.equal(asAny(same).serviceUrl, 'pulsar://e:6650');
    assert.equal(asAny(same).adminUrl, 'http://e:8080');
  });

  it('a flag of another kind names what selected the kind', () => {
    const store = freshStore();
    expectUsageError(
      () => resolveContext({ kind: 'kafka', vhost: 'v' }, {}, store),
      /^--vhost is for RabbitMQ, but --kind selects Kafka$/,
      /^drop --vhost/,
    );
    expectUsageError(
      () => resolveContext({ brokers: 'h:1', token: 't' }, {}, store),
      /^--token is for Pulsar, but --brokers selects Kafka$/,
    );
    expectUsageError(
      () => resolveContext({ url: 'pulsar://h:6650', vhost: 'v' }, {}, store),
      /^--vhost is for RabbitMQ, but --url selects Pulsar$/,
    );
    expectUsageError(
      () => resolveContext({ kind: 'kafka', url: 'amqp://h' }, {}, store),
      /^--url is for Pulsar\/RabbitMQ, but --kind selects Kafka$/,
    );
    expectUsageError(
      () => resolveContext({ kind: 'pulsar', url: 'amqp://h' }, {}, store),
      /^--url "amqp:\/\/h" is a RabbitMQ URL, but --kind selects Pulsar$/,
      /^drop one of them$/,
    );
    expectUsageError(
      () => resolveContext({ vhost: 'v' }, { MQCTL_KIND: 'kafka' }, store),
      /^--vhost is for RabbitMQ, but MQCTL_\* environment selects Kafka$/,
    );
    // an empty value is no flag
    assert.equal(resolveContext({ kind: 'kafka', vhost: '' }, {}, store).kind, 'kafka');
  });

  it('a context of another kind than the flags is refused; the current context of the same kind is used', async () => {
    const store = freshStore();
    await addContext(store, 'k', { kind: 'kafka', brokers: '10.1.1.1:9092' });
    await useContext(store, 'k');
    expectUsageError(
      () => resolveContext({ context: 'k', url: 'amqp://h' }, {}, store),
      /^context "k" is kafka, but the flags name a rabbitmq broker$/,
      /drop --context/,
    );
    const current = resolveContext({ kind: 'kafka' }, {}, store);
    assert.equal(current.name, 'k');
    assert.equal(current.source, 'config');
    assert.deepEqual(asAny(current).brokers, ['10.1.1.1:9092']);
    expectUsageError(
      () => resolveContext({ vhost: 'v' }, {}, store),
      /^--vhost is for RabbitMQ, but context "k" selects Kafka$/,
    );
    const other = resolveContext({ kind: 'pulsar' }, {}, store);
    assert.equal(other.name, '(flags)');
    assert.equal(other.source, 'flags');
  });
});

describe('resolveSecrets and readSecretFile', () => {
  const rabbit = (extra: Any, source: ResolvedContext['source'] = 'config'): ResolvedContext =>
    ({
      kind: 'rabbitmq',
      url: 'amqp://h',
      managementUrl: 'http://h:15672',
      name: 'r',
      source,
      ...extra,
    }) as ResolvedContext;

  it('a literal wins, then a file, then a variable; a missing variable names it and the context', () => {
    const lit = rabbit({ password: 'lit', passwordEnv: 'PW' });
    resolveSecrets(lit, { PW: 'env' });
    assert.equal(asAny(lit).password, 'lit');
    const env = rabbit({ passwordEnv: 'PW' });
    resolveSecrets(env, { PW: 'env' });
    assert.equal(asAny(env).password, 'env');
    const none = rabbit({});
    resolveSecrets(none, {});
    assert.equal(asAny(none).password, undefined);
    for (const value of [{}, { PW: '' }]) {
      expectUsageError(
        () => resolveSecrets(rabbit({ passwordEnv: 'PW' }), value),
        /^environment variable PW \(the password of context "r"\) is not set$/,
        /^export PW, or pass --password-file$/,
      );
    }
    expectUsageError(
      () => resolveSecrets(rabbit({ passwordEnv: 'PW' }, 'flags'), {}),
      /\(the password of the connection flags\)/,
    );
  });

  it('Kafka SASL and Pulsar tokens, from files without their trailing newline', () => {
    const dir = tempDir('mqctl-secret-');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'tok\r\n');
    const pulsar = {
      kind: 'pulsar',
      serviceUrl: 'pulsar://h:6650',
      adminUrl: 'http://h:8080',
      tokenFile,
      name: 'p',
      source: 'config',
    } as ResolvedContext;
    resolveSecrets(pulsar, {});
    assert.equal(asAny(pulsar).token, 'tok');
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, 'pw\n\n');
    const kafka = {
      kind: 'kafka',
      brokers: ['h:1'],
      sasl: { mechanism: 'plain', username: 'u', passwordFile: pwFile },
      name: 'k',
      source: 'flags',
    } as ResolvedContext;
    resolveSecrets(kafka, {});
    assert.equal((kafka as { sasl: { password: string } }).sasl.password, 'pw\n');
    const plain = { kind: 'kafka', brokers: ['h:1'], name: 'k', source: 'flags' } as ResolvedContext;
    resolveSecrets(plain, {});
    assert.deepEqual(plain, { kind: 'kafka', brokers: ['h:1'], name: 'k', source: 'flags' });
  });

  it('a missing or empty file is a usage error naming it', () => {
    const dir = tempDir('mqctl-secret-');
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expectUsageError(
      () => readSecretFile(empty, 'token', 'context "p"'),
      /^the token file .*empty of context "p" is empty$/,
    );
    expectUsageError(
      () => readSecretFile(join(dir, 'missing'), 'password', 'the connection flags'),
      /^cannot read the password file .*missing of the connection flags \(ENOENT\)$/,
      /--password-file/,
    );
  });
});

describe('applyOverrides', () => {
  const kafka = (extra: Any = {}) => ({ kind: 'kafka', brokers: ['h:1'], ...extra }) as ContextSpec;
  const pulsar = (extra: Any = {}) =>
    ({
      kind: 'pulsar',
      serviceUrl: 'pulsar://127.0.0.1:6650',
      adminUrl: 'http://127.0.0.1:8080',
      ...extra,
    }) as ContextSpec;
  const rabbit = (extra: Any = {}) =>
    ({
      kind: 'rabbitmq',
      url: 'amqp://127.0.0.1:5672',
      managementUrl: 'http://127.0.0.1:15672',
      ...extra,
    }) as ContextSpec;

  it('TLS flags turn TLS on and keep the context settings they do not replace', () => {
    assert.deepEqual(asAny(applyOverrides(kafka(), { tlsCa: '/ca.pem' })).tls, {
      enabled: true,
      caFile: '/ca.pem',
      certFile: undefined,
      keyFile: undefined,
      insecure: undefined,
    });
    assert.deepEqual(
      asAny(
        applyOverrides(kafka({ tls: { enabled: false, certFile: '/c', keyFile: '/k' } }), {
          tlsInsecure: true,
        }),
      ).tls,
      { enabled: true, caFile: undefined, certFile: '/c', keyFile: '/k', insecure: true },
    );
    for (const o of [{ tls: true }, { tlsCert: '/c' }, { tlsKey: '/k' }]) {
      assert.equal((asAny(applyOverrides(kafka(), o)).tls as Any).enabled, true, JSON.stringify(o));
    }
    assert.equal(asAny(applyOverrides(kafka(), { tlsInsecure: false })).tls, undefined);
  });

  it('Kafka: brokers validated, SASL from flags and the context', () => {
    expectUsageError(
      () => applyOverrides(kafka(), { url: 'amqp://h' }),
      /^Kafka takes --brokers host:port, not --url$/,
    );
    assert.deepEqual(asAny(applyOverrides(kafka(), { brokers: 'a:1,b:2' })).brokers, ['a:1', 'b:2']);
    expectUsageError(() => applyOverrides(kafka({ brokers: ['bad'] }), {}), /malformed broker address "bad"/);
    assert.deepEqual(asAny(applyOverrides(kafka(), { username: 'u', password: 'p' })).sasl, {
      mechanism: 'plain',
      username: 'u',
      password: 'p',
    });
    assert.deepEqual(asAny(applyOverrides(kafka(), { username: 'u', saslMechanism: 'SCRAM-SHA-512' })).sasl, {
      mechanism: 'scram-sha-512',
      username: 'u',
      password: undefined,
    });
    assert.deepEqual(
      asAny(
        applyOverrides(kafka({ sasl: { mechanism: 'scram-sha-256', username: 'old', passwordEnv: 'E' } }), {
          password: 'p',
        }),
      ).sasl,
      { mechanism: 'scram-sha-256', username: 'old', passwordEnv: 'E', password: 'p' },
    );
    assert.deepEqual(asAny(applyOverrides(kafka(), { username: 'u', passwordFile: 'rel/pw' })).sasl, {
      mechanism: 'plain',
      username: 'u',
      passwordFile: resolve('rel/pw'),
    });
    expectUsageError(
      () => applyOverrides(kafka(), { username: 'u', saslMechanism: 'gssapi' }),
      /^unknown SASL mechanism "gssapi"$/,
      /^use plain, scram-sha-256, scram-sha-512$/,
    );
    expectUsageError(() => applyOverrides(kafka(), { password: 'p' }), /^SASL needs --username$/);
    expectUsageError(
      () => applyOverrides(kafka(), { username: 'u', password: 'p', passwordFile: '/pw' }),
      /^--password and --password-file both give the password$/,
      /^pass one of them$/,
    );
  });

  it('Pulsar: one URL names the host of the other; tokens; both ends on the same side', () => {
    const tls = asAny(applyOverrides(pulsar(), { url: 'pulsar+ssl://p.example:6651' }));
    assert.equal(tls.adminUrl, 'https://p.example:8443');
    const fromAdmin = asAny(applyOverrides(pulsar(), { adminUrl: 'https://p.example:8443' }));
    assert.equal(fromAdmin.serviceUrl, 'pulsar+ssl://p.example:6651');
    const plainAdmin = asAny(applyOverrides(pulsar(), { adminUrl: 'http://p.example:8080' }));
    assert.equal(plainAdmin.serviceUrl, 'pulsar://p.example:6650');
    assert.equal(asAny(applyOverrides(pulsar(), { token: 't' })).token, 't');
    const file = asAny(applyOverrides(pulsar({ token: 'old', tokenEnv: 'E' }), { tokenFile: 'rel/t' }));
    assert.equal(file.tokenFile, resolve('rel/t'));
    assert.equal('token' in file, false);
    assert.equal('tokenEnv' in file, false);
    expectUsageError(
      () => applyOverrides(pulsar(), { token: 't', tokenFile: '/t' }),
      /^--token and --token-file both give the token$/,
    );
    expectUsageError(
      () => applyOverrides(pulsar({ serviceUrl: 'pulsar://remote:6650' }), {}),
      /^the service URL names host remote but the admin URL names host 127\.0\.0\.1: admin requests would go to another cluster$/,
      /^pass --admin-url for remote \(or --url for 127\.0\.0\.1\)/,
    );
    // loopback in any spelling is one side
    assert.equal(
      asAny(
        applyOverrides(pulsar({ serviceUrl: 'pulsar://[::1]:6650', adminUrl: 'http://localhost:8080' }), {}),
      ).serviceUrl,
      'pulsar://[::1]:6650',
    );
    assert.equal(
      asAny(applyOverrides(pulsar({ serviceUrl: 'pulsar://127.0.0.2:6650' }), {})).serviceUrl,
      'pulsar://127.0.0.2:6650',
    );
    expectUsageError(
      () => applyOverrides(pulsar({ serviceUrl: 'pulsar://128.0.0.1:6650' }), {}),
      /names host 128\.0\.0\.1/,
    );
    expectUsageError(
      () => applyOverrides(pulsar({ serviceUrl: 'pulsar://x127.0.0.1:6650' }), {}),
      /names host x127\.0\.0\.1/,
    );
  });

  it('RabbitMQ: vhost from the URL path, TLS from amqps, credentials and the management URL', () => {
    const tls = asAny(applyOverrides(rabbit(), { url: 'amqps://u:p@r.example/my%2Fvh' }));
    assert.equal(tls.managementUrl, 'https://r.example:15671');
    assert.equal(tls.vhost, 'my/vh');
    assert.deepEqual(tls.tls, { enabled: true });
    const plain = asAny(applyOverrides(rabbit(), { url: 'amqp://r.example' }));
    assert.equal(plain.managementUrl, 'http://r.example:15672');
    assert.equal(plain.vhost, '/');
    assert.equal(plain.tls, undefined);
    assert.equal(asAny(applyOverrides(rabbit(), { url: 'amqp://r.example/' })).vhost, '/');
    assert.equal(asAny(applyOverrides(rabbit(), { url: 'amqp://r.example/v', vhost: 'w' })).vhost, 'w');
    const fromAdmin = asAny(applyOverrides(rabbit(), { adminUrl: 'https://r.example:15671' }));
    assert.equal(fromAdmin.url, 'amqps://r.example:5671');
    assert.deepEqual(fromAdmin.tls, { enabled: true });
    const plainAdmin = asAny(applyOverrides(rabbit(), { adminUrl: 'http://r.example:15672' }));
    assert.equal(plainAdmin.url, 'amqp://r.example:5672');
    const kept = asAny(
      applyOverrides(rabbit({ tls: { enabled: true, caFile: '/ca' } }), { url: 'amqps://r.example' }),
    );
    assert.deepEqual(kept.tls, { enabled: true, caFile: '/ca' });
    const creds = asAny(applyOverrides(rabbit(), { username: 'u', password: 'p' }));
    assert.equal(creds.username, 'u');
    assert.equal(creds.password, 'p');
    const file = asAny(
      applyOverrides(rabbit({ password: 'old', passwordEnv: 'E' }), { passwordFile: 'rel/pw' }),
    );
    assert.equal(file.passwordFile, resolve('rel/pw'));
    assert.equal('password' in file, false);
    assert.equal('passwordEnv' in file, false);
    expectUsageError(
      () => applyOverrides(rabbit({ url: 'amqp://remote' }), {}),
      /the AMQP URL names host remote but the management URL/,
    );
  });
});

describe('describeWriteTarget, describeTarget, secretOf', () => {
  it('name the source and every address, passwords masked', () => {
    assert.equal(
      describeWriteTarget({ kind: 'kafka', brokers: ['a:1', 'b:2'], name: 'k', source: 'config' }),
      'context "k": Kafka a:1,b:2',
    );
    assert.equal(
      describeWriteTarget({
        kind: 'pulsar',
        serviceUrl: 'pulsar://h:6650',
        adminUrl: 'http://u:pw@h:8080',
        name: '(flags)',
        source: 'flags',
      }),
      'connection flags: Pulsar pulsar://h:6650 (admin http://u:****@h:8080)',
    );
    assert.equal(
      describeWriteTarget({
        kind: 'rabbitmq',
        url: 'amqp://guest:guest@h:5672',
        managementUrl: 'http://h:15672',
        name: '(flags)',
        source: 'env',
      }),
      'MQCTL_* environment / local defaults: RabbitMQ amqp://guest:****@h:5672 vhost / (management http://h:15672)',
    );
    assert.equal(
      describeWriteTarget({
        kind: 'rabbitmq',
        url: 'amqp://h',
        managementUrl: 'http://h:15672',
        vhost: 'v',
        name: 'r',
        source: 'config',
      }),
      'context "r": RabbitMQ amqp://h vhost v (management http://h:15672)',
    );
    assert.equal(describeTarget({ kind: 'kafka', brokers: ['u:pw@h:9092', 'b:2'] }), 'u:****@h:9092,b:2');
    assert.equal(
      describeTarget({ kind: 'pulsar', serviceUrl: 'pulsar://t0ken@h:6650', adminUrl: 'http://h:8080' }),
      'pulsar://****@h:6650',
    );
    assert.equal(
      describeTarget({ kind: 'rabbitmq', url: 'amqp://guest:guest@h', managementUrl: 'http://h:15672' }),
      'amqp://guest:****@h',
    );
  });

  it('secretOf: the value, else the variable it names', () => {
    assert.equal(secretOf('v', 'E', { E: 'x' }), 'v');
    assert.equal(secretOf(undefined, 'E', { E: 'x' }), 'x');
    assert.equal(secretOf('', 'E', { E: 'x' }), 'x');
    assert.equal(secretOf(undefined, undefined, { E: 'x' }), undefined);
    assert.equal(secretOf(undefined, 'E', {}), undefined);
  });
});

// Written for the survivors of the mutation run of src/config/resolve.ts (issue 18; docs/DEVELOPING.md lists
// the ones judged equivalent). Each example names the behaviour a surviving mutant changed.
describe('connection resolution: edges the mutation run found untested', () => {
  it('a context named by --context alone (no connection flags) is used as it is', async () => {
    const store = freshStore();
    await addContext(store, 'r', {
      kind: 'rabbitmq',
      url: 'amqp://10.2.2.2',
      adminUrl: 'http://10.2.2.2:15672',
    });
    const named = resolveContext({ context: 'r' }, {}, store);
    assert.equal(named.name, 'r');
    assert.equal(named.source, 'config');
    assert.equal(asAny(named).url, 'amqp://10.2.2.2');
    // with flags that name the same kind, the context is used too
    const same = resolveContext({ context: 'r', kind: 'rabbitmq', vhost: 'v2' }, {}, store);
    assert.equal(same.name, 'r');
    assert.equal(asAny(same).vhost, 'v2');
  });

  it('flags of one kind without any kind selected: "no broker selected", not a foreign-flag error', () => {
    expectUsageError(
      () => resolveContext({ vhost: 'v' }, {}, freshStore()),
      /^no broker selected$/,
      /--kind kafka\|pulsar\|rabbitmq/,
    );
  });

  it('a URL whose scheme only ends in amqp:// names no kind', () => {
    expectUsageError(
      () => resolveContext({ url: 'x-amqp://h' }, {}, freshStore()),
      /^cannot tell the broker kind from --url "x-amqp:\/\/h"$/,
    );
  });

  it('a flag given as undefined leaves the environment value in place', () => {
    const r = resolveContext(
      { kind: 'kafka', brokers: undefined },
      { MQCTL_BROKERS: '10.3.3.3:9092' },
      freshStore(),
    );
    assert.deepEqual(asAny(r).brokers, ['10.3.3.3:9092']);
  });

  it('a context keeps its token, user name, password and vhost when no flag replaces them', async () => {
    const store = freshStore();
    await addContext(store, 'p', { kind: 'pulsar', url: 'pulsar://10.4.4.4:6650', token: 'tok-ctx' });
    const pulsar = resolveContext({ context: 'p' }, {}, store);
    assert.equal(asAny(pulsar).token, 'tok-ctx');
    await addContext(store, 'q', {
      kind: 'rabbitmq',
      url: 'amqp://10.4.4.4',
      username: 'ctx-user',
      password: 'ctx-pass',
      vhost: 'ctx-vhost',
    });
    const rabbit = asAny(resolveContext({ context: 'q' }, {}, store));
    assert.equal(rabbit.username, 'ctx-user');
    assert.equal(rabbit.password, 'ctx-pass');
    assert.equal(rabbit.vhost, 'ctx-vhost');
  });

  it('Pulsar tokens: a literal is kept, a --token-env variable is read', () => {
    const pulsar = (extra: Any): ResolvedContext =>
      ({
        kind: 'pulsar',
        serviceUrl: 'pulsar://h:6650',
        adminUrl: 'http://h:8080',
        name: 'p',
        source: 'config',
        ...extra,
      }) as ResolvedContext;
    const literal = pulsar({ token: 'tok-literal' });
    resolveSecrets(literal, {});
    assert.equal(asAny(literal).token, 'tok-literal');
    const fromEnv = pulsar({ tokenEnv: 'MQCTL_TEST_TOKEN' });
    resolveSecrets(fromEnv, { MQCTL_TEST_TOKEN: 'tok-env' });
    assert.equal(asAny(fromEnv).token, 'tok-env');
  });

  it('a secret file loses one trailing newline, never one inside the secret', () => {
    const file = join(tempDir('mqctl-config-ex-'), 'secret');
    writeFileSync(file, 'line-one\nline-two\n');
    assert.equal(readSecretFile(file, 'password', 'the test'), 'line-one\nline-two');
  });

  it('a URL whose path starts right after the scheme and holds an at sign is refused as a raw at sign', () => {
    expectUsageError(
      () => parseUrl('amqp:///user@host', 'AMQP URL', ['amqp']),
      /a raw at sign, slash or space in it$/,
    );
  });

  it('a broker address that starts with an at sign is masked and gets the credentials hint', () => {
    expectUsageError(
      () => parseBrokerList('@h:notaport'),
      /^malformed broker address "\*\*\*\*@h:notaport"$/,
      /--username and --password-file/,
    );
  });

  it('localhost and [::1] are this machine: with an admin URL on 127.0.0.1 they are the same side', () => {
    for (const url of ['amqp://localhost', 'amqp://[::1]']) {
      const r = resolveContext({ url, adminUrl: 'http://127.0.0.1:15672' }, {}, freshStore());
      assert.equal(asAny(r).url, url);
    }
    expectUsageError(
      () => resolveContext({ url: 'amqp://localhost', adminUrl: 'http://10.5.5.5:15672' }, {}, freshStore()),
      /names host localhost but the management URL names host 10\.5\.5\.5/,
    );
  });
});
