import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv';
import { LOCAL, requireKafka, requirePulsar, requireRabbit, uniqueName } from '../helpers/brokers';
import { deleteCreated } from '../helpers/cleanup';
import { isolatedConfigEnv, runCli } from '../helpers/cli';
import { REPO, manifestCommands } from '../helpers/doc-examples';
import { tempDir } from '../helpers/tmp';

/**
 * JSON is a contract (docs/output.md): every command's `-o json` is validated against its JSON Schema in
 * schemas/output/<command>.schema.json, with real output from the three local brokers. A renamed or
 * removed field, a list without its `items` envelope or a key that is not camelCase fails here.
 *
 * MQCTL_JSON_DUMP=DIR writes each document there (to write or review a schema from real output).
 */
const SCHEMAS = join(REPO, 'schemas', 'output');
const KAFKA = ['--kind', 'kafka', '--brokers', LOCAL.kafka.brokers];
const PULSAR = ['--kind', 'pulsar', '--url', LOCAL.pulsar.serviceUrl, '--admin-url', LOCAL.pulsar.adminUrl];
const RABBIT = [
  '--kind',
  'rabbitmq',
  '--url',
  LOCAL.rabbitmq.url,
  '--admin-url',
  LOCAL.rabbitmq.managementUrl,
];

/** A command id as its schema file names it: `topic config get` → `topic-config-get`. */
const schemaName = (command: string) => command.replace(/[: ]/g, '-');

interface Step {
  /** the command id, space separated (`topic config get`) */
  command: string;
  args: string[];
  /** expected exit codes (default [0]); 99 (a failed gate) still prints the document */
  code?: number[];
}

const env = isolatedConfigEnv();
const dir = tempDir('mqctl-json-contract-');
const kafkaTopic = uniqueName('json-contract');
const kafkaDlt = `${kafkaTopic}-dlt`;
const kafkaGroup = uniqueName('json-contract-group');
const pulsarNamespace = `public/${uniqueName('json-contract')}`;
const pulsarTopic = `persistent://public/default/${uniqueName('json-contract')}`;
const pulsarSub = uniqueName('json-contract-sub');
const queue = uniqueName('json-contract-q');
const exchange = uniqueName('json-contract-x');
const verifyQueue = uniqueName('json-contract-verify');
const resultA = join(dir, 'a.json');
const resultB = join(dir, 'b.json');
const schemaFile = join(dir, 'schema.json');
writeFileSync(
  schemaFile,
  JSON.stringify({
    type: 'JSON',
    schema: JSON.stringify({
      type: 'record',
      name: 'Order',
      fields: [{ name: 'id', type: 'string' }],
    }),
    properties: {},
  }),
);

/** Four sequences (each in order), run side by side: contexts and cluster, Kafka, Pulsar, RabbitMQ. */
function steps(): Step[][] {
  const json = ['-o', 'json'];
  const perf = ['--num-records', '200', '--record-size', '64'];
  const general: Step[] = [
    // contexts (an isolated config directory)
    { command: 'context add', args: ['json-k', ...KAFKA, ...json] },
    { command: 'context add', args: ['json-r', ...RABBIT, '--password', 'guest', ...json] },
    { command: 'context list', args: json },
    { command: 'context show', args: ['json-k', ...json] },
    { command: 'context show', args: ['json-r', ...json] },
    // cluster
    { command: 'cluster info', args: [...KAFKA, ...json] },
    { command: 'cluster info', args: [...PULSAR, ...json] },
    { command: 'cluster info', args: [...RABBIT, ...json] },
  ];
  const kafka: Step[] = [
    {
      command: 'topic create',
      args: [kafkaTopic, ...KAFKA, '--partitions', '2', '--config', 'retention.ms=86400000', ...json],
    },
    { command: 'topic create', args: [kafkaDlt, ...KAFKA, '--partitions', '1', ...json] },
    { command: 'topic list', args: [...KAFKA, ...json] },
    { command: 'topic list', args: [...KAFKA, '--offsets', ...json] },
    { command: 'topic describe', args: [kafkaTopic, ...KAFKA, ...json] },
    { command: 'topic config set', args: [kafkaTopic, 'cleanup.policy=compact', ...KAFKA, ...json] },
    { command: 'topic config get', args: [kafkaTopic, ...KAFKA, ...json] },
    { command: 'topic config delete', args: [kafkaTopic, 'cleanup.policy', ...KAFKA, ...json] },
    { command: 'topic add-partitions', args: [kafkaTopic, '--num', '1', ...KAFKA, ...json] },
    { command: 'topic alter', args: [kafkaTopic, '--partitions', '4', ...KAFKA, ...json] },
    // Kafka perf, groups, lag
    {
      command: 'perf produce',
      args: ['--topic', kafkaTopic, ...KAFKA, ...perf, '--rate', '1000', '--result', resultA, ...json],
    },
    {
      command: 'perf produce',
      args: ['--topic', kafkaTopic, ...KAFKA, ...perf, '--rate', '1000', '--result', resultB, ...json],
    },
    {
      command: 'perf consume',
      args: ['--topic', kafkaTopic, ...KAFKA, '--group', kafkaGroup, '--num-records', '400', ...json],
    },
    {
      command: 'perf e2e',
      args: ['--topic', kafkaTopic, ...KAFKA, ...perf, '--rate', '500', '--gate', 'errors==0', ...json],
      // a 200-record run on a shared machine may be judged invalid by the built-in validity gate
      code: [0, 99],
    },
    { command: 'perf compare', args: [resultA, resultB, ...json] },
    { command: 'perf compare', args: [resultA, resultB, '--gate', 'p99<60s', ...json], code: [0, 99] },
    { command: 'perf merge', args: [resultA, resultB, ...json] },
    { command: 'group list', args: [...KAFKA, ...json] },
    { command: 'group describe', args: [kafkaGroup, ...KAFKA, ...json] },
    { command: 'lag', args: [...KAFKA, '--group', kafkaGroup, ...json] },
    { command: 'lag', args: [...KAFKA, '--group', kafkaGroup, '--max-lag', '0', ...json], code: [99] },
    {
      command: 'group reset-offsets',
      args: [kafkaGroup, '--topic', kafkaTopic, '--to-earliest', ...KAFKA, ...json],
    },
    {
      command: 'group reset-offsets',
      args: [kafkaGroup, '--topic', kafkaTopic, '--to-latest', '--execute', '--yes', ...KAFKA, ...json],
    },
    // Kafka DLQ (a dead-letter topic with a few records: no recognised headers, so the origin is unknown)
    {
      command: 'perf produce',
      args: [
        '--topic',
        kafkaDlt,
        ...KAFKA,
        '--num-records',
        '5',
        '--record-size',
        '16',
        '--rate',
        '100',
        ...json,
      ],
    },
    { command: 'dlq list', args: [...KAFKA, ...json] },
    { command: 'dlq peek', args: [kafkaDlt, ...KAFKA, ...json] },
    { command: 'dlq stats', args: [kafkaDlt, ...KAFKA, ...json] },
    { command: 'dlq replay', args: [kafkaDlt, '--to', kafkaTopic, '--dry-run', ...KAFKA, ...json] },
    { command: 'dlq purge', args: [kafkaDlt, '--yes', ...KAFKA, ...json] },
    { command: 'group delete', args: [kafkaGroup, '--yes', ...KAFKA, ...json] },
    { command: 'topic delete', args: [kafkaDlt, '--yes', ...KAFKA, ...json] },
    { command: 'topic delete', args: [kafkaTopic, '--yes', ...KAFKA, ...json] },
  ];
  const pulsar: Step[] = [
    { command: 'tenant list', args: [...PULSAR, ...json] },
    { command: 'namespace create', args: [pulsarNamespace, ...PULSAR, ...json] },
    { command: 'namespace list', args: ['public', ...PULSAR, ...json] },
    { command: 'namespace delete', args: [pulsarNamespace, '--yes', ...PULSAR, ...json] },
    { command: 'topic create', args: [pulsarTopic, ...PULSAR, '--partitions', '2', ...json] },
    { command: 'topic list', args: [...PULSAR, '--namespace', 'public/default', ...json] },
    { command: 'topic describe', args: [pulsarTopic, ...PULSAR, ...json] },
    { command: 'topic config set', args: [pulsarTopic, 'retention-time-minutes=60', ...PULSAR, ...json] },
    { command: 'topic config get', args: [pulsarTopic, ...PULSAR, ...json] },
    { command: 'schema upload', args: [pulsarTopic, '-f', schemaFile, ...PULSAR, ...json] },
    { command: 'schema get', args: [pulsarTopic, ...PULSAR, ...json] },
    { command: 'schema compat', args: [pulsarTopic, '-f', schemaFile, ...PULSAR, ...json] },
    { command: 'schema delete', args: [pulsarTopic, '--yes', ...PULSAR, ...json] },
    {
      command: 'perf e2e',
      args: ['--topic', pulsarTopic, ...PULSAR, ...perf, '--rate', '500', '--group', pulsarSub, ...json],
    },
    { command: 'group list', args: [...PULSAR, '--topic', pulsarTopic, ...json] },
    { command: 'group describe', args: [pulsarSub, '--topic', pulsarTopic, ...PULSAR, ...json] },
    { command: 'lag', args: [...PULSAR, '--topic', pulsarTopic, ...json] },
    {
      command: 'group skip',
      args: [pulsarSub, '--topic', pulsarTopic, '--all', '--yes', ...PULSAR, ...json],
    },
    { command: 'group delete', args: [pulsarSub, '--topic', pulsarTopic, '--yes', ...PULSAR, ...json] },
    { command: 'topic delete', args: [pulsarTopic, '--yes', ...PULSAR, ...json] },
  ];
  const rabbit: Step[] = [
    { command: 'queue create', args: [queue, ...RABBIT, '--type', 'quorum', ...json] },
    { command: 'exchange create', args: [exchange, ...RABBIT, '--type', 'topic', ...json] },
    {
      command: 'binding create',
      args: ['--source', exchange, '--destination', queue, '--routing-key', 'a.#', ...RABBIT, ...json],
    },
    { command: 'queue list', args: [...RABBIT, ...json] },
    { command: 'queue describe', args: [queue, ...RABBIT, ...json] },
    { command: 'exchange list', args: [...RABBIT, ...json] },
    { command: 'binding list', args: ['--source', exchange, ...RABBIT, ...json] },
    {
      command: 'perf produce',
      args: ['--topic', queue, ...RABBIT, ...perf, '--rate', '500', '--exchange', '', ...json],
    },
    { command: 'lag', args: [...RABBIT, '--group', queue, ...json] },
    { command: 'group list', args: [...RABBIT, ...json] },
    { command: 'dlq list', args: [...RABBIT, ...json] },
    { command: 'queue purge', args: [queue, '--yes', ...RABBIT, ...json] },
    {
      command: 'binding delete',
      args: [
        '--source',
        exchange,
        '--destination',
        queue,
        '--routing-key',
        'a.#',
        '--yes',
        ...RABBIT,
        ...json,
      ],
    },
    { command: 'exchange delete', args: [exchange, '--yes', ...RABBIT, ...json] },
    { command: 'queue delete', args: [queue, '--yes', ...RABBIT, ...json] },
    // verify (a short run on RabbitMQ, its ledger gates)
    {
      command: 'verify',
      args: [
        '--topic',
        verifyQueue,
        ...RABBIT,
        '--create-topic',
        '--rate',
        '100',
        '--duration',
        '2s',
        '--gate',
        'lost==0',
        ...json,
      ],
    },
  ];
  return [general, kafka, pulsar, rabbit];
}

function loadSchemas(): Map<string, object> {
  const schemas = new Map<string, object>();
  for (const file of readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json')))
    schemas.set(file.replace(/\.schema\.json$/, ''), JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')));
  return schemas;
}

/** Commands with `--output`: each must have a schema and at least one validated invocation. */
function commandsWithOutput(): string[] {
  return manifestCommands()
    .filter((c) => 'output' in c.flags)
    .map((c) => c.id.replace(/:/g, ' '))
    .sort();
}

describe('JSON output contract: every command against its JSON Schema, with real output', () => {
  before(async () => {
    await Promise.all([requireKafka(), requirePulsar(), requireRabbit()]);
  });
  after(async () => {
    await deleteCreated('kafka', [kafkaTopic, kafkaDlt]);
    await deleteCreated('pulsar', [pulsarTopic]);
    await deleteCreated('rabbitmq', [queue, verifyQueue]);
    // the exchange, when a failure left it (404: the test's own delete step ran)
    await fetch(`${LOCAL.rabbitmq.managementUrl}/api/exchanges/%2F/${exchange}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
    });
    // the namespace, likewise
    await fetch(`${LOCAL.pulsar.adminUrl}/admin/v2/namespaces/${pulsarNamespace}`, { method: 'DELETE' });
  });

  it('every command with --output has a strict draft-07 schema, and every schema names a command', () => {
    const schemas = loadSchemas();
    const commands = commandsWithOutput();
    assert.deepEqual([...schemas.keys()].sort(), commands.map(schemaName).sort());
    for (const [name, schema] of schemas) {
      const s = schema as { $schema?: string; title?: string };
      assert.equal(s.$schema, 'http://json-schema.org/draft-07/schema#', name);
      assert.match(s.title ?? '', /^mqctl /, name);
    }
  });

  it(
    'real output of every command validates, and every command is invoked',
    { timeout: 1_500_000 },
    async () => {
      const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
      const schemas = loadSchemas();
      const validators = new Map([...schemas].map(([name, s]) => [name, ajv.compile(s)]));
      const dump = process.env.MQCTL_JSON_DUMP;
      if (dump) mkdirSync(dump, { recursive: true });
      const seen = new Set<string>();
      const failures: string[] = [];
      let validated = 0;
      const runStep = async (step: Step, i: number): Promise<void> => {
        const result = await runCli(step.command.split(' ').concat(step.args), { env, timeoutMs: 120_000 });
        const where = `mqctl ${step.command} ${step.args.join(' ')}`;
        const codes = step.code ?? [0];
        if (!codes.includes(result.code ?? -1)) {
          failures.push(`${where}: exit ${result.code}, expected ${codes.join(' or ')}\n${result.stderr}`);
          return;
        }
        let doc: unknown;
        try {
          doc = JSON.parse(result.stdout);
        } catch {
          failures.push(`${where}: stdout is not JSON:\n${result.stdout}`);
          return;
        }
        const name = schemaName(step.command);
        if (dump) writeFileSync(join(dump, `${name}.${i}.json`), result.stdout);
        const validate = validators.get(name);
        if (!validate) {
          failures.push(`${where}: no schema ${name}.schema.json`);
          return;
        }
        if (!validate(doc)) {
          failures.push(`${where}: ${ajv.errorsText(validate.errors, { separator: '\n  ' })}`);
          return;
        }
        seen.add(step.command);
        validated += 1;
      };
      // the four sequences side by side, each in its order
      await Promise.all(
        steps().map(async (sequence, s) => {
          for (const [i, step] of sequence.entries()) await runStep(step, s * 100 + i);
        }),
      );
      process.stderr.write(`json-contract: ${validated} invocations validated\n`);
      assert.deepEqual(failures, []);
      assert.deepEqual(
        commandsWithOutput().filter((c) => !seen.has(c)),
        [],
        'commands with --output that no step validated',
      );
    },
  );
});
