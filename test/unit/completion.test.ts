import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { completionRequest, finishCandidates, type CompletionCommand } from '../../src/cli/completion';
import { completionScript } from '../../src/cli/completion-scripts';
import { BaseCommand, commonFlags, formatFlags, outputFlags, timeoutFlags } from '../../src/cli/base-command';

const opt = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: 'option', ...extra });
const bool = (name: string) => ({ name, type: 'boolean' });
const connection = {
  context: opt('context', { char: 'c' }),
  kind: opt('kind', { options: ['kafka', 'pulsar', 'rabbitmq'] }),
  brokers: opt('brokers', { char: 'b' }),
  output: opt('output', { char: 'o', options: ['table', 'json'] }),
};
/** A small command table shaped like oclif's manifest. */
const COMMANDS: CompletionCommand[] = [
  { id: 'topic:list', flags: { ...connection, internal: bool('internal') }, args: {} },
  { id: 'topic:describe', flags: { ...connection }, args: { name: { name: 'name' } } },
  {
    id: 'topic:delete',
    strict: false,
    flags: { ...connection, yes: bool('yes') },
    args: { name: { name: 'name' } },
  },
  {
    id: 'topic:config:get',
    flags: { ...connection },
    args: { name: { name: 'name' }, key: { name: 'key' } },
  },
  { id: 'context:use', flags: {}, args: { name: { name: 'name' } } },
  {
    id: 'lag',
    flags: { ...connection, group: opt('group', { char: 'g' }), topic: opt('topic', { char: 't' }) },
    args: {},
  },
  { id: 'lag:serve', flags: { ...connection }, args: {} },
  { id: 'binding:list', flags: { ...connection, destination: opt('destination', { char: 'd' }) }, args: {} },
  { id: 'queue:purge', flags: { ...connection }, args: { name: { name: 'name' } } },
  { id: 'completion', flags: {}, args: { shell: { name: 'shell', options: ['bash', 'zsh', 'fish'] } } },
  { id: '__complete', hidden: true, flags: {}, args: {} },
];
const req = (...words: string[]) => completionRequest(COMMANDS, words);

describe('completion candidates', () => {
  it('offers top-level topics and commands, never hidden ones, filtered by the typed prefix', () => {
    assert.deepEqual(req('').candidates, ['binding', 'completion', 'context', 'lag', 'queue', 'topic']);
    assert.deepEqual(req('t').candidates, ['topic']);
    assert.deepEqual(req('__').candidates, []);
  });

  it('offers subcommands at each level, and a command that is also a topic gets both', () => {
    assert.deepEqual(req('topic', '').candidates, ['config', 'delete', 'describe', 'list']);
    assert.deepEqual(req('topic', 'd').candidates, ['delete', 'describe']);
    assert.deepEqual(req('topic', 'config', '').candidates, ['get']);
    assert.deepEqual(req('lag', '').candidates, ['serve']);
  });

  it('offers the flags of the command under the cursor', () => {
    assert.deepEqual(req('topic', 'list', '--').candidates, [
      '--brokers',
      '--context',
      '--internal',
      '--kind',
      '--output',
    ]);
    assert.deepEqual(req('topic', 'list', '--k').candidates, ['--kind']);
    assert.deepEqual(req('context', 'use', '--').candidates, []);
  });

  it('offers fixed flag values after the flag, its short name, and in --flag=value form', () => {
    assert.deepEqual(req('topic', 'list', '--kind', '').candidates, ['kafka', 'pulsar', 'rabbitmq']);
    assert.deepEqual(req('topic', 'list', '-o', 'j').candidates, ['json']);
    assert.deepEqual(req('topic', 'list', '--kind=ra').candidates, ['--kind=rabbitmq']);
    // bash splits --kind=ra into --kind, =, ra
    assert.deepEqual(req('topic', 'list', '--kind', '=', 'p').candidates, ['pulsar']);
    assert.deepEqual(req('completion', '').candidates, ['bash', 'zsh', 'fish']);
  });

  it('asks for a lookup where a name is expected, and only there', () => {
    assert.equal(req('context', 'use', '').dynamic, 'context');
    assert.equal(req('topic', 'describe', '').dynamic, 'topic');
    assert.equal(req('topic', 'describe', 'orders', '').dynamic, undefined, 'one topic only');
    assert.equal(req('topic', 'delete', 'a', 'b', '').dynamic, 'topic', 'delete takes many');
    assert.equal(req('topic', 'config', 'get', '').dynamic, 'topic');
    assert.equal(req('topic', 'config', 'get', 'orders', '').dynamic, undefined, 'the key is not a topic');
    assert.equal(req('queue', 'purge', '').dynamic, 'queue');
    assert.equal(req('lag', '--group', '').dynamic, 'group');
    assert.equal(req('lag', '-t', 'or').dynamic, 'topic');
    assert.equal(req('lag', '-t', 'or').prefix, 'or');
    assert.equal(req('binding', 'list', '-d', '').dynamic, 'queue');
    assert.equal(req('topic', 'list', '-c', '').dynamic, 'context');
    assert.equal(req('topic', 'list', '').dynamic, undefined);
    assert.equal(req('topic', 'list', '--brokers', '').dynamic, undefined);
  });

  it('collects the connection flags already typed, for the lookup', () => {
    const r = req('topic', 'describe', '-c', 'prod', '--kind=kafka', '--brokers', 'h:1', '');
    assert.deepEqual(r.typedFlags, { context: 'prod', kind: 'kafka', brokers: 'h:1' });
    assert.equal(r.dynamic, 'topic');
  });

  it('filters looked-up names by the prefix and keeps the --flag= part', () => {
    const r = req('lag', '--topic=or');
    assert.deepEqual(finishCandidates(r, ['orders', 'payments', 'orders.dlq']), [
      '--topic=orders',
      '--topic=orders.dlq',
    ]);
    assert.deepEqual(finishCandidates(req('queue', 'purge', 'p'), ['orders', 'payments']), ['payments']);
  });
});

describe('completion against the real command table', () => {
  const manifest = JSON.parse(
    readFileSync(join(resolve(__dirname, '..', '..', '..'), 'oclif.manifest.json'), 'utf8'),
  ) as { commands: Record<string, CompletionCommand> };
  const commands = Object.values(manifest.commands);

  it('lists every visible top-level topic and the completion command, not __complete', () => {
    const top = completionRequest(commands, ['']).candidates;
    for (const name of ['topic', 'group', 'queue', 'context', 'perf', 'lag', 'completion'])
      assert.ok(top.includes(name), name);
    assert.ok(!top.includes('__complete'));
  });

  it('offers -o values and --kind values from the commands themselves', () => {
    assert.deepEqual(completionRequest(commands, ['topic', 'list', '-o', '']).candidates, [
      'table',
      'json',
      'yaml',
      'csv',
    ]);
    assert.deepEqual(completionRequest(commands, ['group', 'list', '--kind', '']).candidates, [
      'kafka',
      'pulsar',
      'rabbitmq',
    ]);
  });
});

describe('completion scripts', () => {
  it('call back __complete with the words after the command name', () => {
    assert.match(
      completionScript('bash', 'mqctl'),
      /mqctl __complete -- "\$\{COMP_WORDS\[@\]:1:COMP_CWORD\}"/,
    );
    assert.match(completionScript('zsh', 'mqctl'), /mqctl __complete -- "\$\{\(@\)words\[2,CURRENT\]\}"/);
    assert.match(completionScript('fish', 'mqctl'), /mqctl __complete -- \$words \(commandline -ct\)/);
  });
});

describe('global flags only where they apply', () => {
  /** A command whose baseFlags leave out -o and --timeout (like `context use`). */
  class Bare extends BaseCommand<typeof Bare> {
    static override baseFlags = commonFlags;
    async run(): Promise<void> {}
    get format(): string {
      return this.outputFormat;
    }
    get timeout(): number {
      return this.timeoutMs;
    }
  }

  it('the getters fall back to a table and the 10 s default when the flags are absent', async () => {
    const command = new Bare([], {
      bin: 'mqctl',
      runHook: async () => ({ successes: [], failures: [] }),
    } as never);
    await command.init();
    assert.equal(command.format, 'table');
    assert.equal(command.timeout, 10_000);
  });

  it('the groups together are the default set, so commands that keep all of them see no change', () => {
    assert.deepEqual(
      Object.keys(outputFlags).sort(),
      Object.keys({ ...formatFlags, ...timeoutFlags, ...commonFlags }).sort(),
    );
    assert.deepEqual(Object.keys(outputFlags).sort(), ['debug', 'json', 'no-color', 'output', 'timeout']);
  });
});
