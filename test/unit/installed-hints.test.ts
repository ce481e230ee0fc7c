import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { shippedPathsIn } from '../../src/cli/help';
import { REPO } from '../helpers/doc-examples';

/**
 * Messages, hints, help and examples are read by people who installed mqctl (`npm i -g`), who have no clone:
 * no `npm run` scripts, no `npm ci`, no scripts/ folder (issue 17 item 8). Comments may talk about the repo.
 */
const REPO_ONLY = [/\bnpm run\b/, /\bnpm ci\b/, /\bscripts\//, /\bbrokers\.sh\b/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The file without its comments (line comments and block comments), keeping line numbers. */
function withoutComments(text: string): string[] {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ''))
    .split('\n')
    .map((line) => line.replace(/(^|\s)\/\/.*$/, ''));
}

describe('what mqctl prints names what an installed user can do', () => {
  it('no message, hint, help text or example in src/, commands/ or bin/ points into the repository', () => {
    const files = [...sourceFiles(join(REPO, 'src')), ...sourceFiles(join(REPO, 'commands'))];
    files.push(join(REPO, 'bin', 'run.js'));
    assert.ok(files.length > 100, `expected the project's source files, found ${files.length}`);
    const found: string[] = [];
    for (const file of files) {
      withoutComments(readFileSync(file, 'utf8')).forEach((line, i) => {
        if (REPO_ONLY.some((re) => re.test(line)))
          found.push(`${relative(REPO, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(found, []);
  });

  it('every docs/ or deploy/ file a help text or message names exists and ships in the npm package', () => {
    const shipped = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { files: string[] })
      .files;
    const files = [...sourceFiles(join(REPO, 'src')), ...sourceFiles(join(REPO, 'commands'))];
    const named = new Set(
      files.flatMap((file) => shippedPathsIn(withoutComments(readFileSync(file, 'utf8')).join('\n'))),
    );
    assert.ok(named.size >= 4, [...named].join(', '));
    for (const path of named) {
      assert.ok(existsSync(join(REPO, path)), `${path} does not exist`);
      assert.ok(shipped.includes(path.split('/')[0]!), `${path}: its folder is not in package.json files`);
    }
  });

  it("the help's FILES section finds the paths a text names", () => {
    assert.deepEqual(shippedPathsIn('see docs/dlq.md. Examples: deploy/ (docs/lag.md); docs/dlq.md again'), [
      'docs/dlq.md',
      'deploy/',
      'docs/lag.md',
    ]);
    assert.deepEqual(shippedPathsIn('no paths, nor mydocs/x or src/docs'), []);
  });
});
