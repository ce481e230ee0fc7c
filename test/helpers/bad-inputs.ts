import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from '../../src/brokers/kafka/kafkajs';
import { CLOSED_PORT, LOCAL, requireKafka, requirePulsar, requireRabbit, uniqueName } from './brokers';
import { isolatedConfigEnv, recordedRuns, runCli, type CliResult } from './cli';
import { TEST_SECRETS, secretsIn } from './secrets';
import { tempDir } from './tmp';
import { createKafkaTopics } from './topics';

/**
 * Bad input, all of it (issue 11): one row per wrong thing a user can type, across every command. The table
 * runs in four shards (test/e2e/bad-inputs*.test.ts, every fourth row each), so each file stays well inside the
 * suite's 10-minute limit per file on a busy 2-core machine. Each row
 * asserts the documented exit code, exactly one `Error:` line on stderr (a write command's `target: ...`
 * line may precede it; nothing else may), no stack frame, no test secret, and (rows marked `writes`) that the
 * broker is unchanged: the fixtures and every name a row tried to create or change are checked against the
 * real brokers after the table, with the brokers' own APIs (kafkajs admin, RabbitMQ management and Pulsar
 * admin HTTP), never through mqctl. Rows prefer inputs that fail before connecting; they run four at a time,
 * each spawn killed after 30 s.
 *
 * Against the pre-fix tree (01d69c6, 0.1.0; MQCTL_TEST_BIN), 2026-12-02: 310 of the 629 rows failed, 78 of
 * them for commands 0.1.0 did not have, 232 breaking the claim (90 wrong exit codes); every shard's broker
 * check failed. The breakdown and how it was run: docs/DEVELOPING.md "Tests".
 */

interface Row {
  /** mqctl's arguments (without `mqctl`). */
  args: string[];
  /** The documented exit code. */
  code: number;
  /** The error line must match (it names the argument/flag and what is expected). */
  says?: RegExp;
  /** A write command aimed at a real broker: the after-table broker check covers it. */
  writes?: boolean;
  env?: Record<string, string>;
  /** --debug rows may print a stack (after the one Error: line); the secret check still applies. */
  debug?: boolean;
}

const S = TEST_SECRETS;
const tag = uniqueName('badinput');
const FX = {
  kt: `${tag}-kt`,
  kg: `${tag}-kg`,
  pt: `${tag}-pt`,
  ps: `${tag}-ps`,
  rq: `${tag}-rq`,
  rx: `${tag}-rx`,
  ns: `public/${tag}-fxns`,
};
const NEW_K = `${tag}-new-k`;
const NEW_P = `${tag}-new-p`;
const NEW_Q = `${tag}-new-q`;
const NEW_X = `${tag}-new-x`;
const NEW_NS = `public/${tag}-ns`;
const LONG_K = 'a'.repeat(300);
const LONG_R = 'q'.repeat(256);
const LONG_X = 'x'.repeat(256);
const BAD = 'bad name!';
/** Names rows try to create or address; none may exist after the table. */
const NEVER = {
  kafka: [NEW_K, BAD, LONG_K, `${tag}-ok`, `${tag}-bad name`, `${tag}-v`],
  pulsar: [NEW_P, `${tag}-v`],
  pulsarNamespaces: [NEW_NS],
  rabbitQueues: [NEW_Q, LONG_R, `${tag}-v`],
  rabbitExchanges: [NEW_X, LONG_X, 'amq.badinput'],
};

const K = ['--kind', 'kafka'];
const P = ['--kind', 'pulsar'];
const R = ['--kind', 'rabbitmq'];
const T = ['--timeout', '5s'];
/** Replaced by the port of a server this test holds ("port in use"). */
const BUSY_PORT = '<busy-port>';

const dir = tempDir('mqctl-badinput-');
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const NOT_JSON = file('not-json.json', 'this is not json\n');
const NOT_RESULT = file('not-result.json', '{"hello":"world"}\n');
const EMPTY_JSON = file('empty.json', '');
const BAD_CSV = file('plan.csv', 'topic,partition,offset\nx,notanumber,5\n');
const NOT_PEM = file('not-pem.pem', 'hello\n');
const GATES_BAD = file('gates.yaml', 'gates:\n  - "p99 <<< 20ms"\n');
const GATES_NOT_YAML = file('gates-broken.yaml', 'gates: [unclosed\n');
const SCHEMA_STRING = file('schema-string.json', '{"type":"STRING","schema":"","properties":{}}\n');
const SCHEMA_NO_TYPE = file('schema-no-type.json', '{"schema":"","properties":{}}\n');
const PASSWORD_FILE_EMPTY = file('empty-password', '');
const MISSING = join(dir, 'missing.json');
const NO_DIR = join(dir, 'no-such-dir', 'x.json');
/** A real perf result (written in before() by a 10-record perf produce against the local Kafka). */
const RESULT = join(dir, 'result.json');

/** The port a test server holds for "port in use". */
let busy: Server;
let busyPort = 0;

const u = (user: string, secret: string) => `${encodeURIComponent(user)}:${encodeURIComponent(secret)}`;

/**
 * Every command id a user can type, from the manifest (the table must cover each). Hidden commands are left
 * out: `__complete` is the shells' completion hook, silent on any input by design.
 */
const manifest = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'oclif.manifest.json'), 'utf8'),
) as {
  commands: Record<string, { hidden?: boolean }>;
};
const COMMAND_IDS = Object.keys(manifest.commands).filter((id) => !manifest.commands[id]!.hidden);

function rows(): Row[] {
  const out: Row[] = [];
  const add = (code: number, args: string[], more: Partial<Row> = {}) => out.push({ args, code, ...more });

  // ---- unknown flag on every command ----
  for (const id of COMMAND_IDS) add(2, [...id.split(':'), '--no-such-flag'], { says: /--no-such-flag/ });

  // ---- a required argument missing: the error names it ----
  const needName: [string, string, string[]][] = [
    ['context add', 'name', ['--kind', 'kafka']],
    ['context delete', 'name', []],
    ['context use', 'name', []],
    ['dlq peek', 'dlq', K],
    ['dlq purge', 'dlq', K],
    ['dlq replay', 'dlq', K],
    ['dlq stats', 'dlq', K],
    ['exchange create', 'name', R],
    ['exchange delete', 'name', R],
    ['group delete', 'group', K],
    ['group describe', 'group', K],
    ['group reset-offsets', 'group', K],
    ['group skip', 'group', [...K, '--topic', 't']],
    ['namespace create', 'name', P],
    ['namespace delete', 'name', P],
    ['perf compare', 'a', []],
    ['queue create', 'name', R],
    ['queue delete', 'name', R],
    ['queue describe', 'name', R],
    ['queue purge', 'name', R],
    ['topic add-partitions', 'name', [...K, '--num', '1']],
    ['topic alter', 'name', [...K, '--partitions', '2']],
    ['topic create', 'name', K],
    ['topic delete', 'name', K],
    ['topic describe', 'name', K],
    ['topic config delete', 'name', K],
    ['topic config get', 'name', K],
    ['topic config set', 'name', K],
  ];
  for (const [c, arg, extra] of needName)
    add(2, [...c.split(' '), ...extra], { says: new RegExp(`[Mm]issing.*\\b${arg}\\b`) });
  add(2, ['perf', 'compare', NOT_RESULT], { says: /[Mm]issing.*\bb\b/ });
  add(2, ['topic', 'config', 'set', FX.kt, ...K], { says: /key=value|pair/i, writes: true });
  add(2, ['topic', 'config', 'delete', FX.kt, ...K], { says: /key/i, writes: true });

  // ---- a required flag missing: the error names it ----
  add(2, ['binding', 'create', '--source', 'x', ...R], { says: /--destination/ });
  add(2, ['binding', 'create', '--destination', 'y', ...R], { says: /--source/ });
  add(2, ['binding', 'delete', '--source', 'x', ...R, '--yes'], { says: /--destination/ });
  add(2, ['perf', 'produce', ...K, '--rate', '10'], { says: /--topic/ });
  add(2, ['perf', 'consume', ...K], { says: /--topic/ });
  add(2, ['perf', 'e2e', ...K, '--rate', '10'], { says: /--topic/ });
  add(2, ['verify', ...K, '--rate', '10', '-n', '10'], { says: /--topic/ });
  add(2, ['context', 'add', 'ctx1'], { says: /--kind/ });
  add(2, ['topic', 'alter', FX.kt, ...K], { says: /--partitions/, writes: true });
  add(2, ['topic', 'add-partitions', FX.kt, ...K], { says: /--num/, writes: true });
  add(2, ['group', 'skip', FX.kg, ...K, '--yes'], { says: /--topic/, writes: true });

  // ---- option values outside the list: the error names the flag and the choices ----
  const listing = [
    ['cluster', 'info', ...K],
    ['context', 'list'],
    ['context', 'show'],
    ['lag', ...K],
    ['queue', 'list', ...R],
    ['tenant', 'list', ...P],
    ['namespace', 'list', 'public', ...P],
    ['exchange', 'list', ...R],
    ['binding', 'list', ...R],
    ['group', 'list', ...K],
    ['dlq', 'list', ...K],
    ['topic', 'describe', FX.kt, ...K],
    ['perf', 'merge', RESULT],
  ];
  for (const l of listing) add(2, [...l, '-o', 'xml'], { says: /--output.*(table|json)/ });
  add(2, ['topic', 'list', '--kind', 'kafak'], { says: /--kind.*kafka/ });
  add(2, ['topic', 'list', ...K, '--sasl-mechanism', 'md5', '--username', 'x'], { says: /--sasl-mechanism/ });
  add(2, ['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '--acks', '5'], {
    says: /--acks/,
    writes: true,
  });
  add(2, ['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '--compression', 'brotli'], {
    says: /--compression/,
    writes: true,
  });
  add(2, ['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '--key-pattern', 'zipf'], {
    says: /--key-pattern/,
    writes: true,
  });
  add(2, ['perf', 'produce', ...R, '--topic', FX.rq, '--rate', '1', '--queue-type', 'lazy'], {
    says: /--queue-type/,
    writes: true,
  });
  add(2, ['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '--kafka-client', 'franz'], {
    says: /--kafka-client/,
    writes: true,
  });
  add(2, ['perf', 'consume', ...K, '--topic', FX.kt, '--from', 'middle'], { says: /--from/ });
  add(2, ['perf', 'consume', ...P, '--topic', FX.pt, '--pulsar-client', 'java'], { says: /--pulsar-client/ });
  add(2, ['queue', 'create', NEW_Q, ...R, '--type', 'lazy'], { says: /--type/, writes: true });
  add(2, ['exchange', 'create', NEW_X, ...R, '--type', 'fanoutx'], { says: /--type|fanoutx/, writes: true });
  add(2, ['lag', ...K, '--fail-on', 'never'], { says: /--fail-on/ });
  add(2, ['lag', 'serve', ...K, '--metric-names', 'burrow'], { says: /--metric-names/ });
  add(2, ['context', 'add', 'c2', '--kind', 'mqtt'], { says: /--kind/ });
  add(2, ['context', 'add', 'c2', '--kind', 'pulsar', '--data-path', 'carrier-pigeon'], {
    says: /--data-path/,
  });
  add(2, ['dlq', 'replay', FX.rq, ...R, '--to', NEW_Q, '--route', 'teleport'], {
    says: /--route/,
    writes: true,
  });
  add(
    2,
    ['binding', 'create', '--source', FX.rx, '--destination', FX.rq, '--destination-type', 'topic', ...R],
    { says: /--destination-type/, writes: true },
  );
  add(2, ['verify', ...K, '-t', FX.kt, '--rate', '10', '-n', '10', '--acks', '2'], {
    says: /--acks/,
    writes: true,
  });
  add(2, ['verify', ...P, '-t', FX.pt, '--rate', '10', '-n', '10', '--pulsar-client', 'java'], {
    says: /--pulsar-client/,
    writes: true,
  });

  // ---- integers: type and range, named ----
  const intRows: [string[], string, RegExp][] = [
    [['topic', 'create', NEW_K, ...K, '--partitions', 'abc'], '--partitions', /integer/],
    [['topic', 'create', NEW_K, ...K, '--partitions', '0'], '--partitions', /0|above|positive|at least/],
    [['topic', 'create', NEW_K, ...K, '--partitions', '-3'], '--partitions', /0|above|positive|at least/],
    [['topic', 'create', NEW_K, ...K, '--replication-factor', 'x'], '--replication-factor', /integer/],
    [['topic', 'create', NEW_K, ...K, '--replication-factor', '0'], '--replication-factor', /0|1|at least/],
    [['topic', 'create', NEW_P, ...P, '--partitions', 'x'], '--partitions', /integer/],
    [['topic', 'alter', FX.kt, ...K, '--partitions', 'abc'], '--partitions', /integer/],
    [['topic', 'alter', FX.kt, ...K, '--partitions', '0'], '--partitions', /0|above|positive|at least/],
    [['topic', 'add-partitions', FX.kt, ...K, '--num', 'abc'], '--num', /integer/],
    [['topic', 'add-partitions', FX.kt, ...K, '--num', '0'], '--num', /0|above|positive|at least/],
    [['dlq', 'peek', FX.kt, ...K, '--limit', '0'], '--limit', /1/],
    [['dlq', 'peek', FX.kt, ...K, '--limit', 'ten'], '--limit', /integer/],
    [['dlq', 'peek', FX.kt, ...K, '--scan', '0'], '--scan', /1/],
    [['dlq', 'stats', FX.kt, ...K, '--scan', '-5'], '--scan', /1/],
    [['dlq', 'replay', FX.kt, ...K, '--to', NEW_K, '--limit', '0'], '--limit', /1/],
    [['dlq', 'replay', FX.kt, ...K, '--to', NEW_K, '--max-replays', 'x'], '--max-replays', /integer/],
    [['dlq', 'list', ...K, '--sample', 'lots'], '--sample', /integer/],
    [['group', 'skip', FX.kg, ...K, '--topic', FX.kt, '--count', '0', '--yes'], '--count', /1/],
    [['group', 'skip', FX.kg, ...K, '--topic', FX.kt, '--count', 'many', '--yes'], '--count', /integer/],
    [
      ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt, '--to-offset', 'abc'],
      '--to-offset',
      /integer/,
    ],
    [
      ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt, '--shift-by', '1e3x'],
      '--shift-by',
      /integer/,
    ],
    [['lag', 'serve', ...K, '--port', '99999'], '--port', /65535/],
    [['lag', 'serve', ...K, '--port', '-1'], '--port', /65535|0/],
    [['lag', 'serve', ...K, '--port', 'http'], '--port', /integer/],
    [['lag', 'serve', ...K, '--window', '0'], '--window', /1|2/],
    [['lag', 'serve', ...K, '--min-samples', 'x'], '--min-samples', /integer/],
    [['lag', ...K, '--count', '0'], '--count', /1/],
    [['lag', ...K, '--max-lag', 'lots'], '--max-lag', /integer/],
    [['lag', ...K, '--window', 'x'], '--window', /integer/],
    [['queue', 'create', NEW_Q, ...R, '--max-length', 'abc'], '--max-length', /integer/],
    [['queue', 'create', NEW_Q, ...R, '--max-length-bytes', '-1'], '--max-length-bytes', /0|integer/],
    [
      ['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '--producers', 'two'],
      '--producers',
      /integer/,
    ],
    [['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '--threads', 'x'], '--threads', /integer/],
    [['perf', 'produce', ...R, '--topic', FX.rq, '--rate', '1', '--confirm', 'yes'], '--confirm', /integer/],
    [['perf', 'consume', ...K, '--topic', FX.kt, '--threads', 'x'], '--threads', /integer/],
    [['perf', 'consume', ...R, '--topic', FX.rq, '--prefetch', 'x'], '--prefetch', /integer/],
    [['verify', ...K, '-t', FX.kt, '--rate', '10', '-n', '10', '--producers', 'x'], '--producers', /integer/],
    [
      ['verify', ...K, '-t', FX.kt, '--rate', '10', '-n', '10', '--consumer-restarts', 'x'],
      '--consumer-restarts',
      /integer/,
    ],
    [['verify', ...K, '-t', FX.kt, '--rate', '10', '-n', '10', '--examples', 'x'], '--examples', /integer/],
    [
      ['verify', ...K, '-t', FX.kt, '--rate', '10', '-n', '10', '--partitions', '0', '--create-topic'],
      '--partitions',
      /1|0/,
    ],
  ];
  for (const [args, flag, what] of intRows) {
    const writes = ['topic', 'group', 'queue', 'perf', 'verify', 'dlq'].includes(args[0]!);
    add(2, args, { says: new RegExp(`${flag}.*${what.source}|${what.source}.*${flag}`), writes });
  }

  // ---- numbers the flag parser accepts but the command cannot use ----
  const pk = ['perf', 'produce', ...K, '--topic', FX.kt];
  add(2, [...pk, '--rate', 'abc', '-n', '10'], { says: /--rate/, writes: true });
  add(2, [...pk, '--rate', '-5', '-n', '10'], { says: /--rate/, writes: true });
  add(2, [...pk, '--rate', '10', '--num-records', 'abc'], { says: /--num-records/, writes: true });
  add(2, [...pk, '--rate', '10', '--num-records', '-1'], { says: /--num-records/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--producers', '0'], { says: /--producers/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--threads', '0'], { says: /--threads/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--shard', '3/2'], { says: /--shard/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--shard', 'x'], { says: /--shard/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--throughput', 'fast'], { says: /--throughput/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--producer-props', 'novalue'], {
    says: /--producer-props/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--producer-props', 'acks=sometimes'], {
    says: /acks/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--key-space', '0'], { says: /--key-space/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--max-pending', '0'], { says: /--max-pending/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--max-errors', 'x'], { says: /--max-errors/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--batch-size', 'huge'], { says: /--batch-size/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--max-in-flight', '0'], {
    says: /--max-in-flight/,
    writes: true,
  });
  add(2, ['perf', 'consume', ...K, '--topic', FX.kt, '--num-records', '0x'], { says: /--num-records/ });
  add(2, ['perf', 'consume', ...K, '--topic', FX.kt, '-n', '10', '--threads', '0'], { says: /--threads/ });
  const vk = ['verify', ...K, '-t', FX.kt];
  add(2, [...vk, '--rate', 'abc', '-n', '10'], { says: /--rate/, writes: true });
  add(2, [...vk, '--rate', '10', '-n', 'ten'], { says: /--num-records/, writes: true });
  add(2, [...vk, '--rate', '10', '-n', '10', '--producers', '0'], { says: /--producers/, writes: true });
  add(2, [...vk, '--rate', '10', '-n', '10', '--examples', '-1'], { says: /--examples/, writes: true });
  add(2, [...vk, '--rate', '10', '-n', '10', '--replication-factor', '0', '--create-topic'], {
    says: /--replication-factor/,
    writes: true,
  });

  // ---- durations ----
  add(2, ['topic', 'list', ...K, '--timeout', 'abc'], { says: /--timeout|duration/ });
  add(2, ['queue', 'list', ...R, '--timeout', 'soon'], { says: /--timeout|duration/ });
  add(2, ['tenant', 'list', ...P, '--timeout', '1fortnight'], { says: /--timeout|duration/ });
  add(2, ['cluster', 'info', ...K, '--timeout', '-1'], { says: /--timeout|duration/ });
  add(2, ['cluster', 'info', ...K, '--timeout', '0s'], { says: /--timeout|duration|positive/ });
  add(2, ['topic', 'list', ...K], { env: { MQCTL_TIMEOUT: 'never' }, says: /timeout|duration/ });
  add(2, ['exchange', 'list', ...R, '--timeout', '5 parsecs'], { says: /--timeout|duration/ });
  add(2, ['namespace', 'list', 'public', ...P, '--timeout', 'x'], { says: /--timeout|duration/ });
  add(2, ['group', 'list', ...K, '--timeout', 'x'], { says: /--timeout|duration/ });
  add(2, ['binding', 'list', ...R, '--timeout', 'x'], { says: /--timeout|duration/ });
  add(2, ['dlq', 'list', ...K, '--timeout', 'x'], { says: /--timeout|duration/ });
  add(2, [...pk, '--rate', '10', '--duration', 'abc'], { says: /--duration/, writes: true });
  add(2, [...pk, '--rate', '10', '--duration', '0s'], { says: /--duration/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--interval', '0'], { says: /--interval/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--warmup', 'x'], { says: /--warmup/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--flush-timeout', 'x'], {
    says: /--flush-timeout/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--linger', 'x'], { says: /--linger/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--max-send-delay', 'abc'], {
    says: /--max-send-delay/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--abort-grace', 'x', '--abort-on-fail', '--gate', 'p99<1s'], {
    says: /--abort-grace/,
    writes: true,
  });
  add(2, ['perf', 'produce', ...P, '--topic', FX.pt, '--rate', '10', '--batch-delay', 'x'], {
    says: /--batch-delay/,
    writes: true,
  });
  add(2, ['perf', 'consume', ...K, '--topic', FX.kt, '-n', '10', '--idle-timeout', 'x'], {
    says: /--idle-timeout/,
  });
  add(2, ['perf', 'e2e', ...K, '--topic', FX.kt, '--rate', '10', '--duration', 'x'], {
    says: /--duration/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-d', 'soon'], { says: /--duration/, writes: true });
  add(2, [...vk, '--rate', '10', '-n', '10', '--drain-timeout', 'x'], {
    says: /--drain-timeout/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--outage-threshold', 'x'], {
    says: /--outage-threshold/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--consumer-hang', 'x'], {
    says: /--consumer-hang/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--flush-timeout', '-3s'], {
    says: /--flush-timeout/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--interval', 'x'], { says: /--interval/, writes: true });
  add(2, ['lag', ...K, '--watch=often'], { says: /--watch/ });
  add(2, ['lag', ...K, '--max-time-lag', 'abc'], { says: /--max-time-lag/ });
  add(2, ['lag', 'serve', ...K, '--interval', 'abc'], { says: /--interval/ });
  add(2, ['lag', 'serve', ...K, '--interval', '0s'], { says: /--interval/ });
  add(2, ['dlq', 'peek', FX.kt, ...K, '--since', 'yesterdayish'], { says: /--since/ });
  add(2, ['dlq', 'peek', FX.kt, ...K, '--until', '2026-13-45T99:00:00Z'], { says: /--until/ });
  add(2, ['dlq', 'stats', FX.kt, ...K, '--since', 'abc'], { says: /--since/ });
  add(2, ['dlq', 'purge', FX.kt, ...K, '--since', 'abc', '--yes'], { says: /--since/, writes: true });
  add(2, ['dlq', 'purge', FX.rq, ...R, '--until', 'abc', '--yes'], { says: /--until/, writes: true });
  add(2, ['dlq', 'replay', FX.kt, ...K, '--to', NEW_K, '--rate', 'fast'], { says: /--rate/, writes: true });
  add(2, ['dlq', 'replay', FX.kt, ...K, '--to', NEW_K, '--since', 'x'], { says: /--since/, writes: true });
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt, '--by-duration', 'abc'], {
    says: /--by-duration/,
  });
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt, '--to-datetime', 'last tuesday'], {
    says: /--to-datetime/,
  });
  add(2, ['queue', 'create', NEW_Q, ...R, '--message-ttl', 'forever'], {
    says: /--message-ttl/,
    writes: true,
  });

  // ---- sizes ----
  for (const [kind, topic] of [
    [K, FX.kt],
    [P, FX.pt],
    [R, FX.rq],
  ] as const) {
    const base = ['perf', 'produce', ...kind, '--topic', topic, '--rate', '10', '-n', '10'];
    add(2, [...base, '--record-size', '999999999999'], { says: /--record-size/, writes: true });
    add(2, [...base, '--record-size', 'abc'], { says: /--record-size/, writes: true });
    add(2, [...base, '--record-size', '1ZiB'], { says: /--record-size/, writes: true });
    add(2, ['verify', ...kind, '-t', topic, '--rate', '10', '-n', '10', '--record-size', '999999999999'], {
      says: /--record-size/,
      writes: true,
    });
  }
  add(2, ['perf', 'e2e', ...K, '--topic', FX.kt, '--rate', '10', '-n', '10', '--record-size', '-1'], {
    says: /--record-size/,
    writes: true,
  });

  // ---- impossible names: exit 2 before any broker call ----
  for (const bad of [BAD, LONG_K]) {
    add(2, ['topic', 'create', bad, ...K], { says: /name/, writes: true });
    add(2, ['topic', 'describe', bad, ...K], { says: /name/ });
    add(2, ['topic', 'delete', bad, ...K, '--yes'], { says: /name/, writes: true });
    add(2, ['perf', 'produce', ...K, '--topic', bad, '--rate', '1', '--num-records', '1'], {
      says: /name/,
      writes: true,
    });
    add(2, ['perf', 'consume', ...K, '--topic', bad, '--num-records', '1'], { says: /name/ });
    add(2, ['verify', ...K, '--topic', bad, '--rate', '1', '--num-records', '1'], {
      says: /name/,
      writes: true,
    });
    add(2, ['dlq', 'peek', bad, ...K], { says: /name/ });
  }
  add(2, ['topic', 'create', '..', ...K], { says: /name/, writes: true });
  add(2, ['topic', 'create', '', ...K], { says: /name|empty/, writes: true });
  for (const bad of [BAD]) {
    add(2, ['topic', 'alter', bad, ...K, '--partitions', '3'], { says: /name/, writes: true });
    add(2, ['topic', 'add-partitions', bad, ...K, '--num', '1'], { says: /name/, writes: true });
    add(2, ['topic', 'config', 'get', bad, ...K], { says: /name/ });
    add(2, ['topic', 'config', 'set', bad, 'retention.ms=1000', ...K], { says: /name/, writes: true });
    add(2, ['topic', 'config', 'delete', bad, 'retention.ms', ...K], { says: /name/, writes: true });
    add(2, ['perf', 'e2e', ...K, '--topic', bad, '--rate', '1', '--num-records', '1'], {
      says: /name/,
      writes: true,
    });
    add(2, ['dlq', 'stats', bad, ...K], { says: /name/ });
    add(2, ['dlq', 'purge', bad, ...K, '--yes'], { says: /name/, writes: true });
    add(2, ['dlq', 'replay', FX.kt, ...K, '--to', bad, '--dry-run'], { says: /name/ });
    add(2, ['dlq', 'replay', bad, ...K, '--to', FX.kt], { says: /name/, writes: true });
    add(2, ['lag', ...K, '--topic', bad], { says: /name/ });
    add(2, ['lag', 'serve', ...K, '--topic', bad, '--port', '0'], { says: /name/ });
    add(2, ['group', 'list', ...K, '--topic', bad], { says: /name/ });
    add(2, ['group', 'describe', FX.kg, ...K, '--topic', bad], { says: /name/ });
    add(2, ['group', 'reset-offsets', FX.kg, ...K, '--topic', bad, '--to-earliest'], { says: /name/ });
    add(2, ['group', 'skip', FX.kg, ...K, '--topic', bad, '--all', '--yes'], { says: /name/, writes: true });
    add(2, ['group', 'delete', FX.kg, ...K, '--topic', bad, '--yes'], { says: /name/, writes: true });
  }
  add(2, ['topic', 'create', `${tag}-ok`, `${tag}-bad name`, ...K], { says: /name/, writes: true });
  add(2, ['topic', 'delete', FX.kt, BAD, ...K, '--yes'], { says: /name/, writes: true });
  for (const bad of [LONG_R]) {
    add(2, ['queue', 'create', bad, ...R], { says: /name|255/, writes: true });
    add(2, ['queue', 'describe', bad, ...R], { says: /name|255/ });
    add(2, ['queue', 'delete', bad, ...R, '--yes'], { says: /name|255/, writes: true });
    add(2, ['queue', 'purge', bad, ...R, '--yes'], { says: /name|255/, writes: true });
    add(2, ['dlq', 'peek', bad, ...R], { says: /name|255/ });
    add(2, ['dlq', 'stats', bad, ...R], { says: /name|255/ });
    add(2, ['dlq', 'purge', bad, ...R, '--yes'], { says: /name|255/, writes: true });
    add(2, ['dlq', 'replay', FX.rq, ...R, '--to', bad], { says: /name|255/, writes: true });
    add(2, ['group', 'describe', bad, ...R], { says: /name|255/ });
    add(2, ['perf', 'produce', ...R, '--topic', bad, '--rate', '1', '--num-records', '1'], {
      says: /name|255/,
      writes: true,
    });
    add(2, ['perf', 'consume', ...R, '--topic', bad, '--num-records', '1'], { says: /name|255/ });
    add(2, ['verify', ...R, '--topic', bad, '--rate', '1', '--num-records', '1'], {
      says: /name|255/,
      writes: true,
    });
    add(2, ['binding', 'create', '--source', FX.rx, '--destination', bad, ...R], {
      says: /name|255/,
      writes: true,
    });
    add(2, ['binding', 'delete', '--source', FX.rx, '--destination', bad, ...R, '--yes'], {
      says: /name|255/,
      writes: true,
    });
    add(2, ['binding', 'list', '--source', bad, ...R], { says: /name|255/ });
    add(2, ['lag', ...R, '--group', bad], { says: /name|255/ });
  }
  add(2, ['exchange', 'create', LONG_X, ...R], { says: /name|255/, writes: true });
  add(2, ['exchange', 'delete', LONG_X, ...R, '--yes'], { says: /name|255/, writes: true });
  add(2, ['exchange', 'create', 'amq.badinput', ...R], { says: /amq\.|reserved|refusing/, writes: true });
  add(2, ['binding', 'create', '--source', LONG_X, '--destination', FX.rq, ...R], {
    says: /name|255/,
    writes: true,
  });
  add(
    2,
    ['perf', 'produce', ...R, '--topic', FX.rq, '--exchange', LONG_X, '--rate', '1', '--num-records', '1'],
    { says: /name|255/, writes: true },
  );
  for (const bad of [BAD, 'a/b', 'persistent://public/default/x/y', 'persistent://pub lic/default/x']) {
    add(2, ['topic', 'create', bad, ...P], { says: /name/, writes: true });
    add(2, ['topic', 'describe', bad, ...P], { says: /name/ });
  }
  add(2, ['topic', 'delete', BAD, ...P, '--yes'], { says: /name/, writes: true });
  add(2, ['topic', 'alter', BAD, ...P, '--partitions', '4'], { says: /name/, writes: true });
  add(2, ['topic', 'config', 'get', BAD, ...P], { says: /name/ });
  add(2, ['topic', 'config', 'set', BAD, 'retention=1h', ...P], { says: /name/, writes: true });
  add(2, ['perf', 'produce', ...P, '--topic', BAD, '--rate', '1', '--num-records', '1'], {
    says: /name/,
    writes: true,
  });
  add(2, ['perf', 'consume', ...P, '--topic', BAD, '--num-records', '1'], { says: /name/ });
  add(2, ['verify', ...P, '--topic', BAD, '--rate', '1', '--num-records', '1'], {
    says: /name/,
    writes: true,
  });
  add(2, ['dlq', 'peek', BAD, ...P], { says: /name/ });
  add(2, ['dlq', 'purge', BAD, ...P, '--yes'], { says: /name/, writes: true });
  add(2, ['group', 'describe', FX.ps, ...P, '--topic', BAD], { says: /name/ });
  add(2, ['group', 'delete', FX.ps, ...P, '--topic', BAD, '--yes'], { says: /name/, writes: true });
  add(2, ['lag', ...P, '--topic', BAD], { says: /name/ });
  add(2, ['topic', 'list', ...P, '--namespace', 'bad ns!'], { says: /name|namespace/ });
  add(2, ['namespace', 'create', 'public/bad ns!', ...P], { says: /name/, writes: true });
  add(2, ['namespace', 'create', 'no-tenant-part', ...P], { says: /name|tenant\/namespace/, writes: true });
  add(2, ['namespace', 'delete', 'public/bad ns!', ...P, '--yes'], { says: /name/, writes: true });
  add(2, ['namespace', 'list', 'bad tenant!', ...P], { says: /name|tenant/ });
  add(2, ['context', 'add', 'bad name/../x', '--kind', 'kafka'], { says: /name/ });
  add(2, ['context', 'add', '', '--kind', 'kafka'], { says: /name|empty/ });
  add(2, ['context', 'use', 'bad name/../x'], { says: /name|context/ });

  // ---- the command does not exist on this broker kind: 2 with what to use instead ----
  add(2, ['topic', 'create', NEW_Q, ...R], { says: /RabbitMQ|queue/, writes: true });
  add(2, ['queue', 'create', NEW_K, ...K], { says: /Kafka|topic|queue/, writes: true });
  add(2, ['queue', 'list', ...P], { says: /Pulsar|queue|topic/ });
  add(2, ['exchange', 'list', ...K], { says: /exchange|RabbitMQ/ });
  add(2, ['exchange', 'create', NEW_X, ...P], { says: /exchange|RabbitMQ/ });
  add(2, ['binding', 'list', ...K], { says: /binding|RabbitMQ/ });
  add(2, ['namespace', 'list', 'public', ...K], { says: /namespace|Pulsar/ });
  add(2, ['namespace', 'create', NEW_NS, ...R], { says: /namespace|Pulsar/ });
  add(2, ['tenant', 'list', ...R], { says: /tenant|Pulsar/ });
  add(2, ['topic', 'add-partitions', FX.rq, ...R, '--num', '1'], {
    says: /RabbitMQ|partition/,
    writes: true,
  });

  // ---- well-formed names that do not exist: 3 ----
  add(3, ['topic', 'describe', NEW_K, ...K, ...T], { says: /not found|does not exist|no topic/i });
  add(3, ['topic', 'describe', NEW_P, ...P, ...T], { says: /not found|does not exist|no topic/i });
  add(3, ['queue', 'describe', NEW_Q, ...R, ...T], { says: /not found|does not exist|no queue/i });
  add(3, ['topic', 'alter', NEW_K, ...K, '--partitions', '3', ...T], { writes: true });
  add(3, ['topic', 'config', 'set', NEW_K, 'retention.ms=1000', ...K, ...T], { writes: true });
  add(3, ['queue', 'purge', NEW_Q, ...R, '--yes', ...T], { writes: true });
  add(3, ['exchange', 'delete', NEW_X, ...R, '--yes', ...T], { writes: true });
  add(3, ['perf', 'consume', ...K, '--topic', NEW_K, '--num-records', '1', ...T]);
  add(3, ['perf', 'produce', ...R, '--topic', NEW_Q, '--rate', '1', '--num-records', '1', ...T], {
    writes: true,
  });
  add(3, ['verify', ...K, '--topic', NEW_K, '--rate', '1', '--num-records', '1', ...T], { writes: true });
  add(3, ['namespace', 'list', `${tag}-tenant`, ...P, ...T]);
  add(3, ['context', 'use', 'no-such-context']);
  add(3, ['context', 'show', 'no-such-context']);
  add(3, ['context', 'delete', 'no-such-context', '--yes']);
  add(3, ['topic', 'list', '--context', 'no-such-context']);
  add(3, ['lag', ...K], { env: { MQCTL_CONTEXT: 'no-such-context' } });

  // ---- connection addresses and URLs (secrets never echoed) ----
  add(2, ['topic', 'list', '--brokers', ','], { says: /--brokers/ });
  add(2, ['topic', 'list', '--brokers', 'localhost'], { says: /broker address/ });
  add(2, ['topic', 'list', '--brokers', '127.0.0.1:99999'], { says: /broker address/ });
  add(2, ['topic', 'list', '--brokers', `user:${S.plain}@127.0.0.1:9094`], { says: /broker address/ });
  add(2, ['topic', 'list', '--brokers', `127.0.0.1:9092,user:${S.slashAt}@h:1`], { says: /broker address/ });
  add(2, ['topic', 'list'], { env: { MQCTL_BROKERS: `u:${S.plain}@nohost` }, says: /broker address/ });
  add(2, ['topic', 'create', NEW_K, '--brokers', `kafka://u:${S.plain}@127.0.0.1:9092`], {
    says: /broker address/,
    writes: true,
  });
  add(2, ['topic', 'list', '--url', 'http://127.0.0.1'], { says: /--url/ });
  add(2, ['topic', 'list', '--url', 'ftp://u:p@127.0.0.1'], { says: /--url/ });
  add(2, ['topic', 'list', '--url', 'not a url'], { says: /--url|URL/ });
  add(2, ['queue', 'list', '--url', 'amqp://'], { says: /AMQP URL|--url/ });
  add(2, ['queue', 'list', '--url', `amqp://u:pa/ss${S.plain}@h`], { says: /AMQP URL/ });
  add(2, ['queue', 'list', '--url', `amqp://u:${S.slashAt}@127.0.0.1:1`], { says: /AMQP URL/ });
  add(2, ['queue', 'list', '--url', 'amqp://127.0.0.1:99999'], { says: /AMQP URL|port/ });
  add(2, ['queue', 'list', ...R, '--admin-url', 'ftp://127.0.0.1:15672'], { says: /management URL/ });
  add(2, ['queue', 'list', ...R, '--admin-url', `ftp://guest:${S.plain}@127.0.0.1:15672`], {
    says: /management URL/,
  });
  add(2, ['queue', 'list', ...R, '--admin-url', 'not a url'], { says: /management URL|--admin-url/ });
  add(2, ['tenant', 'list', '--url', 'pulsar://'], { says: /service URL|--url/ });
  add(2, ['tenant', 'list', ...P, '--admin-url', 'pulsar://127.0.0.1:8080'], { says: /admin URL/ });
  add(2, ['tenant', 'list', ...P, '--admin-url', `ws://a:${S.plain}@127.0.0.1:8080`], { says: /admin URL/ });
  add(2, ['topic', 'create', NEW_P, '--url', `pulsar://a:${S.plain}@`], { says: /URL/, writes: true });
  add(2, ['topic', 'list', '--kind', 'kafka', '--url', 'amqp://127.0.0.1'], { says: /--brokers|--url/ });
  add(2, ['topic', 'list', '--kind', 'mqtt'], { says: /--kind/ });
  add(2, ['topic', 'list', ...K, '--password', S.plain], { says: /--username|SASL/ });
  add(2, ['topic', 'list', ...K, '--username', 'u', '--password-file', MISSING], {
    says: /--password-file|missing\.json/,
  });
  add(2, ['topic', 'list', ...K, '--username', 'u', '--password-file', dir], { says: /--password-file/ });
  add(2, ['topic', 'list', ...K, '--username', 'u', '--password-file', PASSWORD_FILE_EMPTY], {
    says: /--password-file|empty/,
  });
  add(2, ['queue', 'list', ...R, '--password', S.plain, '--password-file', MISSING], {
    says: /--password|--password-file/,
  });
  add(2, ['tenant', 'list', ...P, '--token-file', MISSING], { says: /--token-file|missing\.json/ });
  add(2, ['tenant', 'list', ...P, '--token', S.token, '--token-file', MISSING], { says: /--token/ });
  add(2, ['topic', 'list', '--context', 'envctx'], { says: /MQCTL_BADINPUT_UNSET.*envctx/ });
  add(2, ['queue', 'create', NEW_Q, ...R, '--url', 'amqp://nohost.invalid', '--admin-url', 'ftp://x'], {
    says: /management URL/,
    writes: true,
  });

  // ---- connection flags of another broker kind ----
  const foreign: [string[], string][] = [
    [['topic', 'list', ...K, '--vhost', 'x'], '--vhost'],
    [['topic', 'list', ...P, '--brokers', '127.0.0.1:9092'], '--brokers'],
    [['topic', 'list', ...K, '--token', S.token], '--token'],
    [['queue', 'list', ...R, '--token', S.token], '--token'],
    [['queue', 'list', ...R, '--sasl-mechanism', 'plain'], '--sasl-mechanism'],
    [['queue', 'list', ...R, '--brokers', '127.0.0.1:9092'], '--brokers'],
    [['cluster', 'info', ...P, '--vhost', '/'], '--vhost'],
    [['cluster', 'info', ...K, '--url', 'amqp://127.0.0.1'], '--url'],
    [['tenant', 'list', ...P, '--brokers', 'h:1'], '--brokers'],
    [['namespace', 'list', 'public', ...P, '--vhost', 'x'], '--vhost'],
    [['lag', ...R, '--brokers', 'h:1'], '--brokers'],
    [['lag', 'serve', ...K, '--vhost', 'x'], '--vhost'],
    [['group', 'list', ...K, '--url', 'pulsar://127.0.0.1:6650'], '--url'],
    [['group', 'describe', FX.kg, ...K, '--admin-url', 'http://127.0.0.1:8080'], '--admin-url'],
    [['dlq', 'list', ...K, '--token-file', MISSING], '--token-file'],
    [['dlq', 'peek', FX.rq, ...R, '--sasl-mechanism', 'plain'], '--sasl-mechanism'],
    [['exchange', 'list', ...R, '--brokers', 'h:1'], '--brokers'],
    [['binding', 'list', ...R, '--token', S.token], '--token'],
    [['topic', 'describe', FX.pt, ...P, '--vhost', 'x'], '--vhost'],
    [['topic', 'config', 'get', FX.kt, ...K, '--vhost', 'x'], '--vhost'],
    [['context', 'add', 'c3', '--kind', 'kafka', '--vhost', 'x'], '--vhost'],
    [['context', 'add', 'c3', '--kind', 'rabbitmq', '--brokers', 'h:1'], '--brokers'],
    [['context', 'add', 'c3', '--kind', 'pulsar', '--sasl-mechanism', 'plain'], '--sasl-mechanism'],
    [['context', 'add', 'c3', '--kind', 'kafka', '--token-env', 'X'], '--token-env'],
    [['topic', 'list', '--context', 'existing', '--kind', 'rabbitmq'], '--kind|--context'],
    [['topic', 'list', '--context', 'existing', '--vhost', 'x'], '--vhost'],
  ];
  for (const [args, flag] of foreign) add(2, args, { says: new RegExp(flag) });
  const foreignWrites: [string[], string][] = [
    [['topic', 'create', NEW_K, ...K, '--url', 'amqp://127.0.0.1'], '--url'],
    [['queue', 'create', NEW_Q, ...R, '--brokers', '127.0.0.1:9092'], '--brokers'],
    [['topic', 'create', NEW_P, ...P, '--vhost', '/'], '--vhost'],
    [['queue', 'purge', FX.rq, ...R, '--yes', '--token', 'abcd'], '--token'],
    [['topic', 'delete', FX.kt, ...K, '--yes', '--vhost', 'x'], '--vhost'],
    [['exchange', 'delete', FX.rx, ...R, '--yes', '--brokers', 'h:1'], '--brokers'],
    [
      ['binding', 'delete', '--source', FX.rx, '--destination', FX.rq, ...R, '--yes', '--token', 'x'],
      '--token',
    ],
    [['group', 'delete', FX.kg, ...K, '--yes', '--vhost', 'x'], '--vhost'],
    [['dlq', 'purge', FX.kt, ...K, '--yes', '--url', 'amqp://127.0.0.1'], '--url'],
    [['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '-n', '1', '--vhost', 'x'], '--vhost'],
    [['perf', 'produce', ...R, '--topic', FX.rq, '--rate', '1', '-n', '1', '--acks', 'all'], '--acks'],
    [
      ['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '-n', '1', '--queue-type', 'quorum'],
      '--queue-type',
    ],
    [
      ['perf', 'produce', ...K, '--topic', FX.kt, '--rate', '1', '-n', '1', '--batch-delay', '5ms'],
      '--batch-delay',
    ],
    [['perf', 'e2e', ...P, '--topic', FX.pt, '--rate', '1', '-n', '1', '--exchange', 'x'], '--exchange'],
    [['verify', ...P, '-t', FX.pt, '--rate', '1', '-n', '1', '--idempotent'], '--idempotent'],
    [['verify', ...R, '-t', FX.rq, '--rate', '1', '-n', '1', '--brokers', 'h:1'], '--brokers'],
    [['verify', ...K, '-t', FX.kt, '--rate', '1', '-n', '1', '--persistent'], '--persistent'],
    [['namespace', 'create', NEW_NS, ...P, '--vhost', 'x'], '--vhost'],
  ];
  for (const [args, flag] of foreignWrites) add(2, args, { says: new RegExp(flag), writes: true });
  add(2, ['perf', 'consume', ...K, '--topic', FX.kt, '--pulsar-client', 'websocket'], {
    says: /--pulsar-client/,
  });
  add(2, ['perf', 'consume', ...P, '--topic', FX.pt, '--auto-ack'], { says: /--auto-ack/ });

  // ---- unreachable (69) and refused (77), with secrets in URLs, passwords and tokens ----
  const closedAdmin = (user: string, secret: string, scheme = 'http') =>
    `${scheme}://${u(user, secret)}@127.0.0.1:${CLOSED_PORT}`;
  add(69, ['queue', 'list', ...R, '--admin-url', closedAdmin('guest', S.plain), ...T]);
  add(69, ['queue', 'list', ...R, '--admin-url', closedAdmin('guest', S.slashAt), ...T]);
  add(69, ['queue', 'describe', FX.rq, ...R, '--admin-url', closedAdmin('guest', S.plain), ...T]);
  add(69, ['exchange', 'list', ...R, '--admin-url', closedAdmin('guest', S.plain), ...T]);
  add(69, ['binding', 'list', ...R, '--admin-url', closedAdmin('guest', S.slashAt), ...T]);
  add(69, ['queue', 'create', NEW_Q, ...R, '--admin-url', closedAdmin('guest', S.plain), ...T], {
    writes: true,
  });
  add(69, ['exchange', 'create', NEW_X, ...R, '--admin-url', closedAdmin('guest', S.plain), ...T], {
    writes: true,
  });
  add(69, ['tenant', 'list', ...P, '--admin-url', closedAdmin('admin', S.plain), ...T]);
  add(69, ['namespace', 'list', 'public', ...P, '--admin-url', closedAdmin('admin', S.plain), ...T]);
  add(69, ['topic', 'list', ...P, '--admin-url', closedAdmin('admin', S.slashAt, 'https'), ...T]);
  add(69, ['topic', 'create', NEW_P, ...P, '--admin-url', closedAdmin('admin', S.plain), ...T], {
    writes: true,
  });
  add(69, ['namespace', 'create', NEW_NS, ...P, '--admin-url', closedAdmin('admin', S.plain), ...T], {
    writes: true,
  });
  add(69, [
    'tenant',
    'list',
    ...P,
    '--token',
    S.token,
    '--admin-url',
    `http://127.0.0.1:${CLOSED_PORT}`,
    ...T,
  ]);
  add(69, ['cluster', 'info', ...P, '--admin-url', `http://127.0.0.1:${CLOSED_PORT}`, ...T], {
    env: { MQCTL_TOKEN: S.token },
  });
  add(69, [
    'queue',
    'list',
    '--url',
    `amqp://${u('guest', S.slashAt)}@127.0.0.1:${CLOSED_PORT}`,
    '--admin-url',
    closedAdmin('guest', S.slashAt),
    ...T,
  ]);
  add(69, [
    'cluster',
    'info',
    '--url',
    `amqp://guest:${S.plain}@127.0.0.1:${CLOSED_PORT}`,
    '--admin-url',
    `http://127.0.0.1:${CLOSED_PORT}`,
    ...T,
  ]);
  add(69, [
    'topic',
    'list',
    '--brokers',
    `127.0.0.1:${CLOSED_PORT}`,
    '--username',
    'u',
    '--password',
    S.plain,
    ...T,
  ]);
  add(69, ['group', 'list', '--brokers', `127.0.0.1:${CLOSED_PORT}`, '--username', 'u', ...T], {
    env: { MQCTL_PASSWORD: S.plain },
  });
  add(69, ['lag', '--brokers', `127.0.0.1:${CLOSED_PORT}`, ...T]);
  add(69, ['dlq', 'list', '--brokers', `127.0.0.1:${CLOSED_PORT}`, ...T]);
  add(
    69,
    [
      'perf',
      'produce',
      '--url',
      `amqp://guest:${S.plain}@127.0.0.1:${CLOSED_PORT}`,
      '--topic',
      NEW_Q,
      '--rate',
      '1',
      '--num-records',
      '1',
      ...T,
    ],
    { writes: true },
  );
  add(
    69,
    [
      'perf',
      'produce',
      '--url',
      `pulsar://a:${S.plain}@127.0.0.1:${CLOSED_PORT}`,
      '--admin-url',
      closedAdmin('a', S.plain),
      '--topic',
      NEW_P,
      '--rate',
      '1',
      '--num-records',
      '1',
      ...T,
    ],
    { writes: true },
  );
  add(
    69,
    ['verify', '--brokers', `127.0.0.1:${CLOSED_PORT}`, '--topic', NEW_K, '--rate', '1', '-n', '1', ...T],
    { writes: true },
  );
  add(69, ['queue', 'list', ...R, '--admin-url', closedAdmin('guest', S.plain), ...T, '--debug'], {
    debug: true,
  });
  add(69, ['tenant', 'list', ...P, '--admin-url', closedAdmin('admin', S.slashAt), ...T, '--debug'], {
    debug: true,
  });
  add(
    69,
    [
      'topic',
      'list',
      '--brokers',
      `127.0.0.1:${CLOSED_PORT}`,
      '--username',
      'u',
      '--password',
      S.plain,
      ...T,
      '--debug',
    ],
    { debug: true },
  );
  const sasl = ['--brokers', LOCAL.kafka.saslBrokers, '--username', LOCAL.kafka.saslUser];
  add(77, ['topic', 'list', ...sasl, '--password', S.plain, ...T]);
  add(77, [
    'topic',
    'list',
    '--brokers',
    LOCAL.kafka.saslBrokers,
    '--username',
    'nobody',
    '--password',
    S.slashAt,
    ...T,
  ]);
  add(77, ['group', 'list', ...sasl, ...T], { env: { MQCTL_PASSWORD: S.plain } });
  add(77, ['topic', 'create', NEW_K, ...sasl, '--password', S.plain, ...T], { writes: true });
  add(77, ['topic', 'list', ...sasl, '--password', S.plain, ...T, '--debug'], { debug: true });
  add(77, ['queue', 'list', ...R, '--password', S.plain, ...T]);
  add(77, ['queue', 'list', ...R, '--username', 'guest', '--password', S.slashAt, ...T]);
  add(77, ['queue', 'purge', FX.rq, ...R, '--yes', '--password', S.plain, ...T], { writes: true });
  add(77, ['queue', 'list', ...R, '--admin-url', `http://guest:${S.plain}@127.0.0.1:15672`, ...T]);
  add(2, ['topic', 'list', ...K, '--tls-cert', '/etc/hostname', '--tls-key', NOT_PEM], {
    says: /--tls-cert|certificate|PEM/,
  });
  add(2, ['topic', 'list', ...K, '--tls-ca', NOT_PEM], { says: /--tls-ca|certificate|PEM/ });
  add(2, ['topic', 'list', ...K, '--tls-ca', MISSING], { says: /--tls-ca|missing\.json/ });
  add(2, ['queue', 'list', ...R, '--tls-ca', MISSING], { says: /--tls-ca|missing\.json/ });
  add(2, ['tenant', 'list', ...P, '--tls-ca', NOT_PEM], { says: /--tls-ca|certificate|PEM/ });
  add(2, ['topic', 'list', ...K, '--tls-cert', NOT_PEM], { says: /--tls-cert|--tls-key/ });

  // ---- filters and expressions ----
  add(2, ['topic', 'list', ...K, '--filter', '(', '--regex'], { says: /--regex|regular/ });
  add(2, ['queue', 'list', ...R, '--filter', '[', '--regex'], { says: /--regex|regular/ });
  add(2, ['exchange', 'list', ...R, '--filter', '*', '--regex'], { says: /--regex|regular/ });
  for (const where of [
    'bad ((',
    'headers.x ==',
    '= 5',
    'key =~ "("',
    'value.size > abc',
    'payload.a == ',
    '~~',
  ]) {
    add(2, ['dlq', 'peek', FX.kt, ...K, '--where', where], { says: /--where/ });
  }
  add(2, ['dlq', 'peek', FX.rq, ...R, '--where', 'payload.x ==='], { says: /--where/ });
  add(2, ['dlq', 'peek', FX.pt, ...P, '--where', '(('], { says: /--where/ });
  add(2, ['dlq', 'stats', FX.kt, ...K, '--where', 'header.x =~ "("'], { says: /--where/ });
  add(2, ['dlq', 'purge', FX.kt, ...K, '--where', 'bad ((', '--yes'], { says: /--where/, writes: true });
  add(2, ['dlq', 'purge', FX.rq, ...R, '--where', 'bad ((', '--yes'], { says: /--where/, writes: true });
  add(2, ['dlq', 'replay', FX.kt, ...K, '--to', NEW_K, '--where', '(('], { says: /--where/, writes: true });

  // ---- gates ----
  for (const g of ['p99<<20ms', 'nonsense', 'p99 < 20 parsecs', 'p101<1s', 'p99<', 'rate>']) {
    add(2, ['perf', 'compare', RESULT, RESULT, '--gate', g], { says: /--gate|gate/ });
  }
  add(2, ['perf', 'merge', RESULT, '--gate', 'p99<<1'], { says: /gate/ });
  add(2, ['perf', 'merge', RESULT, '--gates', GATES_BAD], { says: /gate/ });
  add(2, ['perf', 'merge', RESULT, '--gates', GATES_NOT_YAML], { says: /gate|YAML|gates-broken/ });
  add(3, ['perf', 'merge', RESULT, '--gates', MISSING], { says: /--gates|missing\.json/ });
  add(2, ['perf', 'merge', RESULT, '--baseline', NOT_RESULT, '--max-regression', '10%'], {
    says: /--baseline|not-result\.json|result/,
  });
  add(2, ['perf', 'merge', RESULT, '--baseline', RESULT, '--max-regression', 'lots'], {
    says: /--max-regression/,
  });
  add(2, ['perf', 'compare', RESULT, RESULT, '--max-regression', 'p99=abc'], { says: /--max-regression/ });
  add(2, ['perf', 'compare', RESULT, RESULT, '--noise', 'x'], { says: /--noise/ });
  add(2, [...pk, '--rate', '10', '-n', '10', '--gate', 'p99 <'], { says: /gate/, writes: true });
  add(3, [...pk, '--rate', '10', '-n', '10', '--gates', MISSING], {
    says: /--gates|missing\.json/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--gates', GATES_BAD], { says: /gate/, writes: true });
  add(3, [...pk, '--rate', '10', '-n', '10', '--baseline', MISSING, '--max-regression', '10%'], {
    says: /--baseline|missing\.json/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--max-regression', '10%'], {
    says: /--baseline|--max-regression/,
    writes: true,
  });
  add(2, ['perf', 'consume', ...K, '--topic', FX.kt, '--gate', 'p99<abc'], { says: /gate/ });
  add(2, ['perf', 'e2e', ...K, '--topic', FX.kt, '--rate', '1', '--gate', 'e2e.p99<'], {
    says: /gate/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--gate', 'lost<<0'], { says: /gate/, writes: true });
  add(2, [...vk, '--rate', '10', '-n', '10', '--gate', 'vanished==0'], {
    says: /gate|vanished/,
    writes: true,
  });

  // ---- faults (verify) ----
  add(2, [...vk, '--rate', '10', '-n', '10', '--fault', 'at=abc cmd=true'], {
    says: /--fault/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--fault', 'cmd=true'], { says: /--fault/, writes: true });
  add(2, [...vk, '--rate', '10', '-n', '10', '--fault', 'at=1s'], { says: /--fault/, writes: true });
  add(2, [...vk, '--rate', '10', '-n', '10', '--fault', 'at=1s timeout=x cmd=true'], {
    says: /--fault/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--fault', 'when=1s cmd=true'], {
    says: /--fault/,
    writes: true,
  });

  // ---- files ----
  add(3, ['perf', 'compare', MISSING, MISSING], { says: /missing\.json/ });
  add(2, ['perf', 'compare', NOT_JSON, NOT_JSON], { says: /not-json\.json/ });
  add(2, ['perf', 'compare', NOT_RESULT, NOT_RESULT], { says: /not-result\.json/ });
  add(2, ['perf', 'compare', EMPTY_JSON, RESULT], { says: /empty\.json/ });
  add(3, ['perf', 'compare', RESULT, MISSING], { says: /missing\.json/ });
  add(2, ['perf', 'compare', dir, dir], { says: /mqctl-badinput/ });
  add(2, ['perf', 'compare', RESULT, RESULT, '--junit', NO_DIR], { says: /--junit|no-such-dir/ });
  add(2, ['perf', 'compare', RESULT, RESULT, '--summary-md', NO_DIR], { says: /--summary-md|no-such-dir/ });
  add(2, ['perf', 'merge'], { says: /result|file/ });
  add(3, ['perf', 'merge', MISSING], { says: /missing\.json/ });
  add(2, ['perf', 'merge', NOT_JSON], { says: /not-json\.json/ });
  add(2, ['perf', 'merge', NOT_RESULT, NOT_RESULT], { says: /not-result\.json/ });
  add(2, ['perf', 'merge', RESULT, NOT_JSON], { says: /not-json\.json/ });
  add(2, ['perf', 'merge', RESULT, RESULT, '--result', NO_DIR], { says: /--result|no-such-dir/ });
  add(2, ['perf', 'merge', RESULT, RESULT, '--result', dir], { says: /--result|mqctl-badinput/ });
  add(2, ['perf', 'merge', RESULT, RESULT, '--junit', NO_DIR, '--gate', 'p99<1s'], {
    says: /--junit|no-such-dir/,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--payload-file', MISSING], {
    says: /--payload-file|missing\.json/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--payload-file', EMPTY_JSON], {
    says: /--payload-file|empty/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--result', NO_DIR], {
    says: /--result|no-such-dir/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--report', NO_DIR], {
    says: /--report|no-such-dir/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--hgrm', NO_DIR], { says: /--hgrm|no-such-dir/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--hdr-log', NO_DIR], {
    says: /--hdr-log|no-such-dir/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--junit', NO_DIR, '--gate', 'p99<1s'], {
    says: /--junit|no-such-dir/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--summary-md', NO_DIR], {
    says: /--summary-md|no-such-dir/,
    writes: true,
  });
  add(2, ['perf', 'consume', ...K, '--topic', FX.kt, '--result', NO_DIR], { says: /--result|no-such-dir/ });
  add(2, ['perf', 'e2e', ...K, '--topic', FX.kt, '--rate', '1', '--report', NO_DIR], {
    says: /--report|no-such-dir/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--result', NO_DIR], {
    says: /--result|no-such-dir/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--junit', NO_DIR, '--gate', 'lost==0'], {
    says: /--junit|no-such-dir/,
    writes: true,
  });
  add(2, [...vk, '--rate', '10', '-n', '10', '--summary-md', NO_DIR], {
    says: /--summary-md|no-such-dir/,
    writes: true,
  });
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--from-file', MISSING], {
    says: /--from-file|missing\.json/,
  });
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--from-file', BAD_CSV], { says: /plan\.csv|partition/ });
  add(
    2,
    [
      'group',
      'reset-offsets',
      FX.kg,
      ...K,
      '--topic',
      FX.kt,
      '--to-earliest',
      '--export',
      join(dir, 'no-such-dir', 'p.csv'),
    ],
    { says: /--export|no-such-dir/ },
  );

  // ---- conflicting flags and the --yes gate on destructive commands ----
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt, '--to-earliest', '--to-latest'], {
    says: /--to-earliest|--to-latest|one/,
  });
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt, '--to-offset', '1', '--shift-by', '2'], {
    says: /--to-offset|--shift-by|one/,
  });
  add(
    2,
    [
      'group',
      'reset-offsets',
      FX.kg,
      ...K,
      '--topic',
      FX.kt,
      '--to-datetime',
      '2026-01-01T00:00:00Z',
      '--by-duration',
      '1h',
    ],
    {
      says: /--to-datetime|--by-duration|one/,
    },
  );
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt, '--from-file', BAD_CSV, '--to-earliest'], {
    says: /--from-file|--to-earliest|one/,
  });
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt], { says: /--to-|target/ });
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--to-earliest'], { says: /--topic/ });
  add(2, ['group', 'reset-offsets', FX.kg, ...K, '--topic', FX.kt, '--to-earliest', '--execute', ...T], {
    says: /--yes/,
    writes: true,
  });
  add(2, ['group', 'skip', FX.kg, ...K, '--topic', FX.kt, '--all', '--count', '3', '--yes'], {
    says: /--all|--count/,
    writes: true,
  });
  add(2, ['group', 'skip', FX.kg, ...K, '--topic', FX.kt, ...T], {
    says: /--yes|--count|--all/,
    writes: true,
  });
  add(2, ['group', 'delete', FX.kg, ...K, ...T], { says: /--yes/, writes: true });
  add(2, ['topic', 'delete', FX.kt, ...K, ...T], { says: /--yes/, writes: true });
  add(2, ['topic', 'delete', FX.pt, ...P, ...T], { says: /--yes/, writes: true });
  add(2, ['topic', 'alter', FX.kt, ...K, '--partitions', '1', ...T], { says: /partitions/, writes: true });
  add(2, ['queue', 'delete', FX.rq, ...R, ...T], { says: /--yes/, writes: true });
  add(2, ['queue', 'purge', FX.rq, ...R, ...T], { says: /--yes/, writes: true });
  add(2, ['exchange', 'delete', FX.rx, ...R, ...T], { says: /--yes/, writes: true });
  add(
    2,
    ['binding', 'delete', '--source', FX.rx, '--destination', FX.rq, '--routing-key', 'rk', ...R, ...T],
    {
      says: /--yes/,
      writes: true,
    },
  );
  add(2, ['dlq', 'purge', FX.rq, ...R, ...T], { says: /--yes/, writes: true });
  add(2, ['dlq', 'purge', FX.kt, ...K, ...T], { says: /--yes/, writes: true });
  add(2, ['dlq', 'purge', FX.pt, ...P, ...T], { says: /--yes/, writes: true });
  add(2, ['namespace', 'delete', FX.ns, ...P, ...T], { says: /--yes/, writes: true });
  add(2, ['context', 'delete', 'existing'], { says: /--yes/ });
  add(2, ['context', 'add', 'existing', '--kind', 'kafka', '--brokers', '127.0.0.1:9'], {
    says: /exists|--overwrite/,
  });
  add(2, ['topic', 'config', 'set', FX.kt, 'novalue', ...K], { says: /key=value/, writes: true });
  add(2, ['topic', 'config', 'set', FX.kt, '=5', ...K], { says: /key=value|key/, writes: true });
  add(2, ['topic', 'create', NEW_K, ...K, '--config', 'retention.ms'], { says: /key=value/, writes: true });
  add(2, ['queue', 'create', NEW_Q, ...R, '--argument', 'x-max-length'], {
    says: /--argument|key=value/,
    writes: true,
  });
  add(2, ['exchange', 'create', NEW_X, ...R, '--argument', '=1'], {
    says: /--argument|key=value/,
    writes: true,
  });
  add(2, ['binding', 'create', '--source', FX.rx, '--destination', FX.rq, ...R, '--argument', 'novalue'], {
    says: /--argument|key=value/,
    writes: true,
  });
  add(2, ['lag', ...K, '--group', FX.kg, '--all-groups'], { says: /--group|--all-groups/ });
  add(2, ['lag', 'serve', ...K, '--group', FX.kg, '--all-groups', '--port', '0'], {
    says: /--group|--all-groups/,
  });
  add(2, ['lag', ...K, '--count', '3'], { says: /--count|--watch/ });
  add(2, ['perf', 'produce', ...K, '--topic', FX.kt, '-n', '10'], { says: /--rate/, writes: true });
  add(2, [...pk, '--rate', '10', '-n', '10', '--throughput', '10'], {
    says: /--rate|--throughput/,
    writes: true,
  });
  add(2, [...pk, '--rate', '10', '-n', '10', '--payload-file', NOT_JSON, '--record-size', '200'], {
    says: /--payload-file|--record-size/,
    writes: true,
  });
  add(2, ['dlq', 'replay', FX.kt, ...K, '--to', FX.kt], { says: /--to|same|itself/, writes: true });
  add(
    2,
    ['topic', 'list', '-o', 'json', '--json', '-o', 'yaml', ...K, '--output', 'csv', '--output', 'xml'],
    { says: /--output/ },
  );
  add(2, ['lag', 'serve', ...K, '--host', '999.1.1.1', '--port', '0', ...T], { says: /--host|999\.1\.1\.1/ });
  add(2, ['lag', 'serve', ...K, '--host', 'nohost.invalid', '--port', '0', ...T], {
    says: /--host|nohost\.invalid/,
  });
  add(2, ['lag', 'serve', ...K, '--port', BUSY_PORT, ...T], { says: /--port|in use/ });

  // ---- Pulsar schemas (docs/schemas.md: unreadable file, not JSON or no type: 2; topic must exist: 3) ----
  add(2, ['schema', 'get', ...P], { says: /[Mm]issing.*\btopic\b/i });
  add(2, ['schema', 'get', FX.pt, ...P, '-o', 'xml'], { says: /--output/ });
  add(2, ['schema', 'get', BAD, ...P], { says: /name/ });
  add(2, ['schema', 'get', FX.pt, ...K], { says: /Pulsar|schema/ });
  add(2, ['schema', 'get', FX.pt, ...P, '--version', 'abc'], { says: /--version/ });
  add(2, ['schema', 'get', FX.pt, ...P, '--version', '1', '--all-versions'], {
    says: /--version|--all-versions/,
  });
  add(2, ['schema', 'get', FX.pt, ...P, '--vhost', 'x'], { says: /--vhost/ });
  add(3, ['schema', 'get', NEW_P, ...P, ...T]);
  add(69, ['schema', 'get', FX.pt, ...P, '--admin-url', closedAdmin('admin', S.plain), ...T]);
  add(2, ['schema', 'upload', FX.pt, ...P], { says: /--file/, writes: true });
  add(2, ['schema', 'upload', FX.pt, ...P, '-f', MISSING], { says: /missing\.json|--file/, writes: true });
  add(2, ['schema', 'upload', FX.pt, ...P, '-f', NOT_JSON], { says: /not-json\.json|JSON/, writes: true });
  add(2, ['schema', 'upload', FX.pt, ...P, '-f', SCHEMA_NO_TYPE], { says: /type/, writes: true });
  add(2, ['schema', 'upload', FX.pt, ...P, '-f', dir], { says: /--file|mqctl-badinput/, writes: true });
  add(2, ['schema', 'upload', BAD, ...P, '-f', SCHEMA_STRING], { says: /name/, writes: true });
  add(2, ['schema', 'upload', FX.rq, ...R, '-f', SCHEMA_STRING], { says: /Pulsar|schema/, writes: true });
  add(3, ['schema', 'upload', NEW_P, ...P, '-f', SCHEMA_STRING, ...T], { writes: true });
  add(
    69,
    [
      'schema',
      'upload',
      FX.pt,
      ...P,
      '-f',
      SCHEMA_STRING,
      '--admin-url',
      closedAdmin('admin', S.slashAt),
      ...T,
    ],
    {
      writes: true,
    },
  );
  add(2, ['schema', 'compat', FX.pt, ...P], { says: /--file/ });
  add(2, ['schema', 'compat', FX.pt, ...P, '-f', NOT_JSON], { says: /not-json\.json|JSON/ });
  add(2, ['schema', 'compat', FX.pt, ...P, '-f', SCHEMA_NO_TYPE], { says: /type/ });
  add(2, ['schema', 'compat', FX.kt, ...K, '-f', SCHEMA_STRING], { says: /Pulsar|schema/ });
  add(2, ['schema', 'compat', BAD, ...P, '-f', SCHEMA_STRING], { says: /name/ });
  add(2, ['schema', 'delete', BAD, ...P, '--yes'], { says: /name/, writes: true });
  add(2, ['schema', 'delete', FX.kt, ...K, '--yes'], { says: /Pulsar|schema/, writes: true });
  add(2, ['schema', 'delete', FX.pt, ...P, '--yes', '--brokers', 'h:1'], { says: /--brokers/, writes: true });
  add(3, ['schema', 'delete', NEW_P, ...P, '--yes', ...T], { writes: true });

  // ---- shell completion ----
  add(2, ['completion'], { says: /[Mm]issing.*\bshell\b/i });
  add(2, ['completion', 'powershell'], { says: /powershell|bash/ });
  add(2, ['completion', 'bash', 'zsh'], { says: /zsh|argument/ });
  add(2, ['completion', 'bash', '--timeout', '5s'], { says: /--timeout/ });

  // ---- unknown commands and stray arguments ----
  add(2, ['topc', 'list']);
  add(2, ['queue', 'lsit']);
  add(2, ['nosuchcommand']);
  add(2, ['cluster', 'info', 'extra-arg', ...K], { says: /extra-arg|argument/ });
  add(2, ['tenant', 'list', 'extra-arg', ...P], { says: /extra-arg|argument/ });
  add(2, ['context', 'list', 'extra-arg'], { says: /extra-arg|argument/ });
  add(2, ['verify', 'extra-arg', ...K, '-t', FX.kt, '-n', '1'], { says: /extra-arg|argument/, writes: true });
  add(2, ['lag', 'serve', 'extra-arg', ...K], { says: /extra-arg|argument/ });
  return out;
}

const env = isolatedConfigEnv();
const table = rows();

/** What a row's stderr must be: `target: ...` lines (write commands, before acting), then one `Error:` line. */
function expectRow(row: Row, result: CliResult): void {
  const shown = `mqctl ${row.args.map((a) => (a.length > 60 ? `${a.slice(0, 20)}…(${a.length})` : a)).join(' ')}\nexit ${result.code}${result.signal ? ` (${result.signal}, ${result.durationMs} ms)` : ''}\nstdout: ${result.stdout.slice(0, 500)}\nstderr: ${result.stderr.slice(0, 1500)}`;
  assert.equal(result.code, row.code, `exit code\n${shown}`);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  const errorLines = lines.filter((l) => l.startsWith('Error:'));
  assert.equal(errorLines.length, 1, `exactly one Error: line\n${shown}`);
  const at = lines.indexOf(errorLines[0]!);
  // --debug adds client logs and the stack (DESIGN.md §2); the one Error: line and the secret check stay.
  if (!row.debug) {
    assert.ok(
      lines.slice(0, at).every((l) => l.startsWith('target: ')),
      `before the Error: line only a target: line\n${shown}`,
    );
    assert.equal(at, lines.length - 1, `nothing after the Error: line\n${shown}`);
    assert.doesNotMatch(result.stderr, /^\s+at \S/m, `no stack frame\n${shown}`);
  }
  if (row.says) assert.match(errorLines[0]!, row.says, `the error says what is wrong\n${shown}`);
  assert.deepEqual(secretsIn(result.stdout + result.stderr), [], `no secret\n${shown}`);
}

async function kafkaState(kafka: Kafka): Promise<unknown> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    const meta = await admin.fetchTopicMetadata({ topics: [FX.kt] });
    const offsets = await admin.fetchTopicOffsets(FX.kt);
    const group = await admin.fetchOffsets({ groupId: FX.kg, topics: [FX.kt] });
    const config = await admin.describeConfigs({
      resources: [{ type: 2, name: FX.kt, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    return {
      present: NEVER.kafka.concat(FX.kt).map((t) => [t, topics.includes(t)]),
      partitions: meta.topics[0]!.partitions.length,
      offsets: offsets.map((o) => [o.partition, o.low, o.high]),
      group: group.map((t) => t.partitions.map((p) => [p.partition, p.offset])),
      groupListed: groups.includes(FX.kg),
      retention: config.resources[0]!.configEntries.map((c) => c.configValue),
    };
  } finally {
    await admin.disconnect();
  }
}

const mgmt = LOCAL.rabbitmq.managementUrl;
const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
async function http(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { authorization: auth, 'content-type': 'application/json', ...init.headers },
  });
}

async function rabbitState(): Promise<unknown> {
  const queues = (await (
    await http(`${mgmt}/api/queues/%2F?columns=name,messages_ready,messages`)
  ).json()) as { name: string; messages?: number }[];
  const exchanges = (await (await http(`${mgmt}/api/exchanges/%2F?columns=name,type`)).json()) as {
    name: string;
    type: string;
  }[];
  const bindings = (await (
    await http(`${mgmt}/api/bindings/%2F/e/${encodeURIComponent(FX.rx)}/q/${encodeURIComponent(FX.rq)}`)
  ).json()) as { routing_key: string }[];
  const qn = new Set(queues.map((q) => q.name));
  const xn = new Set(exchanges.map((x) => x.name));
  return {
    queues: NEVER.rabbitQueues.concat(FX.rq).map((q) => [q, qn.has(q)]),
    exchanges: NEVER.rabbitExchanges.concat(FX.rx).map((x) => [x, xn.has(x)]),
    fixtureQueue: queues.find((q) => q.name === FX.rq)?.messages,
    bindings: bindings.map((b) => b.routing_key),
  };
}

const padmin = LOCAL.pulsar.adminUrl;
async function pulsarState(): Promise<unknown> {
  const topics = (await (await fetch(`${padmin}/admin/v2/persistent/public/default`)).json()) as string[];
  const partitioned = (await (
    await fetch(`${padmin}/admin/v2/persistent/public/default/partitioned`)
  ).json()) as string[];
  const namespaces = (await (await fetch(`${padmin}/admin/v2/namespaces/public`)).json()) as string[];
  const subs = (await (
    await fetch(`${padmin}/admin/v2/persistent/public/default/${FX.pt}/subscriptions`)
  ).json()) as string[];
  const stats = (await (
    await fetch(`${padmin}/admin/v2/persistent/public/default/${FX.pt}/internalStats`)
  ).json()) as { entriesAddedCounter: number };
  const exists = (t: string) =>
    topics.some(
      (x) =>
        x === `persistent://public/default/${t}` ||
        x.startsWith(`persistent://public/default/${t}-partition-`),
    ) || partitioned.includes(`persistent://public/default/${t}`);
  // no row may register (or delete) a schema: the fixture topic has none
  const schema = await fetch(`${padmin}/admin/v2/schemas/public/default/${FX.pt}/schema`);
  return {
    schemaStatus: schema.status,
    topics: NEVER.pulsar.concat(FX.pt).map((t) => [t, exists(t)]),
    namespaces: NEVER.pulsarNamespaces
      .concat(FX.ns, 'public/default')
      .map((n) => [n, namespaces.includes(n)]),
    subs,
    entries: stats.entriesAddedCounter,
  };
}

/** Registers the suite for rows `i` with `i % shards === shard`; each shard has its own fixtures and checks. */
export function badInputSuite(shard: number, shards: number): void {
  const mine = table.filter((_, i) => i % shards === shard);
  const portRow = mine.find((r) => r.args.includes(BUSY_PORT));
  describe(`e2e: bad inputs ${shard + 1}/${shards}: ${mine.length} of ${table.length} rows across all ${COMMAND_IDS.length} commands, one documented exit code each`, () => {
    const kafka = new Kafka({
      brokers: [LOCAL.kafka.brokers],
      logLevel: logLevel.NOTHING,
      clientId: 'badinput-test',
    });
    let beforeState: unknown[] = [];

    before(async () => {
      await Promise.all([requireKafka(), requirePulsar(), requireRabbit()]);
      busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      busyPort = (busy.address() as { port: number }).port;
      if (portRow) portRow.args[portRow.args.indexOf('--port') + 1] = String(busyPort);

      // Contexts rows refer to: a plain Kafka one, and one whose --password-env variable is unset.
      for (const args of [
        ['context', 'add', 'existing', '--kind', 'kafka', '--brokers', LOCAL.kafka.brokers],
        [
          'context',
          'add',
          'envctx',
          '--kind',
          'kafka',
          '--brokers',
          LOCAL.kafka.saslBrokers,
          '--username',
          LOCAL.kafka.saslUser,
          '--sasl-mechanism',
          'scram-sha-256',
          '--password-env',
          'MQCTL_BADINPUT_UNSET',
        ],
      ]) {
        const r = await runCli(args, { env, timeoutMs: 60_000 });
        assert.equal(r.code, 0, r.stderr);
      }

      // Fixtures: a Kafka topic with records and a group's committed offset; a Pulsar topic with a
      // subscription; a RabbitMQ queue with 3 messages bound to an exchange.
      // Disconnected whatever happens: a client left connected keeps the file running until its timeout.
      const admin = kafka.admin();
      await admin.connect();
      try {
        await createKafkaTopics(admin, [
          { topic: FX.kt, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
        ]);
        const producer = kafka.producer();
        await producer.connect();
        try {
          await producer.send({ topic: FX.kt, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
        } finally {
          await producer.disconnect();
        }
        await admin.setOffsets({ groupId: FX.kg, topic: FX.kt, partitions: [{ partition: 0, offset: '2' }] });
      } finally {
        await admin.disconnect();
      }

      // A real perf result for the perf merge / compare rows (10 records into the fixture topic).
      const produced = await runCli(
        [
          'perf',
          'produce',
          ...K,
          '--topic',
          FX.kt,
          '--rate',
          '100',
          '--num-records',
          '10',
          '--result',
          RESULT,
        ],
        { env, timeoutMs: 120_000 },
      );
      assert.equal(produced.code, 0, produced.stderr);
      assert.ok(existsSync(RESULT), 'the perf result was written');

      const put = await fetch(`${padmin}/admin/v2/persistent/public/default/${FX.pt}`, { method: 'PUT' });
      assert.ok(put.ok, `create Pulsar topic: ${put.status}`);
      const ns = await fetch(`${padmin}/admin/v2/namespaces/${FX.ns}`, { method: 'PUT' });
      assert.ok(ns.ok, `create Pulsar namespace: ${ns.status}`);
      const sub = await fetch(`${padmin}/admin/v2/persistent/public/default/${FX.pt}/subscription/${FX.ps}`, {
        method: 'PUT',
      });
      assert.ok(sub.ok, `create Pulsar subscription: ${sub.status}`);

      assert.ok(
        (await http(`${mgmt}/api/queues/%2F/${FX.rq}`, { method: 'PUT', body: '{"durable":false}' })).ok,
      );
      assert.ok(
        (await http(`${mgmt}/api/exchanges/%2F/${FX.rx}`, { method: 'PUT', body: '{"type":"direct"}' })).ok,
      );
      assert.ok(
        (
          await http(`${mgmt}/api/bindings/%2F/e/${FX.rx}/q/${FX.rq}`, {
            method: 'POST',
            body: '{"routing_key":"rk"}',
          })
        ).ok,
      );
      for (const payload of ['1', '2', '3']) {
        const r = await http(`${mgmt}/api/exchanges/%2F/amq.default/publish`, {
          method: 'POST',
          body: JSON.stringify({ properties: {}, routing_key: FX.rq, payload, payload_encoding: 'string' }),
        });
        assert.ok(r.ok);
      }
      // The management API's queue counters lag the publish by a stats interval: wait until they show all 3.
      for (let i = 0; i < 100; i++) {
        const q = (await (await http(`${mgmt}/api/queues/%2F/${FX.rq}`)).json()) as { messages?: number };
        if (q.messages === 3) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      beforeState = [await kafkaState(kafka), await rabbitState(), await pulsarState()];
    });

    after(async () => {
      busy?.close();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([FX.kg]).catch(() => undefined);
      await admin.deleteTopics({ topics: [FX.kt] }).catch(() => undefined);
      // Names only this file uses: if a row did create one (a failure above), it is not left behind.
      const leftK = (await admin.listTopics()).filter((t) => NEVER.kafka.includes(t));
      if (leftK.length > 0) await admin.deleteTopics({ topics: leftK }).catch(() => undefined);
      await admin.disconnect();
      for (const t of NEVER.pulsar)
        await fetch(`${padmin}/admin/v2/persistent/public/default/${t}?force=true`, { method: 'DELETE' });
      // Namespaces without force (the broker refuses a forced namespace delete, HTTP 405): they hold no topic.
      for (const n of NEVER.pulsarNamespaces)
        await fetch(`${padmin}/admin/v2/namespaces/${n}`, { method: 'DELETE' });
      for (const q of [NEW_Q, `${tag}-v`])
        await http(`${mgmt}/api/queues/%2F/${encodeURIComponent(q)}`, { method: 'DELETE' });
      await http(`${mgmt}/api/exchanges/%2F/${encodeURIComponent(NEW_X)}`, { method: 'DELETE' });
      await fetch(`${padmin}/admin/v2/persistent/public/default/${FX.pt}?force=true`, { method: 'DELETE' });
      const nsGone = await fetch(`${padmin}/admin/v2/namespaces/${FX.ns}`, { method: 'DELETE' });
      assert.ok(nsGone.ok, `delete Pulsar namespace ${FX.ns}: HTTP ${nsGone.status} ${await nsGone.text()}`);
      await http(`${mgmt}/api/queues/%2F/${FX.rq}`, { method: 'DELETE' });
      await http(`${mgmt}/api/exchanges/%2F/${FX.rx}`, { method: 'DELETE' });
      rmSync(dir, { recursive: true, force: true });
    });

    it(`has at least 300 rows and covers all ${COMMAND_IDS.length} commands (${table.length} rows)`, () => {
      assert.ok(table.length >= 300, `${table.length} rows`);
      assert.ok(COMMAND_IDS.length >= 48, `${COMMAND_IDS.length} commands`);
      const covered = new Set(
        table.map((r) =>
          COMMAND_IDS.find(
            (id) =>
              id.split(':').every((p, i) => r.args[i] === p) &&
              !COMMAND_IDS.some((o) => o.length > id.length && o.split(':').every((p, i) => r.args[i] === p)),
          ),
        ),
      );
      // Each command has more than the unknown-flag row.
      const perCommand = new Map<string, number>();
      for (const r of table) {
        const id = COMMAND_IDS.filter((c) => c.split(':').every((p, i) => r.args[i] === p)).sort(
          (a, b) => b.length - a.length,
        )[0];
        if (id) perCommand.set(id, (perCommand.get(id) ?? 0) + 1);
      }
      assert.deepEqual(
        COMMAND_IDS.filter((id) => !covered.has(id)),
        [],
      );
      assert.deepEqual(
        COMMAND_IDS.filter((id) => (perCommand.get(id) ?? 0) < 2),
        [],
        'every command has a row beyond the unknown flag',
      );
    });

    describe('rows', { concurrency: 4 }, () => {
      for (const [i, row] of table.entries()) {
        if (i % shards !== shard) continue;
        const title = `#${i + 1} exit ${row.code}: mqctl ${row.args.map((a) => (a.length > 40 ? `${a.slice(0, 12)}…(${a.length} chars)` : a)).join(' ')}`;
        it(title, async () => {
          const result = await runCli(row.args, { env: { ...env, ...row.env }, timeoutMs: 30_000 });
          expectRow(row, result);
        });
      }
    });

    it(`leaves the brokers unchanged (${mine.filter((r) => r.writes).length} write rows)`, async () => {
      const afterState = [await kafkaState(kafka), await rabbitState(), await pulsarState()];
      assert.equal(JSON.stringify(afterState, null, 1), JSON.stringify(beforeState, null, 1));
    });

    it('no output of this file (stdout, stderr, result/report/JUnit files, the config file) holds a test secret', () => {
      const hits = recordedRuns.flatMap((run) => {
        const texts = [run.stdout, run.stderr, ...Object.values(run.files)];
        return secretsIn(texts.join('\n')).map((s) => `${s} in the output of mqctl ${run.args.join(' ')}`);
      });
      if (existsSync(env.MQCTL_CONFIG!))
        hits.push(
          ...secretsIn(readFileSync(env.MQCTL_CONFIG!, 'utf8')).map((s) => `${s} in the config file`),
        );
      assert.ok(recordedRuns.length >= mine.length, 'every row was recorded');
      assert.deepEqual(hits, []);
    });
  });
}
