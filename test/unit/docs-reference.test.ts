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

function hasFlag(command: ReturnType<typeof manifestCommands>[number], flag: string): boolean {
  const flags = Object.values(command.flags);
  if (/^-[a-zA-Z]$/.test(flag)) return flags.some((f) => f.char === flag.slice(1));
  const name = flag.slice(2);
  if (flags.some((f) => f.name === name || (f as { aliases?: string[] }).aliases?.includes(name)))
    return true;
  return name.startsWith('no-') && flags.some((f) => f.name === name.slice(3) && f.allowNo);
}
