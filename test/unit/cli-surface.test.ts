import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';

/**
 * The command line is a contract: every command, argument and flag (with its short name, kind, options,
 * default and whether it repeats) is compared with test/fixtures/cli-surface.json. A renamed or removed flag
 * fails here and shows up in the diff of the snapshot when it is updated on purpose:
 *   MQCTL_UPDATE_SNAPSHOT=1 node --test dist/test/unit/cli-surface.test.js
 * Read from oclif.manifest.json, which `npm run build` writes from the compiled commands.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const SNAPSHOT = join(ROOT, 'test', 'fixtures', 'cli-surface.json');

interface ManifestFlag {
  name: string;
  char?: string;
  type: 'option' | 'boolean';
  options?: string[];
  default?: unknown;
  multiple?: boolean;
  allowNo?: boolean;
  required?: boolean;
  hidden?: boolean;
}
interface ManifestCommand {
  id: string;
  args: Record<string, { name: string; required?: boolean }>;
  flags: Record<string, ManifestFlag>;
  examples?: unknown[];
  hidden?: boolean;
}

function surface(): Record<string, { args: string[]; flags: string[] }> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, ManifestCommand>;
  };
  const out: Record<string, { args: string[]; flags: string[] }> = {};
  for (const id of Object.keys(manifest.commands).sort()) {
    const c = manifest.commands[id]!;
    out[id.replace(/:/g, ' ')] = {
      args: Object.values(c.args ?? {}).map((a) => `${a.name}${a.required ? '' : '?'}`),
      // hidden flags too (marked): a hidden flag is still one a script may use
      flags: Object.values(c.flags)
        .map((f) => {
          const parts = [`--${f.name}`];
          if (f.char) parts.push(`-${f.char}`);
          parts.push(f.type === 'boolean' ? (f.allowNo ? 'boolean/no' : 'boolean') : 'value');
          if (f.options) parts.push(`one of ${f.options.join('|')}`);
          if (f.default !== undefined && typeof f.default !== 'function')
            parts.push(`default ${JSON.stringify(f.default)}`);
          if (f.multiple) parts.push('repeatable');
          if (f.required) parts.push('required');
          if (f.hidden) parts.push('hidden');
          return parts.join(' ');
        })
        .sort(),
    };
  }
  return out;
}

describe('command line snapshot', () => {
  test('commands, arguments and flags match test/fixtures/cli-surface.json', () => {
    const current = surface();
    if (process.env.MQCTL_UPDATE_SNAPSHOT) writeFileSync(SNAPSHOT, `${JSON.stringify(current, null, 2)}\n`);
    const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as ReturnType<typeof surface>;
    assert.deepEqual(
      current,
      expected,
      'the command line changed: if on purpose, run MQCTL_UPDATE_SNAPSHOT=1 node --test dist/test/unit/cli-surface.test.js and commit the snapshot',
    );
  });

  test('the snapshot names every command and every flag of the manifest', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, ManifestCommand>;
    };
    const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as ReturnType<typeof surface>;
    const missing: string[] = [];
    for (const c of Object.values(manifest.commands)) {
      const entry = snapshot[c.id.replace(/:/g, ' ')];
      if (!entry) {
        missing.push(c.id);
        continue;
      }
      for (const f of Object.values(c.flags))
        if (!entry.flags.some((line) => line.split(' ')[0] === `--${f.name}`))
          missing.push(`${c.id} --${f.name}`);
    }
    assert.deepEqual(missing, []);
  });

  test('every command has at least one example in its --help', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, ManifestCommand>;
    };
    const without = Object.values(manifest.commands)
      .filter((c) => !c.hidden && (!c.examples || c.examples.length === 0))
      .map((c) => c.id.replace(/:/g, ' '));
    assert.deepEqual(without, []);
  });
});
