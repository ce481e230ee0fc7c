import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import {
  CLOSED_PORT,
  LOCAL,
  requireKafka,
  requirePulsar,
  requireRabbit,
  uniqueName,
} from '../helpers/brokers';
import { isolatedConfigEnv, recordedRuns, runCli, type CliResult } from '../helpers/cli';
import { TEST_SECRETS, secretForms, secretsIn } from '../helpers/secrets';
import { tempDir } from '../helpers/tmp';

/**
 * Secrets never leave mqctl (issue 11, DESIGN.md §6 "one redaction step"). mqctl is given the test secrets
 * every way it takes them — --password, --password-file, MQCTL_PASSWORD, --token, --token-file,
 * MQCTL_TOKEN, user:password inside URLs and contexts holding each — on paths that succeed (the local
 * Kafka SASL listener accepts its password) and paths that fail (wrong password, 127.0.0.1 closed port),
 * with and without --debug, writing every report file there is. Then every byte it produced is grepped:
 * stdout, stderr, the --result/--report/--junit/--summary-md/--hgrm/--hdr-log files, the GitHub step
 * summary, what `context show` / `context list` print in every format, and the config files of contexts
 * that name a file or a variable. Secrets are looked for raw and percent-encoded.
 */

const S = TEST_SECRETS;
const SASL = LOCAL.kafka.saslPassword;
assert.equal(SASL, S.kafkaSasl, 'the SASL listener password is one of the test secrets');

/** Files mqctl writes go here; everything in it is grepped. */
const out = tempDir('mqctl-sec-out-');
/** Files that hold secrets on purpose (--password-file, --token-file): never grepped. */
const inputs = tempDir('mqctl-sec-in-');
const PASSWORD_FILE = join(inputs, 'kafka.pw');
const WRONG_PASSWORD_FILE = join(inputs, 'wrong.pw');
const TOKEN_FILE = join(inputs, 'pulsar.jwt');
writeFileSync(PASSWORD_FILE, `${SASL}\n`, { mode: 0o600 });
writeFileSync(WRONG_PASSWORD_FILE, `${S.slashAt}\n`, { mode: 0o600 });
writeFileSync(TOKEN_FILE, `${S.token}\n`, { mode: 0o600 });

const topic = uniqueName('secrets');
/** Contexts that hold secrets themselves (literal --password / --token / URL passwords). */
const literalEnv = isolatedConfigEnv();
/** Contexts that only name where a secret is (--password-file, --password-env, --token-file): the config file is grepped too. */
const indirectEnv = isolatedConfigEnv();
const STEP_SUMMARY = join(out, 'github-step-summary.md');

const T = ['--timeout', '10s'];
const closed = (scheme: string, user: string, secret: string) =>
  `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(secret)}@127.0.0.1:${CLOSED_PORT}`;
const sasl = ['--brokers', LOCAL.kafka.saslBrokers, '--username', LOCAL.kafka.saslUser];
const file = (name: string) => join(out, name);

interface Run {
  args: string[];
  env?: Record<string, string>;
  /** The documented exit code this run must end with (the path it takes is part of the claim). */
  code: number;
  config?: 'literal' | 'indirect';
}

function runs(): Run[] {
  const r: Run[] = [];
  const add = (code: number, args: string[], more: Partial<Run> = {}) => r.push({ code, args, ...more });

  // ---- the SASL listener accepts the password: every output format, every report file, --debug ----
  add(0, [
    'cluster',
    'info',
    ...sasl,
    '--sasl-mechanism',
    'scram-sha-512',
    '--password',
    SASL,
    '-o',
    'json',
    ...T,
  ]);
  add(0, [
    'topic',
    'list',
    ...sasl,
    '--sasl-mechanism',
    'plain',
    '--password-file',
    PASSWORD_FILE,
    '--debug',
    ...T,
  ]);
  add(0, ['group', 'list', ...sasl, '--sasl-mechanism', 'scram-sha-256', '-o', 'yaml', '--debug', ...T], {
    env: { MQCTL_PASSWORD: SASL },
  });
  add(0, [
    'perf',
    'produce',
    ...sasl,
    '--sasl-mechanism',
    'scram-sha-256',
    '--password',
    SASL,
    '--topic',
    topic,
    '--create-topic',
    '--rate',
    '200',
    '-n',
    '200',
    '--result',
    file('produce.json'),
    '--report',
    file('produce.html'),
    '--hgrm',
    file('produce.hgrm'),
    '--hdr-log',
    file('produce.hlog'),
    '--junit',
    file('produce.junit.xml'),
    '--summary-md',
    file('produce.md'),
    '--gate',
    'p99<10m',
    '--allow-invalid',
    '--debug',
    ...T,
  ]);
  add(0, [
    'perf',
    'consume',
    ...sasl,
    '--sasl-mechanism',
    'scram-sha-256',
    '--password-file',
    PASSWORD_FILE,
    '--topic',
    topic,
    '-n',
    '200',
    '--result',
    file('consume.json'),
    '--report',
    file('consume.html'),
    '--junit',
    file('consume.junit.xml'),
    '--gate',
    'e2e.p99<10m',
    '--allow-invalid',
    '--debug',
    ...T,
  ]);
  add(
    0,
    [
      'verify',
      ...sasl,
      '--sasl-mechanism',
      'scram-sha-256',
      '--topic',
      topic,
      '--rate',
      '100',
      '-n',
      '100',
      '--result',
      file('verify.json'),
      '--junit',
      file('verify.junit.xml'),
      '--summary-md',
      file('verify.md'),
      '--gate',
      'lost==0',
      '--debug',
      ...T,
    ],
    { env: { MQCTL_PASSWORD: SASL } },
  );
  add(0, ['lag', ...sasl, '--sasl-mechanism', 'scram-sha-256', '-o', 'json', '--debug', ...T], {
    env: { MQCTL_PASSWORD: SASL },
  });
  add(0, [
    'dlq',
    'peek',
    topic,
    ...sasl,
    '--sasl-mechanism',
    'plain',
    '--password',
    SASL,
    '--limit',
    '2',
    ...T,
  ]);

  // ---- refused: wrong passwords (77) ----
  add(77, [
    'topic',
    'list',
    ...sasl,
    '--sasl-mechanism',
    'scram-sha-256',
    '--password',
    S.plain,
    '--debug',
    ...T,
  ]);
  add(77, [
    'cluster',
    'info',
    ...sasl,
    '--sasl-mechanism',
    'plain',
    '--password-file',
    WRONG_PASSWORD_FILE,
    ...T,
  ]);
  add(77, ['group', 'list', ...sasl, '--sasl-mechanism', 'scram-sha-512', ...T], {
    env: { MQCTL_PASSWORD: S.foundation },
  });
  add(77, [
    'queue',
    'list',
    '--kind',
    'rabbitmq',
    '--username',
    'guest',
    '--password',
    S.slashAt,
    '--debug',
    ...T,
  ]);
  add(77, [
    'queue',
    'list',
    '--kind',
    'rabbitmq',
    '--admin-url',
    `http://guest:${encodeURIComponent(S.plain)}@127.0.0.1:15672`,
    '--debug',
    ...T,
  ]);
  add(77, [
    'cluster',
    'info',
    '--url',
    `amqp://guest:${encodeURIComponent(S.foundation)}@127.0.0.1:5672`,
    ...T,
  ]);

  // ---- unreachable: 127.0.0.1 on a closed port (69) ----
  add(69, [
    'queue',
    'list',
    '--url',
    closed('amqp', 'guest', S.slashAt),
    '--admin-url',
    closed('http', 'guest', S.slashAt),
    '--debug',
    ...T,
  ]);
  add(69, [
    'tenant',
    'list',
    '--kind',
    'pulsar',
    '--admin-url',
    closed('http', 'admin', S.plain),
    '--debug',
    ...T,
  ]);
  add(69, [
    'tenant',
    'list',
    '--kind',
    'pulsar',
    '--admin-url',
    `http://127.0.0.1:${CLOSED_PORT}`,
    '--token',
    S.token,
    '--debug',
    ...T,
  ]);
  add(69, [
    'namespace',
    'list',
    'public',
    '--kind',
    'pulsar',
    '--admin-url',
    `http://127.0.0.1:${CLOSED_PORT}`,
    '--token-file',
    TOKEN_FILE,
    ...T,
  ]);
  add(
    69,
    [
      'cluster',
      'info',
      '--kind',
      'pulsar',
      '--admin-url',
      `https://127.0.0.1:${CLOSED_PORT}`,
      '--debug',
      ...T,
    ],
    {
      env: { MQCTL_TOKEN: S.token },
    },
  );
  add(69, [
    'topic',
    'list',
    '--brokers',
    `127.0.0.1:${CLOSED_PORT}`,
    '--username',
    'u',
    '--password',
    S.plain,
    '--debug',
    ...T,
  ]);
  add(69, [
    'perf',
    'produce',
    '--url',
    closed('amqp', 'guest', S.foundation),
    '--admin-url',
    closed('http', 'guest', S.foundation),
    '--topic',
    uniqueName('secrets-q'),
    '--rate',
    '1',
    '-n',
    '1',
    '--result',
    file('unreachable.json'),
    '--debug',
    ...T,
  ]);
  add(69, [
    'verify',
    '--url',
    closed('pulsar', 'admin', S.plain),
    '--admin-url',
    closed('http', 'admin', S.plain),
    '--topic',
    uniqueName('secrets-p'),
    '--rate',
    '1',
    '-n',
    '1',
    '--result',
    file('verify-unreachable.json'),
    '--debug',
    ...T,
  ]);
  add(
    69,
    ['lag', '--url', closed('amqp', 'guest', S.plain), '--admin-url', closed('http', 'guest', S.plain), ...T],
    {
      env: { MQCTL_PASSWORD: S.foundation },
    },
  );

  // ---- contexts that hold secrets: add, show and list in every format, use, and fail through them ----
  const literal = { config: 'literal' as const };
  add(
    0,
    [
      'context',
      'add',
      'k-literal',
      '--kind',
      'kafka',
      ...sasl,
      '--sasl-mechanism',
      'scram-sha-256',
      '--password',
      SASL,
    ],
    literal,
  );
  add(
    0,
    [
      'context',
      'add',
      'k-wrong',
      '--kind',
      'kafka',
      ...sasl,
      '--sasl-mechanism',
      'plain',
      '--password',
      S.slashAt,
    ],
    literal,
  );
  add(
    0,
    [
      'context',
      'add',
      'r-url',
      '--kind',
      'rabbitmq',
      '--url',
      closed('amqp', 'guest', S.plain),
      '--admin-url',
      closed('http', 'guest', S.plain),
    ],
    literal,
  );
  add(
    0,
    [
      'context',
      'add',
      'p-token',
      '--kind',
      'pulsar',
      '--url',
      `pulsar://127.0.0.1:${CLOSED_PORT}`,
      '--admin-url',
      `http://127.0.0.1:${CLOSED_PORT}`,
      '--token',
      S.token,
      '-o',
      'json',
    ],
    literal,
  );
  for (const name of ['k-literal', 'k-wrong', 'r-url', 'p-token'])
    for (const o of ['table', 'json', 'yaml', 'csv']) add(0, ['context', 'show', name, '-o', o], literal);
  for (const o of ['table', 'json', 'yaml', 'csv']) add(0, ['context', 'list', '-o', o], literal);
  add(0, ['context', 'use', 'k-literal'], literal);
  add(0, ['cluster', 'info', '--debug', ...T], literal);
  add(77, ['topic', 'list', '--context', 'k-wrong', '--debug', ...T], literal);
  add(69, ['queue', 'list', '--context', 'r-url', '--debug', ...T], literal);
  add(69, ['tenant', 'list', '--context', 'p-token', '--debug', ...T], literal);

  const indirect = { config: 'indirect' as const };
  add(
    0,
    [
      'context',
      'add',
      'k-file',
      '--kind',
      'kafka',
      ...sasl,
      '--sasl-mechanism',
      'scram-sha-256',
      '--password-file',
      PASSWORD_FILE,
      '--use',
    ],
    indirect,
  );
  add(
    0,
    [
      'context',
      'add',
      'k-env',
      '--kind',
      'kafka',
      ...sasl,
      '--sasl-mechanism',
      'plain',
      '--password-env',
      'MQCTL_SECRETS_TEST_PW',
    ],
    indirect,
  );
  add(
    0,
    [
      'context',
      'add',
      'p-file',
      '--kind',
      'pulsar',
      '--url',
      `pulsar://127.0.0.1:${CLOSED_PORT}`,
      '--admin-url',
      `http://127.0.0.1:${CLOSED_PORT}`,
      '--token-file',
      TOKEN_FILE,
    ],
    indirect,
  );
  for (const name of ['k-file', 'k-env', 'p-file'])
    for (const o of ['table', 'json', 'yaml', 'csv']) add(0, ['context', 'show', name, '-o', o], indirect);
  for (const o of ['table', 'json', 'yaml', 'csv']) add(0, ['context', 'list', '-o', o], indirect);
  add(0, ['topic', 'list', '--debug', ...T], indirect);
  add(0, ['cluster', 'info', '--context', 'k-env', ...T], {
    ...indirect,
    env: { MQCTL_SECRETS_TEST_PW: SASL },
  });
  add(77, ['cluster', 'info', '--context', 'k-env', '--debug', ...T], {
    ...indirect,
    env: { MQCTL_SECRETS_TEST_PW: S.plain },
  });
  add(69, ['tenant', 'list', '--context', 'p-file', '--debug', ...T], indirect);

  // ---- files read back: merge and compare write their own reports ----
  add(0, [
    'perf',
    'merge',
    file('produce.json'),
    '--result',
    file('merged.json'),
    '--junit',
    file('merged.junit.xml'),
    '--gate',
    'p99<10m',
    '--allow-invalid',
  ]);
  add(0, [
    'perf',
    'compare',
    file('produce.json'),
    file('merged.json'),
    '--summary-md',
    file('compare.md'),
    '--junit',
    file('compare.junit.xml'),
  ]);
  return r;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('e2e: no test secret in anything mqctl prints or writes', () => {
  const table = runs();
  const results: CliResult[] = [];
  const kafka = new Kafka({
    brokers: [LOCAL.kafka.brokers],
    logLevel: logLevel.NOTHING,
    clientId: 'secrets-test',
  });

  before(async () => {
    await Promise.all([requireKafka(), requirePulsar(), requireRabbit()]);
    mkdirSync(out, { recursive: true });
  });

  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    const mine = groups.filter((g) => g.includes(topic));
    if (mine.length > 0) await admin.deleteGroups(mine).catch(() => undefined);
    await admin.disconnect();
    rmSync(out, { recursive: true, force: true });
    rmSync(inputs, { recursive: true, force: true });
  });

  it(`${table.length} runs end with their documented exit codes`, async () => {
    // In order: later runs read files and contexts earlier ones wrote.
    for (const run of table) {
      const env = {
        ...(run.config === 'indirect' ? indirectEnv : literalEnv),
        GITHUB_STEP_SUMMARY: STEP_SUMMARY,
        ...run.env,
      };
      const result = await runCli(run.args, { env, timeoutMs: 120_000 });
      results.push(result);
      assert.equal(
        result.code,
        run.code,
        `mqctl ${run.args.join(' ')}\nexit ${result.code}\nstdout: ${result.stdout.slice(0, 800)}\nstderr: ${result.stderr.slice(0, 1500)}`,
      );
    }
  });

  it('0 hits for the test secrets in stdout, stderr, --debug output, report files and config files', (t) => {
    assert.equal(results.length, table.length, 'every run ran');
    const texts: [string, string][] = [];
    for (const run of recordedRuns) {
      texts.push([`stdout of mqctl ${run.args.join(' ')}`, run.stdout]);
      texts.push([`stderr of mqctl ${run.args.join(' ')}`, run.stderr]);
    }
    const written = filesUnder(out);
    for (const path of written) texts.push([path, readFileSync(path, 'latin1')]);
    // contexts that only name a file or a variable: the config file itself holds no secret
    texts.push([indirectEnv.MQCTL_CONFIG!, readFileSync(indirectEnv.MQCTL_CONFIG!, 'utf8')]);

    // the files the claim rests on were written
    for (const name of [
      'produce.json',
      'produce.html',
      'produce.junit.xml',
      'produce.md',
      'consume.json',
      'verify.json',
      'verify.junit.xml',
      'verify.md',
      'merged.json',
      'compare.md',
      'github-step-summary.md',
    ])
      assert.ok(written.includes(file(name)), `${name} was written`);
    assert.ok(
      written.some((p) => p.startsWith(file('produce')) && p.endsWith('.hgrm')),
      'an .hgrm file was written',
    );
    assert.ok(written.includes(file('produce.hlog')), 'the .hlog file was written');
    const debugRuns = recordedRuns.filter((r) => r.args.includes('--debug'));
    assert.ok(debugRuns.length >= 15, `${debugRuns.length} --debug runs`);
    assert.ok(
      debugRuns.some((r) => r.stderr.includes('kafkajs')),
      '--debug printed client logs',
    );

    const forms = Object.values(S).flatMap(secretForms);
    const hits = texts.flatMap(([where, text]) =>
      secretsIn(text, forms).map((s) => `${JSON.stringify(s)} in ${where}`),
    );
    const bytes = texts.reduce((n, [, text]) => n + text.length, 0);
    t.diagnostic(
      `${recordedRuns.length} runs, ${written.length} files written, ${bytes} bytes grepped for ${forms.length} secret forms: ${hits.length} hits`,
    );
    assert.deepEqual(hits, []);
  });
});
