import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  MASK,
  clearRegisteredSecrets,
  isSecretKey,
  redact,
  redactUrl,
  redactValue,
  registerSecret,
  registerSecretsIn,
  registerSecretsInArgv,
} from '../../src/core/redact';

// Exact outputs, written by hand: the properties in redact.test.ts check that secrets disappear; these also
// check that nothing else does (the user name, the host, the next key, the next line).

describe('redact: exact outputs of the URL and address rules', () => {
  afterEach(() => clearRegisteredSecrets());

  const cases: Array<[string, string]> = [
    ['', ''],
    ['no credentials here', 'no credentials here'],
    ['amqp://bob:s3cret@h:5672/vh', 'amqp://bob:****@h:5672/vh'],
    ['GET https://tok123@h/x failed', 'GET https://****@h/x failed'],
    // the password runs to the last at sign of the line
    ['amqp://bob:p@ss/w@h:5672', 'amqp://bob:****@h:5672'],
    ['from amqp://a:x1@h1 to amqp://b:x2@h2', 'from amqp://a:****@h1 to amqp://b:****@h2'],
    // ... and not past the end of the line
    ['amqp://u:pw@h1 fine\nmail user@example.com', 'amqp://u:****@h1 fine\nmail user@example.com'],
    // deliberately over-masked: a password may hold an at sign, so the rest of the line up to the last one goes
    ['see http://h/x and mail me@example.com', 'see http://****@example.com'],
    ['bob:pw@broker-1:9092,alice:pw2@[::1]:9093', 'bob:****@broker-1:9092,alice:****@[::1]:9093'],
    ['brokers "bob:p@w@h:9092" down', 'brokers "bob:****@h:9092" down'],
    ['user:pw@host has no port', 'user:pw@host has no port'],
    ['cannot reach 127.0.0.1:9092', 'cannot reach 127.0.0.1:9092'],
    ['s://u:pw@h', 's://u:****@h'],
    ['see http://h/x\nmail me@example.com', 'see http://h/x\nmail me@example.com'],
    ['from amqp://a:x1@h1 to amqp://b:x2@h2\nnext', 'from amqp://a:****@h1 to amqp://b:****@h2\nnext'],
    ['cannot reach u:pw@h:9092', 'cannot reach u:****@h:9092'],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => {
      assert.equal(redact(text), expected);
      assert.equal(redactUrl(text), expected);
    });
  }
});

describe('redact: exact outputs of the key rules', () => {
  afterEach(() => clearRegisteredSecrets());

  const cases: Array<[string, string]> = [
    ['{"password":"abc","user":"bob"}', '{"password":"****","user":"bob"}'],
    ["password: 'abc'\nuser: bob", "password: '****'\nuser: bob"],
    ['password=abc user=bob', 'password=**** user=bob'],
    ['url?token=abc&page=2', 'url?token=****&page=2'],
    ['token: abc def\nuser: bob', 'token: ****\nuser: bob'],
    ['headers: x-api-key: k123, x-trace: 1', 'headers: x-api-key: ****, x-trace: 1'],
    ['{apiKey: k123}', '{apiKey: ****}'],
    ['Authorization: Basic abc, next', 'Authorization: ****, next'],
    ['proxy-authorization=Bearer abc; x', 'proxy-authorization=****; x'],
    // prose, not YAML: a broker's refusal reason keeps its words
    ['Failed to authenticate token: JWT expired', 'Failed to authenticate token: JWT expired'],
    ['passwordEnv: MY_VAR', 'passwordEnv: MY_VAR'],
    ['username: bob', 'username: bob'],
    ['token: abc', 'token: ****'],
    ['password=abc', 'password=****'],
    ['user: bob\ntoken: abc', 'user: bob\ntoken: ****'],
    ['token: abc  \nuser: bob', 'token: ****  \nuser: bob'],
    ['token:  abc', 'token:  ****'],
    ['a,token: abc', 'a,token: ****'],
    ['got headers {token: abc}', 'got headers {token: ****}'],
    ['login with password=abc now', 'login with password=**** now'],
    ['Failed to authenticate  token: JWT expired', 'Failed to authenticate  token: JWT expired'],
    ['headers: x-api-key: k123,x-trace: 1', 'headers: x-api-key: ****,x-trace: 1'],
    ['headers: token: abc, x: 1', 'headers: token: ****, x: 1'],
    ['authorization=Basic:abc', 'authorization=****'],
    // a key inside the value of another is masked once, with it
    ['secret: x=1 token=2', 'secret: ****'],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.equal(redact(text), expected));
  }
});

describe('isSecretKey', () => {
  it('secret names in any spelling', () => {
    for (const key of [
      'password',
      'Password',
      'passwd',
      'pwd',
      'dbPwd',
      'sasl.password',
      'API-KEY',
      'api_key',
      'secret',
      'accessToken',
      'Authorization',
      'credentials',
      'privateKey',
      'accessKey',
      'passphrase',
      'sessionKey',
      'cookie',
      'urlToken',
      'fileSecret',
    ]) {
      assert.equal(isSecretKey(key), true, key);
    }
  });

  it('where a secret comes from, what it is, and ordinary names are not secrets', () => {
    for (const key of [
      'passwordEnv',
      'password_file',
      'tokenFile',
      'keyPath',
      'tokenType',
      'saslMechanism',
      'passwordLength',
      'tokenCount',
      'tokenExpiry',
      'tokenExpires',
      'tokenUrl',
      'authEndpoint',
      'username',
      'pwdx',
      'key',
      'host',
    ]) {
      assert.equal(isSecretKey(key), false, key);
    }
  });
});

describe('registered secrets: every printed form, longest first, 4 characters at least', () => {
  afterEach(() => clearRegisteredSecrets());

  it('masks the raw, percent-encoded, fully percent-encoded, decoded and JSON-escaped forms', () => {
    registerSecret('ab-cd.ef!');
    assert.equal(redact('x ab-cd.ef! y'), 'x **** y');
    assert.equal(redact('x ab%2Dcd%2Eef%21 y'), 'x **** y');
    registerSecret('p%40ssword');
    assert.equal(redact('x p@ssword y'), 'x **** y');
    registerSecret('q"uo\\te');
    assert.equal(redact(JSON.stringify({ x: 'q"uo\\te' })), '{"x":"****"}');
    registerSecret('%41%42');
    assert.equal(redact('AB %41%42'), 'AB ****', 'a decoded form under 4 characters is not registered');
    registerSecret('sp ace');
    assert.equal(redact('x sp%20ace y'), 'x **** y');
  });

  it('a secret that is not valid percent-encoding is still registered', () => {
    registerSecret('100%real');
    assert.equal(redact('rate 100%real'), 'rate ****');
  });

  it('shorter than 4 characters is not registered; 4 is', () => {
    registerSecret('abc');
    registerSecret('');
    registerSecret(undefined);
    registerSecret(null);
    assert.equal(redact('abc abcd'), 'abc abcd');
    registerSecret('abcd');
    assert.equal(redact('abc abcd'), 'abc ****');
  });

  it('a secret containing another is masked whole, whichever was registered first', () => {
    registerSecret('abcd');
    registerSecret('abcdefgh');
    assert.equal(redact('[abcdefgh]'), '[****]');
    clearRegisteredSecrets();
    assert.equal(redact('[abcdefgh]'), '[abcdefgh]');
  });

  it('registerSecretsIn: strings under secret keys and URL or address passwords, anywhere in a value', () => {
    const value = {
      name: 'visible-name',
      sasl: { password: 'hunter22', mechanism: 'plain' },
      list: ['amqp://u:urlpass1@h', 'bob:addrpass@broker:9092'],
      count: 3,
      nothing: null,
    };
    (value as Record<string, unknown>).self = value;
    registerSecretsIn(value);
    assert.equal(
      redact('visible-name plain hunter22 urlpass1 addrpass'),
      'visible-name plain **** **** ****',
    );
  });

  it('registerSecretsInArgv: --flag value, --flag=value and URLs in the argv', () => {
    registerSecretsInArgv([
      '--password',
      'pw-from-argv',
      '--token=tok-eq-1234',
      '--name',
      'visible-name',
      '--url',
      'amqp://u:argvpass@h',
    ]);
    assert.equal(redact('pw-from-argv tok-eq-1234 visible-name argvpass'), '**** **** visible-name ****');
  });
});

describe('registerSecretsIn: only strings are registered', () => {
  afterEach(() => clearRegisteredSecrets());

  it('a number or an object under a secret key is no secret string (and no crash)', () => {
    registerSecretsIn({ password: 123456, token: { value: 'inner-value' }, secret: null });
    assert.equal(redact('123456 inner-value'), '123456 inner-value');
  });
});

describe('registerSecretsInArgv: only --secret-flag arguments', () => {
  afterEach(() => clearRegisteredSecrets());

  it('an argument that merely contains --secret, or a flag name with junk, registers nothing', () => {
    registerSecretsInArgv(['--name', 'a--secret', 'next-value-1', '--password!x', 'not-a-secret-1']);
    assert.equal(redact('next-value-1 not-a-secret-1'), 'next-value-1 not-a-secret-1');
  });
});

describe('redactValue', () => {
  it('masks scalars under secret keys, recurses elsewhere, keeps empty and boolean values', () => {
    const when = new Date(0);
    const map = new Map([['password', 'kept']]);
    const input = {
      password: 'x',
      pin: { secret: 1234 },
      list: [{ token: 't' }, 'amqp://u:p@h'],
      token: true,
      apiKey: '',
      secret: null,
      privateKey: undefined,
      when,
      map,
      user: 'bob',
      credentials: { user: 'bob', password: 'x' },
    };
    const out = redactValue(input);
    assert.deepEqual(out, {
      password: MASK,
      pin: { secret: MASK },
      list: [{ token: MASK }, 'amqp://u:****@h'],
      token: true,
      apiKey: '',
      secret: null,
      privateKey: undefined,
      when,
      map,
      user: 'bob',
      credentials: { user: 'bob', password: MASK },
    });
    assert.equal(out.when, when);
    assert.equal(out.map, map);
    // a copy: the input is untouched
    assert.equal(input.password, 'x');
    assert.equal(redactValue('a=1'), 'a=1');
    assert.equal(redactValue(7), 7);
    assert.equal(redactValue(null), null);
  });

  it('objects without a prototype are copied; cycles are kept as cycles', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.password = 'x';
    assert.deepEqual({ ...redactValue(bare) }, { password: MASK });

    const obj: Record<string, unknown> = { password: 'x' };
    obj.self = obj;
    const arr: unknown[] = ['amqp://u:p@h'];
    arr.push(arr);
    const out = redactValue({ obj, arr });
    assert.equal(out.obj.self, out.obj);
    assert.notEqual(out.obj, obj);
    assert.equal(out.obj.password, MASK);
    assert.equal(out.arr[1], out.arr);
    assert.equal(out.arr[0], 'amqp://u:****@h');
  });
});
