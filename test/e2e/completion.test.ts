import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLOSED_PORT, LOCAL, requireKafka, requireRabbit, uniqueName } from '../helpers/brokers';
import { BIN, isolatedConfigEnv, recordRun, runCli, type CliResult } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const env = isolatedConfigEnv();
const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...env, ...extraEnv }, timeoutMs: 60_000 });
const complete = (words: string[], extraEnv: Record<string, string> = {}) =>
  run(['__complete', '--', ...words], extraEnv);

function ok(result: CliResult): void {
  assert.equal(result.code, 0, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}
const lines = (result: CliResult) => result.stdout.split('\n').filter(Boolean);

/** The completion lookup's own deadline. */
const LOOKUP_DEADLINE_MS = 2000;

/**
 * The bound for a lookup that must give up: its 2 s deadline, plus what this machine needs right now to start
 * Node and oclif and answer a completion without any lookup (measured just before), plus 1 s of slack. On a
 * quiet machine that is about 4 s; under load the start-up share grows, the deadline share does not.
 */
async function silentBoundMs(): Promise<number> {
  const bare = await complete(['topic', '']);
  return LOOKUP_DEADLINE_MS + bare.durationMs + 1000;
}

describe('e2e: mqctl completion (bin/run.js)', () => {
  const topic = uniqueName('mqctl-compl');
  const queue = uniqueName('mqctl-compl');
  const group = uniqueName('mqctl-compl');

  before(async () => {
    await requireKafka();
    await requireRabbit();
    ok(await run(['context', 'add', 'cmpl-kafka', '--kind', 'kafka', '--brokers', LOCAL.kafka.brokers]));
    ok(await run(['context', 'add', 'cmpl-rabbit', '--kind', 'rabbitmq', '--url', 'amqp://127.0.0.1:5672']));
    ok(await run(['context', 'use', 'cmpl-kafka']));
    ok(await run(['topic', 'create', topic, '--partitions', '1', '--kind', 'kafka', '--timeout', '30s']));
    ok(await run(['queue', 'create', queue, '--kind', 'rabbitmq']));
    // committing offsets makes the group exist (empty, no members)
    ok(
      await run([
        'group',
        'reset-offsets',
        group,
        '--topic',
        topic,
        '--to-earliest',
        '--execute',
        '--yes',
        '--kind',
        'kafka',
      ]),
    );
  });
  after(async () => {
    await run(['group', 'delete', group, '--yes', '--kind', 'kafka']);
    await run(['topic', 'delete', topic, '--yes', '--kind', 'kafka', '--timeout', '30s']);
    await run(['queue', 'delete', queue, '--yes', '--kind', 'rabbitmq']);
  });

  it('`completion bash` prints a script bash accepts (bash -n), and nothing on stderr', async () => {
    const result = await run(['completion', 'bash']);
    ok(result);
    assert.equal(result.stderr, '');
    const checked = spawnSync('bash', ['-n'], { input: result.stdout, encoding: 'utf8' });
    assert.equal(checked.status, 0, checked.stderr);
    assert.match(result.stdout, /complete .*-F _mqctl_completion mqctl/);
    for (const shell of ['zsh', 'fish']) {
      const other = await run(['completion', shell]);
      ok(other);
      assert.match(other.stdout, /mqctl __complete --/);
    }
  });

  it('`autocomplete` (the old plugin name) prints the same script', async () => {
    const [a, b] = await Promise.all([run(['autocomplete', 'bash']), run(['completion', 'bash'])]);
    ok(a);
    assert.equal(a.stdout, b.stdout);
  });

  it('completes context names from the config file', async () => {
    const result = await complete(['context', 'use', '']);
    ok(result);
    assert.deepEqual(lines(result), ['cmpl-kafka', 'cmpl-rabbit']);
    assert.deepEqual(lines(await complete(['topic', 'list', '-c', 'cmpl-r'])), ['cmpl-rabbit']);
  });

  it('completes a topic created on the local Kafka, from the current context', async () => {
    const result = await complete(['topic', 'describe', topic.slice(0, -1)]);
    ok(result);
    assert.equal(result.stderr, '');
    assert.deepEqual(lines(result), [topic]);
  });

  it('completes a consumer group on the local Kafka, as an argument and as --group', async () => {
    assert.deepEqual(lines(await complete(['group', 'describe', group.slice(0, -1)])), [group]);
    assert.deepEqual(lines(await complete(['lag', '--kind', 'kafka', '-g', group.slice(0, -1)])), [group]);
  });

  it('completes a queue on the local RabbitMQ, from the --context typed on the line', async () => {
    const result = await complete(['queue', 'purge', '--context', 'cmpl-rabbit', queue.slice(0, -1)]);
    ok(result);
    assert.deepEqual(lines(result), [queue]);
    const binding = await complete([
      'binding',
      'list',
      '--kind',
      'rabbitmq',
      `--destination=${queue.slice(0, -1)}`,
    ]);
    assert.deepEqual(lines(binding), [`--destination=${queue}`]);
  });

  it('with an unreachable broker prints nothing and exits 0 within the deadline', async () => {
    for (const words of [
      ['topic', 'describe', '--brokers', `127.0.0.1:${CLOSED_PORT}`, ''],
      ['queue', 'purge', '--kind', 'rabbitmq', '--admin-url', `http://127.0.0.1:${CLOSED_PORT}`, ''],
    ]) {
      const result = await complete(words);
      assert.equal(result.code, 0, words.join(' '));
      assert.equal(result.stdout, '', words.join(' '));
      assert.equal(result.stderr, '', words.join(' '));
      const bound = await silentBoundMs();
      assert.ok(
        result.durationMs < bound,
        `${words.join(' ')}: took ${result.durationMs} ms (bound ${bound} ms)`,
      );
    }
  });

  it('with a broker that accepts connections but never answers, gives up after 2 s: nothing printed, exit 0', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      for (const words of [
        ['topic', 'describe', '--brokers', `127.0.0.1:${port}`, ''],
        ['queue', 'purge', '--kind', 'rabbitmq', '--admin-url', `http://127.0.0.1:${port}`, ''],
      ]) {
        const result = await complete(words);
        assert.equal(result.code, 0, words.join(' '));
        assert.equal(result.stdout, '', words.join(' '));
        assert.equal(result.stderr, '', words.join(' '));
        const bound = await silentBoundMs();
        assert.ok(
          result.durationMs < bound,
          `${words.join(' ')}: took ${result.durationMs} ms (bound ${bound} ms)`,
        );
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('with a broken config file prints nothing and exits 0', async () => {
    const dir = tempDir('mqctl-cmpl-');
    mkdirSync(join(dir, 'mqctl'));
    writeFileSync(join(dir, 'mqctl', 'config.yaml'), 'contexts: [unclosed\n');
    const result = await complete(['context', 'use', ''], {
      XDG_CONFIG_HOME: dir,
      MQCTL_CONFIG: join(dir, 'mqctl', 'config.yaml'),
    });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, '');
  });

  it('in bash: the sourced script fills COMPREPLY from COMP_WORDS (subcommands, --kind values, contexts, topics)', async () => {
    const script = (await run(['completion', 'bash'])).stdout;
    const dir = tempDir('mqctl-cmpl-bin-');
    writeFileSync(join(dir, 'mqctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(dir, 'mqctl'), 0o755);
    writeFileSync(join(dir, 'completion.bash'), script);
    const compreply = (words: string[]): string[] => {
      const quoted = words.map((w) => `'${w}'`).join(' ');
      const bash = spawnSync(
        'bash',
        [
          '--norc',
          '--noprofile',
          '-c',
          `source "${join(dir, 'completion.bash')}"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; ` +
            `_mqctl_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, ...env, PATH: `${dir}:${process.env.PATH}` },
          timeout: 30_000,
        },
      );
      recordRun(['(bash completion)', ...words], bash.stdout, bash.stderr);
      assert.equal(bash.status, 0, bash.stderr);
      return bash.stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(compreply(['mqctl', 'topic', 'de']), ['delete', 'describe']);
    assert.deepEqual(compreply(['mqctl', 'group', 'list', '--kind', '']), ['kafka', 'pulsar', 'rabbitmq']);
    assert.deepEqual(compreply(['mqctl', 'context', 'show', 'cmpl-']), ['cmpl-kafka', 'cmpl-rabbit']);
    assert.deepEqual(compreply(['mqctl', 'topic', 'delete', '--yes', topic.slice(0, -1)]), [topic]);
  });
});
