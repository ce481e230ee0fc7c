import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO,
  commandOf,
  docExamples,
  documentedFiles,
  flagsUsed,
  manifestCommands,
  proseFlags,
  shellWords,
  stripComment,
} from '../helpers/doc-examples';

/**
 * Docs and the CLI agree (issue 19): every flag `--help` shows is in the command reference, and every
 * command and flag an example uses exists. Reads the oclif manifest the build writes from the commands.
 */
describe('documentation matches the CLI', () => {
  const commands = manifestCommands();

  it('docs/commands.md is generated from the current commands (every flag documented, none stale)', () => {
    assert.doesNotThrow(
      () =>
        execFileSync(process.execPath, [join(REPO, 'scripts', 'docs-commands.js'), '--check'], {
          stdio: 'pipe',
        }),
      'docs/commands.md is out of date: run `npm run build && npm run docs:commands`',
    );
    const reference = readFileSync(join(REPO, 'docs', 'commands.md'), 'utf8');
    let flags = 0;
    for (const command of commands) {
      assert.match(reference, new RegExp(`^### mqctl ${command.id.split(':').join(' ')}$`, 'm'), command.id);
      for (const flag of Object.values(command.flags)) {
        if (flag.hidden) continue;
        flags++;
        assert.ok(
          reference.includes(`--${flag.name}`),
          `${command.id} --${flag.name} is not in docs/commands.md`,
        );
      }
    }
    assert.ok(flags > 1000, `expected over 1,000 command flags, counted ${flags}`);
  });

  it('every example in README.md and docs/*.md names a real command and only its flags', () => {
    const examples = docExamples(documentedFiles());
    assert.ok(examples.length >= 100, `expected at least 100 examples, found ${examples.length}`);
    const problems: string[] = [];
    for (const example of examples) {
      const command = commandOf(example.argv, commands);
      if (!command) {
        problems.push(`${example.file}:${example.line}: no command "${example.argv.slice(0, 3).join(' ')}"`);
        continue;
      }
      for (const flag of flagsUsed(example.argv)) {
        if (!hasFlag(command, flag))
          problems.push(`${example.file}:${example.line}: ${command.id} has no ${flag}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it("every flag named in the text of README.md and docs/*.md exists (or is a named tool's own)", () => {
    const all = proseFlags();
    const used = new Set<string>();
    const problems: string[] = [];
    let mqctlFlags = 0;
    for (const flag of all) {
      const where = `${flag.file}:${flag.line}: --${flag.name}`;
      // in an inline span that runs a command (`topic list --internal`): a flag of that command
      const words = flag.span ? shellWords(flag.span.replace(/^\$\s+/, '').replace(/^mqctl\s+/, '')) : [];
      const command = commandOf(words, commands);
      const foreign = FOREIGN_FLAGS.findIndex((f) => f.flags.includes(flag.name) && f.tool.test(flag.block));
      if (foreign >= 0) {
        used.add(`${foreign}:${flag.name}`);
        continue;
      }
      mqctlFlags++;
      if (flag.name === 'help') continue; // oclif's, on every command
      if (command) {
        if (!hasFlag(command, `--${flag.name}`)) problems.push(`${where}: ${command.id} has no such flag`);
      } else if (!commands.some((c) => hasFlag(c, `--${flag.name}`))) {
        problems.push(
          `${where}: no mqctl command has it (another tool's? add it to FOREIGN_FLAGS with its tool)`,
        );
      }
    }
    assert.deepEqual(problems, []);
    const stale = FOREIGN_FLAGS.flatMap((f, i) => f.flags.filter((name) => !used.has(`${i}:${name}`)));
    assert.deepEqual(stale, [], 'FOREIGN_FLAGS entries no doc names any more');
    assert.ok(mqctlFlags >= 500, `expected at least 500 mqctl flags in the docs' text, found ${mqctlFlags}`);
  });

  it('every --help example names its own command and only its flags', () => {
    const problems: string[] = [];
    let count = 0;
    for (const command of commands) {
      for (const raw of (command as unknown as { examples?: Array<string | { command: string }> }).examples ??
        []) {
        const text = (typeof raw === 'string' ? raw : raw.command).replace(/<%= config\.bin %>/g, 'mqctl');
        const argv = shellWords(stripComment(text)).slice(1);
        count++;
        const named = commandOf(argv, commands);
        if (named?.id !== command.id) {
          problems.push(`${command.id}: example "${text}" runs ${named?.id ?? 'no command'}`);
          continue;
        }
        for (const flag of flagsUsed(argv))
          if (!hasFlag(command, flag)) problems.push(`${command.id}: ${text}: ${flag}`);
      }
    }
    assert.ok(count >= 47, `expected an example per command at least, found ${count}`);
    assert.deepEqual(problems, []);
  });
});

/**
 * Flags of other tools that the docs name in their text (the reference tools mqctl is compared with, the
 * broker's own scripts, node, kubectl). Each is accepted only in a paragraph, list item or table row that
 * names its tool (`tool`), so an mqctl command cannot borrow one; an entry no doc uses any more fails too.
 */
const FOREIGN_FLAGS: Array<{ tool: RegExp; flags: string[] }> = [
  {
    // kafka-producer-perf-test, kafka-consumer-perf-test (docs/local-brokers.md lists their flags)
    tool: /kafka-(producer|consumer)-perf-test/,
    flags: [
      'bootstrap-server',
      'payload-monotonic',
      'command-property',
      'command-config',
      'producer.config',
      'consumer.config',
      'print-metrics',
      'transaction-duration-ms',
      'warmup-records',
      'reporting-interval',
      'include',
      'messages',
      'fetch-size',
      'socket-buffer-size',
      'from-latest',
      'show-detailed-stats',
      'hide-header',
      'date-format',
    ],
  },
  {
    tool: /kafka-(topics|consumer-groups|configs)(\.sh)?\b/,
    flags: [
      'bootstrap-server',
      'list',
      'describe',
      'create',
      'delete',
      'reset-offsets',
      'entity-type',
      'under-replicated-partitions',
      'unavailable-partitions',
    ],
  },
  { tool: /kafka-storage format|StorageTool/, flags: ['standalone', 'add-scram'] },
  { tool: /pulsar-perf/, flags: ['warmup-time', 'histogram-file'] },
  {
    tool: /pulsar standalone|standalone starter/,
    flags: ['standalone', 'bookkeeper-port', 'no-functions-worker'],
  },
  // pulsar-admin's spelling, in docs/schemas.md's table of equivalents
  { tool: /`schemas get \[/, flags: ['all-version'] },
  {
    tool: /`node [^`]*--(cpu-prof|test|write)\b|Node 20/,
    flags: ['cpu-prof', 'test', 'test-reporter', 'write', 'experimental-websocket'],
  },
  { tool: /kubectl wait/, flags: ['for'] },
  { tool: /mutation-merge\.js/, flags: ['ranges'] },
  // DEVELOPING.md: what a usage error costs at start-up, measured with a flag that does not exist
  { tool: /`topic describe --no-such-flag`/, flags: ['no-such-flag'] },
];

function hasFlag(command: ReturnType<typeof manifestCommands>[number], flag: string): boolean {
  const flags = Object.values(command.flags);
  if (/^-[a-zA-Z]$/.test(flag)) return flags.some((f) => f.char === flag.slice(1));
  const name = flag.slice(2);
  if (flags.some((f) => f.name === name || (f as { aliases?: string[] }).aliases?.includes(name)))
    return true;
  return name.startsWith('no-') && flags.some((f) => f.name === name.slice(3) && f.allowNo);
}
