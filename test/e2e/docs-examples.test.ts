import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from '../../src/brokers/kafka/kafkajs';
import { BIN, recordChild, isolatedConfigEnv, runCli } from '../helpers/cli';
import { LOCAL, requireKafka, requirePulsar, requireRabbit } from '../helpers/brokers';
import { docExamples, type DocExample } from '../helpers/doc-examples';
import {
  createTopics,
  deleteTopics,
  produceAll,
  rabbitCleanup,
  rabbitDeadLetters,
  springDltHeaders,
} from '../helpers/dlq-fixtures';
import { tempDir } from '../helpers/tmp';

/**
 * Every `mqctl ...` example in README.md and docs/*.md runs against the local brokers, as written, except:
 * - names: each example name (orders, billing, jobs, ...) becomes this run's own (`dx<id>-orders`), so the
 *   run touches only what it created and deletes it at the end;
 * - length: perf runs last 3 s instead of 30-60 s, with a 1 s warm-up and 20,000 records consumed (the CI
 *   budget); a watch gets `--count 1`; `lag serve` is scraped once and stopped with SIGTERM;
 * - a stdout redirect (`> file`) is left out: the test reads stdout itself;
 * - a few need a state the docs assume (a group with commits, a dead-letter topic with Spring headers, result
 *   files to compare): `setup` makes it first.
 * The exit code expected is 0 unless the table below says otherwise and why.
 */

const RUN = `dx${Date.now().toString(36).slice(-5)}`;
/** Example names, longest first so `orders-dlt` is replaced before `orders`. */
const NAMES = [
  'orders-retry',
  'orders-dlt',
  'orders.dlq',
  'public/orders',
  'public/ops',
  'jobs.dead',
  'jobs.dlx',
  'smoke-5007',
  'ps-12066',
  's-rq-7990',
  'ex-rq-7990',
  'rq-7990',
  'y-v-18867',
  'local-kafka',
  'local-pulsar',
  'local-rabbit',
  'secure',
  'orders',
  'payments',
  'billing',
  'customers',
  'jobs',
  'load',
  'q1',
];

function own(name: string): string {
  if (name.startsWith('public/')) return `public/${RUN}-${name.slice(7)}`;
  return `${RUN}-${name}`;
}

/** The example with this run's names and the CI-sized durations. */
export function adapt(example: DocExample): string[] {
  // A redirect of stdout (`> ~/.config/...`) is dropped: the test reads stdout itself and writes nothing
  // outside its own directories.
  const words = example.argv.filter((w, i, all) => w !== '>' && all[i - 1] !== '>');
  const argv = words.filter((w) => w !== '&' && w !== '<' && w !== '/dev/null');
  const out = argv.map((word) => {
    if (NAMES.includes(word)) return own(word);
    // names inside topic:partition specs and the like
    for (const name of NAMES) {
      if (word.startsWith(`${name}:`)) return own(name) + word.slice(name.length);
    }
    return word;
  });
  const set = (flag: string, value: string) => {
    const i = out.indexOf(flag);
    if (i >= 0) out[i + 1] = value;
  };
  if (out[0] === 'perf' && ['produce', 'e2e'].includes(out[1]!)) {
    set('--duration', '3s');
    set('--warmup', '1s');
  }
  set('--num-records', '20000');
  if (out.includes('--watch')) {
    set('--watch', '1s');
    if (out.includes('--count')) set('--count', '3');
    else out.push('--count', '1');
  }
  return out.flatMap((word) => (word.includes('*') && !word.startsWith('-') ? expandGlob(word) : [word]));
}

/** What the shell would do with `shard-*.json` in the example's directory (no match: the word itself). */
function expandGlob(word: string): string[] {
  const re = new RegExp(
    `^${word
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  const found = readdirSync(cwd)
    .filter((f) => re.test(f))
    .sort();
  return found.length ? found : [word];
}

interface Expectation {
  /** matches the example's command line as written in the docs */
  match: RegExp;
  /** allowed exit codes (default [0]) */
  exit?: number[];
  why?: string;
  setup?: () => Promise<void>;
}

let kafka: Kafka;
let cwd: string;
let env: Record<string, string>;
const kafkaTopics = new Set<string>();
const rabbitQueues = new Set<string>();
const rabbitExchanges = new Set<string>();

async function kafkaTopic(name: string, partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(own(name))) return;
  } finally {
    await admin.disconnect();
  }
  await createTopics(kafka, [{ topic: own(name), partitions }]);
  kafkaTopics.add(own(name));
}

/** For examples that create a topic: it must not exist yet (Kafka deletes asynchronously: wait for it). */
async function noKafkaTopic(name: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(own(name))) return;
    await admin.deleteTopics({ topics: [own(name)], timeout: 10_000 });
    const deadline = Date.now() + 30_000;
    while ((await admin.listTopics()).includes(own(name))) {
      if (Date.now() > deadline) throw new Error(`topic ${own(name)} still listed 30 s after its deletion`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/** The `billing` group the lag and group examples talk about: commits on `orders`, 50 records behind. */
async function billingGroup(): Promise<void> {
  await kafkaTopic('orders');
  await produceAll(
    kafka,
    own('orders'),
    Array.from({ length: 150 }, (_, i) => ({ key: `order-${i}`, value: JSON.stringify({ amount: i }) })),
  );
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(own('orders'));
    await admin.setOffsets({
      groupId: own('billing'),
      topic: own('orders'),
      partitions: offsets.map((o) => ({
        partition: o.partition,
        offset: String(Math.max(0, Number(o.high) - 17)),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** `orders-dlt` as Spring Kafka's DeadLetterPublishingRecoverer writes it, pointing back at `orders`. */
async function springDlt(): Promise<void> {
  if (kafkaTopics.has(own('orders-dlt'))) return;
  await kafkaTopic('orders');
  await kafkaTopic('orders-retry', 1);
  await kafkaTopic('orders-dlt', 1);
  await produceAll(
    kafka,
    own('orders-dlt'),
    Array.from({ length: 6 }, (_, i) => ({
      key: `order-${i}`,
      value: JSON.stringify({ amount: 50 * i }),
      headers: springDltHeaders({
        topic: own('orders'),
        partition: 0,
        offset: i,
        group: own('billing'),
        exceptionClass:
          i % 2 ? 'java.net.SocketTimeoutException' : 'org.apache.kafka.common.errors.TimeoutException',
        exceptionMessage: 'timed out',
      }),
    })),
  );
}

/** `orders.dlq`: a RabbitMQ queue that the broker itself dead-letters into (rejected and expired). */
async function rabbitDlq(): Promise<void> {
  if (rabbitQueues.has(own('orders.dlq'))) return;
  const names = { source: own('orders'), dlx: own('orders.dlx'), dlq: own('orders.dlq') };
  rabbitQueues.add(names.source).add(names.dlq);
  rabbitExchanges.add(names.dlx);
  await rabbitDeadLetters(LOCAL.rabbitmq.url, names, [
    { body: '{"n":1}', how: 'reject', headers: { tenant: 'a' } },
    { body: '{"n":2}', how: 'expire' },
    { body: '{"n":3}', how: 'expire', headers: { tenant: 'b' } },
  ]);
}

/** The docs' `load` topic holding at least the 20,000 records a rewritten `perf consume` example reads. */
async function loadWithRecords(): Promise<void> {
  await kafkaTopic('load');
  const r = await runCli(
    ['perf', 'produce', '--kind', 'kafka', '--topic', own('load'), '--rate', '0', '--num-records', '20000'],
    { env, timeoutMs: 120_000, cwd },
  );
  assert.equal(r.code, 0, r.stderr);
}

/** docs/schemas.md's schema files in the examples' directory, and its Pulsar topic `customers`. */
async function schemaFiles(): Promise<void> {
  const fields = [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
  ];
  const files: Record<string, unknown> = {
    'customers-v1.json': {
      type: 'JSON',
      schema: JSON.stringify({ type: 'record', name: 'Customer', fields }),
      properties: { owner: 'crm' },
    },
    'customers-v2.json': {
      type: 'JSON',
      schema: {
        type: 'record',
        name: 'Customer',
        fields: [...fields, { name: 'email', type: ['null', 'string'], default: null }],
      },
      properties: { owner: 'crm' },
    },
    'customers-bad.json': {
      type: 'JSON',
      schema: JSON.stringify({
        type: 'record',
        name: 'Customer',
        fields: [{ name: 'id', type: 'string' }, fields[1]],
      }),
    },
  };
  for (const [name, doc] of Object.entries(files)) writeFileSync(join(cwd, name), JSON.stringify(doc));
  const r = await runCli(['topic', 'create', own('customers'), '--kind', 'pulsar', '--if-not-exists'], {
    env,
  });
  assert.equal(r.code, 0, r.stderr);
}

/** The local schema registry that docs/schemas.md's Kafka examples name (opt-in kind of scripts/brokers.sh). */
const REGISTRY = 'http://127.0.0.1:18081/apis/ccompat/v7';
let registryReady = false;

/**
 * docs/schemas.md's Kafka examples: the registry up (started when it is not; `up` is a no-op when it is), the
 * Avro files, and BACKWARD on this run's subject so the incompatible example is refused as documented.
 */
async function kafkaSchemaFiles(): Promise<void> {
  if (registryReady) return;
  execFileSync(
    'bash',
    [resolve(__dirname, '..', '..', '..', 'scripts', 'brokers.sh'), 'up', 'schema-registry'],
    {
      timeout: 300_000,
      stdio: 'ignore',
    },
  );
  const record = (fields: object[]) => ({
    type: 'AVRO',
    schema: { type: 'record', name: 'Customer', fields },
  });
  const id = { name: 'id', type: 'long' };
  const name = { name: 'name', type: 'string' };
  const files: Record<string, unknown> = {
    'customers-avro-v1.json': record([id, name]),
    'customers-avro-v2.json': record([id, name, { name: 'email', type: ['null', 'string'], default: null }]),
    'customers-avro-bad.json': record([{ name: 'id', type: 'string' }, name]),
  };
  for (const [file, doc] of Object.entries(files)) writeFileSync(join(cwd, file), JSON.stringify(doc));
  const config = await fetch(`${REGISTRY}/config/${own('customers')}-value`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ compatibility: 'BACKWARD' }),
  });
  assert.equal(config.status, 200);
  registryReady = true;
}

async function resultFiles(): Promise<void> {
  if (existsSync(join(cwd, 'main.json'))) return;
  await kafkaTopic('load', 3);
  const r = await runCli(
    [
      'perf',
      'produce',
      '--kind',
      'kafka',
      '--topic',
      own('load'),
      '--rate',
      '2000',
      '--duration',
      '2s',
      '--result',
      'run-base.json',
    ],
    { env, timeoutMs: 60_000, cwd },
  );
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['main.json', 'pr.json', 'shard-0.json', 'shard-1.json'])
    copyFileSync(join(cwd, 'run-base.json'), join(cwd, name));
}

const EXPECT: Expectation[] = [
  // README: contexts
  { match: /context add secure/, why: 'the context names the variable; nothing is read until it is used' },
  // topics
  { match: /topic create orders --kind kafka --partitions 6 --dry-run/ },
  {
    match: /topic alter smoke-5007 --partitions 2/,
    exit: [2],
    why: 'docs/topics.md shows a decrease refused with exit 2',
    setup: () => kafkaTopic('smoke-5007'),
  },
  {
    match: /topic create x --kind kafka --replication-factor 3/,
    exit: [2],
    why: 'docs show RF above the broker count refused',
  },
  {
    match: /topic create y --kind kafka --config foo.bar=1/,
    exit: [2],
    why: 'docs show an unknown config refused',
  },
  {
    match: /topic config set smoke-5007 bogus.key=1/,
    exit: [2],
    why: 'docs show an unknown config refused',
    setup: () => kafkaTopic('smoke-5007'),
  },
  {
    match: /topic create orders --kind rabbitmq/,
    exit: [2],
    why: 'docs show RabbitMQ has no topics (exit 2 + hint)',
  },
  { match: /queue list --kind kafka/, exit: [2], why: 'docs show Kafka has no queues (exit 2 + hint)' },
  {
    match: /topic delete smoke-5007 --kind kafka < \/dev\/null/,
    exit: [2],
    why: 'docs show a delete without --yes and without a TTY refused',
    setup: () => kafkaTopic('smoke-5007'),
  },
  { match: /topic create smoke-5007/, setup: () => noKafkaTopic('smoke-5007') },
  {
    match: /topic (describe|delete|config \w+|alter|add-partitions) smoke-5007/,
    setup: () => kafkaTopic('smoke-5007'),
  },
  {
    match: /queue delete rq-7990 s-rq-7990/,
    why: 'the docs delete the stream queue an earlier paragraph created',
    setup: async () => {
      const r = await runCli(
        ['queue', 'create', own('s-rq-7990'), '--kind', 'rabbitmq', '--type', 'stream', '--if-not-exists'],
        { env },
      );
      assert.equal(r.code, 0, r.stderr);
    },
  },
  {
    match: /binding (create|delete) --kind rabbitmq --source ex-rq-7990 --destination rq-7990/,
    why: 'the docs bind the queue and exchange their earlier examples created',
    setup: async () => {
      for (const args of [
        ['queue', 'create', own('rq-7990'), '--kind', 'rabbitmq', '--if-not-exists'],
        ['exchange', 'create', own('ex-rq-7990'), '--kind', 'rabbitmq', '--type', 'topic', '--if-not-exists'],
      ]) {
        const r = await runCli(args, { env });
        assert.equal(r.code, 0, r.stderr);
      }
    },
  },
  // lag and groups: a group 17 records behind per partition
  {
    match: /lag --kind kafka --group billing --max-lag 10000 --max-time-lag 30s/,
    setup: billingGroup,
    exit: [0, 99],
    why: 'time lag of the fixture grows with the run: the threshold may be breached (99) or not (0)',
  },
  {
    match: /--watch 5s --count 12 --fail-on stalled/,
    setup: billingGroup,
    exit: [99],
    why: 'the fixture group is behind and commits nothing: STALLED, which --fail-on stalled turns into 99',
  },
  { match: /--group billing|group (describe|delete|reset-offsets) billing/, setup: billingGroup },
  {
    match: /lag --kind pulsar --topic orders/,
    setup: async () => void (await runCli(['topic', 'create', own('orders'), '--kind', 'pulsar'], { env })),
  },
  // Pulsar schemas (docs/schemas.md, README)
  {
    match: /schema compat customers .*-f customers-bad\.json/,
    setup: schemaFiles,
    exit: [99],
    why: 'the docs check an incompatible schema: the verdict is exit 99',
  },
  {
    match: /schema delete customers --kind pulsar < \/dev\/null/,
    exit: [2],
    why: 'docs show a delete without --yes and without a TTY refused',
  },
  {
    match: /schema compat customers --kind kafka .*customers-avro-bad\.json/,
    setup: kafkaSchemaFiles,
    exit: [99],
    why: 'the docs check an incompatible schema against a BACKWARD subject: the verdict is exit 99',
  },
  {
    match: /schema get customers --kind kafka --registry-url http:\/\/127\.0\.0\.1:1$/,
    exit: [69],
    why: 'the docs show what an unreachable registry prints',
  },
  { match: /schema \w+ customers --kind kafka/, setup: kafkaSchemaFiles },
  { match: /schema \w+ customers/, setup: schemaFiles },
  // dead letters
  { match: /dlq (peek|replay) orders-dlt/, setup: springDlt },
  { match: /dlq (stats|purge) orders.dlq/, setup: rabbitDlq },
  // perf
  {
    match: /perf .*--gate/,
    exit: [0, 99],
    why: 'gate verdicts depend on the machine; the run, its flags and gates must work',
  },
  // a consume that receives fewer records than --num-records fails (exit 1): the topic gets them first
  { match: /perf (consume) --kind kafka --topic load/, setup: loadWithRecords },
  {
    match: /perf compare main.json pr.json --max-regression/,
    setup: resultFiles,
    exit: [0, 99],
    why: 'the base run of this machine may be invalid (its validity is a gate): the flags must work',
  },
  {
    match: /perf merge shard-\*\.json/,
    setup: resultFiles,
    exit: [0, 99],
    why: 'gates on a 2 s run of this machine',
  },
  { match: /perf (compare|merge) (main|pr|shard)/, setup: resultFiles },
  // docs/distributed-load.md loads a topic README.md's examples create (the two run in separate files)
  { match: /perf produce --kind kafka --topic load --rate 20000 --shard/, setup: () => kafkaTopic('load') },
  { match: /perf merge s0.json s1.json/, exit: [0, 99], why: 'gates on a 3 s run of this machine' },
];

function expectationFor(example: DocExample): Expectation {
  return EXPECT.find((e) => e.match.test(example.command)) ?? { match: /.*/ };
}

/** `lag serve`: scrape /metrics once, then SIGTERM. */
async function runServe(argv: string[]): Promise<{ code: number | null; body: string; stderr: string }> {
  const port = await freePort();
  const i = argv.indexOf('--port');
  if (i >= 0) argv[i + 1] = String(port);
  else argv.push('--port', String(port));
  const child = recordChild(
    spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, ...env }, cwd }),
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let body = '';
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !body) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      if (res.ok) body = await res.text();
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.kill('SIGTERM');
  return { code: await exited, body, stderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The examples of `files`, one at a time. Two files share them (README.md here, docs/*.md in
 * docs-examples-2.test.ts): one after the other they took more than the 600 s a test file may take on a
 * loaded machine (load 17: README's 60 examples alone took about 550 s).
 */
export function documentedExamplesSuite(files: string[], minimum: number): void {
  describe(
    `every documented example of ${files.length === 1 ? files[0] : `${files.length} files`} runs against the local brokers`,
    { concurrency: 1 },
    () => {
      const examples = docExamples(files);

      before(async () => {
        await Promise.all([requireKafka(), requirePulsar(), requireRabbit()]);
        kafka = new Kafka({
          brokers: [LOCAL.kafka.brokers],
          clientId: 'mqctl-docs-test',
          logLevel: logLevel.NOTHING,
        });
        cwd = tempDir('mqctl-docs-');
        env = { ...isolatedConfigEnv(), KAFKA_PASSWORD: 'mqctl-secret' };
      });

      after(async () => {
        // Everything this run made: topics, groups, queues, exchanges, namespaces, result files.
        const admin = kafka.admin();
        await admin.connect();
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${RUN}-`));
        const groups = (await admin.listGroups()).groups
          .map((g) => g.groupId)
          .filter((g) => g.startsWith(`${RUN}-`));
        if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
        await admin.disconnect();
        await deleteTopics(kafka, topics);
        const queues = await runCli(['queue', 'list', '--kind', 'rabbitmq', '--filter', RUN, '-o', 'json'], {
          env,
        });
        const names =
          queues.code === 0 ? (JSON.parse(queues.stdout) as { items: Array<{ name: string }> }).items : [];
        for (const q of names) rabbitQueues.add(q.name);
        await rabbitCleanup(
          LOCAL.rabbitmq.url,
          [...rabbitQueues],
          [...rabbitExchanges, own('jobs.dlx'), own('ex-rq-7990')],
        );
        await runCli(['schema', 'delete', own('customers'), '--kind', 'pulsar', '--yes', '--force'], { env });
        if (registryReady) {
          for (const side of [[], ['--key']])
            await runCli(
              [
                'schema',
                'delete',
                own('customers'),
                '--kind',
                'kafka',
                '--registry-url',
                REGISTRY,
                '--yes',
                ...side,
              ],
              { env },
            );
        }
        for (const t of [own('orders'), own('payments'), own('customers')]) {
          await runCli(['topic', 'delete', t, '--kind', 'pulsar', '--yes', '--force'], { env });
        }
        for (const ns of [own('public/ops'), own('public/orders')]) {
          await runCli(['namespace', 'delete', ns, '--kind', 'pulsar', '--yes'], { env });
        }
        rmSync(cwd, { recursive: true, force: true });
      });

      it(`found the examples (${examples.length})`, () => {
        assert.ok(
          examples.length >= minimum,
          `expected at least ${minimum} examples, found ${examples.length}`,
        );
      });

      for (const example of examples) {
        it(`${example.file}:${example.line}: ${example.command.slice(0, 110)}`, async () => {
          const expectation = expectationFor(example);
          await expectation.setup?.();
          const argv = adapt(example);
          const allowed = expectation.exit ?? [0];
          if (argv[0] === 'lag' && argv[1] === 'serve') {
            const served = await runServe(argv);
            assert.match(served.body, /^# (HELP|TYPE) /m, `no metrics served; stderr: ${served.stderr}`);
            assert.equal(served.code, 0, `lag serve should exit 0 on SIGTERM; stderr: ${served.stderr}`);
            return;
          }
          const result = await runCli(argv, { env, timeoutMs: 120_000, cwd });
          assert.ok(
            allowed.includes(result.code ?? -1),
            `exit ${result.code} (expected ${allowed.join(' or ')}${expectation.why ? `: ${expectation.why}` : ''}) for\n  mqctl ${argv.join(' ')}\nstderr: ${result.stderr.slice(0, 600)}`,
          );
          assert.doesNotMatch(result.stderr, /^\s+at .+\(.+:\d+:\d+\)$/m, 'a stack trace reached stderr');
        });
      }
    },
  );
}

/** README.md's examples; docs-examples-2.test.ts imports this file for the rest and runs those. */
export const README_FILES = ['README.md'];
if (require.main === module) documentedExamplesSuite(README_FILES, 50);
