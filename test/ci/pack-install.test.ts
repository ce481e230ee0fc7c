import { strict as assert } from 'node:assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../helpers/tmp';

/**
 * Installs mqctl the way a user does, from the tarball `npm pack` makes of a clean tree: the repository's
 * committed and new files copied without dist/ or oclif.manifest.json (node_modules linked, to spare a
 * second `npm ci`), `npm pack` there (its prepack script must build dist/), then `npm install -g` of the
 * tarball into an empty prefix and `mqctl --help` from that prefix's bin/. Run by .ci/run (it needs the npm
 * registry or npm's cache for the runtime dependencies), not by `npm test`.
 */
const ROOT = resolve(__dirname, '..', '..', '..');

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, npm_config_loglevel: 'error', NO_COLOR: '1', ...env },
  });
  assert.equal(r.error, undefined, `${cmd} ${args.join(' ')}: ${r.error?.message}`);
  return r;
}

describe('npm pack → npm install -g → mqctl', () => {
  test('a tarball packed from a clean tree installs into a fresh prefix and mqctl --help works', () => {
    const work = tempDir('mqctl-pack-');
    const tree = join(work, 'tree');
    const files = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], ROOT)
      .stdout.split('\0')
      .filter((f) => f && existsSync(join(ROOT, f)));
    for (const f of files) {
      mkdirSync(dirname(join(tree, f)), { recursive: true });
      cpSync(join(ROOT, f), join(tree, f));
    }
    assert.equal(existsSync(join(tree, 'dist')), false, 'the clean tree has no dist/');
    assert.equal(existsSync(join(tree, 'oclif.manifest.json')), false);
    symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));

    // npm pack runs prepack, which must build dist/ and the manifest.
    const packed = run('npm', ['pack', '--json', '--pack-destination', work], tree);
    assert.equal(packed.status, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const paths = info.files.map((f) => f.path);
    for (const required of ['bin/run.js', 'oclif.manifest.json', 'dist/src/cli/exit.js', 'package.json'])
      assert.ok(paths.includes(required), `${required} missing from the tarball`);
    assert.ok(
      paths.some((p) => p.startsWith('dist/commands/')),
      'no compiled commands in the tarball',
    );
    // What help texts point to (docs/*.md, deploy/) and the JSON Schemas docs/output.md names ship too.
    for (const required of [
      'docs/lag.md',
      'docs/dlq.md',
      'deploy/grafana/mqctl-lag.json',
      'deploy/prometheus/mqctl-lag.rules.yaml',
      'schemas/output/lag.schema.json',
    ])
      assert.ok(paths.includes(required), `${required} missing from the tarball`);
    assert.equal(
      paths.filter((p) => p.startsWith('dist/test/') || p.startsWith('src/') || p.startsWith('test/')).length,
      0,
      'tests and TypeScript sources stay out of the tarball',
    );

    const prefix = join(work, 'prefix');
    const installed = run(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(work, info.filename),
      ],
      work,
    );
    assert.equal(installed.status, 0, installed.stderr);
    assert.ok(readdirSync(join(prefix, 'bin')).includes('mqctl'));

    // A fresh shell: the prefix's bin first on PATH, no repository around.
    const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, XDG_CONFIG_HOME: join(work, 'config') };
    const help = run('mqctl', ['--help'], work, env);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /USAGE\s+\$ mqctl \[COMMAND\]/);
    for (const topic of ['topic', 'lag', 'perf', 'dlq', 'context'])
      assert.match(help.stdout, new RegExp(`^\\s+${topic}\\s`, 'm'));
    const version = run('mqctl', ['--version'], work, env);
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^mqctl\/0\.\d+\.\d+ /);
    const sub = run('mqctl', ['lag', 'serve', '--help'], work, env);
    assert.equal(sub.status, 0, sub.stderr);
    assert.match(sub.stdout, /--port/);
    // Its FILES section names where deploy/ and docs/lag.md are in the installed package.
    const named = [...sub.stdout.matchAll(/^ {2}(docs|deploy)\/\S*: (\S+)$/gm)].map((m) => m[2]!);
    assert.ok(named.length >= 2, sub.stdout);
    for (const path of named) {
      assert.ok(path.startsWith(prefix), `${path} is not in the installed package`);
      assert.ok(existsSync(path), `${path} does not exist`);
    }
  });
});
