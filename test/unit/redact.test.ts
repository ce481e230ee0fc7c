import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { parseUrl, parseBrokerList } from '../../src/config/resolve';
import { formatErrorLine } from '../../src/core/errors';
import { MASK, clearRegisteredSecrets, redact, redactValue, registerSecret } from '../../src/core/redact';

/**
 * Property tests of the one redactor (issue 18 item 6): generated secrets of any printable characters,
 * several URLs per message, every key spelling, through the redactor and through real error paths.
 * Registered secrets are cleared so each property tests the URL and key rules on their own.
 */

// Printable ASCII secrets of 6+ characters with at least one letter and digit: long enough that finding
// one by chance in the surrounding text is impossible.
const secretArb = fc
  .string({
    unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~'.split('')),
    minLength: 6,
    maxLength: 24,
  })
  .map((s) => `Q7${s}k9`)
  .filter((s) => s.trim() === s && !s.includes('\n'));
const userArb = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const hostArb = fc.constantFrom('127.0.0.1', 'broker-1.example', 'localhost', '[::1]');
const portArb = fc.integer({ min: 1, max: 65535 });
const schemeArb = fc.constantFrom('http', 'https', 'amqp', 'amqps', 'pulsar', 'pulsar+ssl', 'ws', 'wss');

/** What a user might type: the password raw, or percent-encoded as a correct URL has it. */
const encodingArb = fc.constantFrom('raw', 'encoded');
const inUrl = (secret: string, encoding: string) =>
  encoding === 'raw' ? secret : encodeURIComponent(secret);

function assertHidden(out: string, secret: string): void {
  for (const form of [secret, encodeURIComponent(secret)]) {
    assert.ok(!out.includes(form), `secret ${JSON.stringify(form)} still in ${JSON.stringify(out)}`);
  }
}

describe('redact: URLs of any scheme', () => {
  it('masks the password of every URL in a message, several per message, any printable characters', () => {
    clearRegisteredSecrets();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(schemeArb, userArb, secretArb, hostArb, portArb, encodingArb), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom(' and ', ', ', ' (then) ', '"; "'),
        (urls, sep) => {
          const text = `cannot reach ${urls.map(([s, u, p, h, port, e]) => `${s}://${u}:${inUrl(p, e)}@${h}:${port}/x`).join(sep)} (ECONNREFUSED)`;
          const out = redact(text);
          for (const [, , secret] of urls) assertHidden(out, secret);
          // the user names and hosts stay readable
          for (const [, user, , host] of urls) assert.ok(out.includes(`${user}:${MASK}@${host}`), out);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('masks a token used as the whole userinfo', () => {
    clearRegisteredSecrets();
    fc.assert(
      fc.property(
        schemeArb,
        secretArb.filter((s) => !s.includes(':')),
        hostArb,
        (scheme, token, host) => {
          const out = redact(`GET ${scheme}://${encodeURIComponent(token)}@${host}/admin/v2/tenants failed`);
          assertHidden(out, token);
          assert.ok(out.includes(`${scheme}://${MASK}@${host}`), out);
        },
      ),
    );
  });

  it('masks Kafka-style user:password@host:port address lists', () => {
    clearRegisteredSecrets();
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            userArb,
            secretArb.filter((s) => !/[\s,"']/.test(s)),
            hostArb,
            portArb,
          ),
          { minLength: 1, maxLength: 3 },
        ),
        (entries) => {
          const list = entries.map(([u, p, h, port]) => `${u}:${p}@${h}:${port}`).join(',');
          const out = redact(`malformed broker address "${list}"`);
          for (const [, secret] of entries) assertHidden(out, secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves text without credentials unchanged', () => {
    clearRegisteredSecrets();
    for (const text of [
      'cannot reach Kafka at 127.0.0.1:9092,127.0.0.1:9093: Connection timeout',
      'cannot reach Pulsar admin API at http://127.0.0.1:8080 (ECONNREFUSED)',
      'topic orders: 3 partitions, retention.ms=604800000',
      'queue q1 in vhost / has 10 messages',
    ]) {
      assert.equal(redact(text), text);
    }
  });
});

describe('redact: secret keys in JSON, YAML, headers and objects', () => {
  const spellings = [
    'password',
    'Password',
    'PASSWORD',
    'passwd',
    'saslPassword',
    'sasl_password',
    'sasl.password',
    'sasl.jaas.password',
    'ssl.key.password',
    'apiKey',
    'api_key',
    'API-KEY',
    'x-api-key',
    'token',
    'accessToken',
    'refresh_token',
    'Authorization',
    'authorization',
    'proxy-authorization',
    'secret',
    'clientSecret',
    'client_secret',
    'privateKey',
    'credentials',
  ];
  const keyArb = fc.constantFrom(...spellings);

  it('masks the value under every key spelling in JSON (object and text)', () => {
    clearRegisteredSecrets();
    fc.assert(
      fc.property(keyArb, secretArb, (key, secret) => {
        const doc = { name: 'ctx', nested: { [key]: secret, other: 'visible' } };
        const viaObject = JSON.stringify(redactValue(doc));
        assertHidden(viaObject, secret);
        assert.ok(viaObject.includes('visible'));
        assertHidden(redact(JSON.stringify(doc)), secret);
        assertHidden(redact(JSON.stringify(doc, null, 2)), secret);
      }),
      { numRuns: 300 },
    );
  });

  it('masks the value under every key spelling in YAML and in header dumps', () => {
    clearRegisteredSecrets();
    fc.assert(
      fc.property(keyArb, secretArb, (key, secret) => {
        assertHidden(redact(toYaml({ context: { [key]: secret, user: 'bob' } })), secret);
        assertHidden(redact(`headers: ${key}: ${secret}\nx-trace: 1`), secret);
        assertHidden(
          redact(`${key}=${secret.replace(/[\s,;&)}\]]/g, 'x')} next=1`),
          secret.replace(/[\s,;&)}\]]/g, 'x'),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('masks Authorization headers whatever their scheme', () => {
    clearRegisteredSecrets();
    fc.assert(
      fc.property(
        fc.constantFrom('Basic', 'Bearer', 'Token'),
        secretArb.filter((s) => !/[\n,;}]/.test(s)),
        (scheme, cred) => {
          assertHidden(redact(`request headers: Authorization: ${scheme} ${cred}`), cred);
          assertHidden(redact(JSON.stringify({ headers: { authorization: `${scheme} ${cred}` } })), cred);
        },
      ),
    );
  });

  it('keeps the names of where a secret comes from (passwordEnv, tokenFile)', () => {
    clearRegisteredSecrets();
    const out = redactValue({ passwordEnv: 'MY_PASSWORD', tokenFile: '/run/secrets/t', password: 'x' });
    assert.deepEqual(out, { passwordEnv: 'MY_PASSWORD', tokenFile: '/run/secrets/t', password: MASK });
  });
});

describe('redact: registered secrets', () => {
  it('masks a registered secret wherever it appears, raw or percent-encoded', () => {
    fc.assert(
      fc.property(
        secretArb,
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        (secret, before, after) => {
          clearRegisteredSecrets();
          registerSecret(secret);
          assertHidden(redact(`${before}${secret}${after}`), secret);
          assertHidden(redact(`${before}${encodeURIComponent(secret)}${after}`), secret);
        },
      ),
      { numRuns: 300 },
    );
    clearRegisteredSecrets();
  });
});

describe('redact: through real error paths', () => {
  it('malformed and wrong-scheme URLs never show the password (parseUrl → formatErrorLine)', () => {
    clearRegisteredSecrets();
    fc.assert(
      fc.property(
        fc.constantFrom('amqp', 'http', 'ftp', 'pulsar', 'kafka'),
        userArb,
        secretArb,
        fc.constantFrom('127.0.0.1', 'h', '', '[::1'),
        encodingArb,
        (scheme, user, secret, host, encoding) => {
          const url = `${scheme}://${user}:${inUrl(secret, encoding)}@${host}`;
          let line = '';
          try {
            parseUrl(url, 'AMQP URL', ['amqp', 'amqps']);
            return; // a valid URL raises nothing to print
          } catch (error) {
            line = redact(`Error: ${formatErrorLine(error)}`);
          }
          assertHidden(line, secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('malformed broker addresses never show the password (parseBrokerList → formatErrorLine)', () => {
    clearRegisteredSecrets();
    fc.assert(
      fc.property(
        userArb,
        secretArb.filter((s) => !/[\s,"']/.test(s)),
        hostArb,
        portArb,
        (user, secret, host, port) => {
          let line = '';
          try {
            parseBrokerList(`127.0.0.1:9092,${user}:${secret}@${host}:${port}`);
            assert.fail('an address with credentials is not host:port');
          } catch (error) {
            line = redact(`Error: ${formatErrorLine(error)}`);
          }
          assert.match(line, /malformed broker address/);
          assertHidden(line, secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});
