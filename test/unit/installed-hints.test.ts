import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
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
});
