import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TEST_SECRETS, scanOutputs } from './helpers/secrets';

/**
 * The end-of-suite secret grep (issue 11; DESIGN.md §6 "Tests grep all outputs for their test secrets"), a
 * phase of its own in scripts/test.sh after every other test file. Every CLI run of the suite is recorded by
 * test/helpers/cli.ts into $MQCTL_TEST_OUTPUT_DIR (runCli, the runs tests spawn themselves through
 * recordChild, the TTY runs of runOnTty, the shell-run examples): stdout, stderr (with --debug's stack) and
 * the files the run wrote (--result, --report, --junit, --summary-md, --hdr-log, --hgrm and its siblings,
 * --export, $GITHUB_STEP_SUMMARY), read when the run ends, since tests delete their files. What is left in the
 * run's $TMPDIR is read too. None may hold a test secret (test/helpers/secrets.ts), raw or percent-encoded.
 * To check a few files by hand: `export MQCTL_TEST_OUTPUT_DIR=$(mktemp -d)`, run them, then this file.
 */
const OUTPUT_DIR = process.env.MQCTL_TEST_OUTPUT_DIR;
// the run's own TMPDIR (scripts/test.sh sets one per run), never the machine's shared /tmp
const RUN_TMPDIR = process.env.TMPDIR && process.env.TMPDIR !== '/tmp' ? process.env.TMPDIR : undefined;
const scan = OUTPUT_DIR ? scanOutputs(OUTPUT_DIR, RUN_TMPDIR ? [RUN_TMPDIR] : []) : undefined;
const counts = scan
  ? `${scan.runs} CLI runs (${scan.debugRuns} with --debug), ${scan.files} files they wrote, ` +
    (RUN_TMPDIR ? `${scan.looseFiles} files left in TMPDIR` : "TMPDIR not the run's own (not read)")
  : 'no MQCTL_TEST_OUTPUT_DIR';

describe('end of suite: secrets', () => {
  it(`no test secret in any output of the suite: ${counts}`, (t) => {
    assert.ok(
      OUTPUT_DIR,
      'MQCTL_TEST_OUTPUT_DIR is not set: run the tests and this check with the same directory (scripts/test.sh does)',
    );
    assert.ok(scan!.runs > 0, `no CLI run is recorded in ${OUTPUT_DIR}`);
    t.diagnostic(`scanned ${counts}`);
    assert.equal(
      scan!.hits.length,
      0,
      `${scan!.hits.length} test secrets found:\n  ${scan!.hits.join('\n  ')}`,
    );
  });

  it('the grep finds a planted secret (in stderr, in a written file, percent-encoded, in TMPDIR)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqctl-zz-secrets-'));
    const outputs = join(dir, 'outputs');
    mkdirSync(outputs);
    try {
      const run = (stderr: string, files: Record<string, string> = {}) =>
        JSON.stringify({
          args: ['topic', 'list', '--password', TEST_SECRETS.plain],
          stdout: 'ok\n',
          stderr,
          files,
        });
      writeFileSync(
        join(outputs, 'outputs-1.jsonl'),
        [
          run('Error: clean\n'),
          run(`Error: cannot reach http://u:${TEST_SECRETS.plain}@h:1\n`),
          run('', { '/r.json': `{"url":"http://u:${encodeURIComponent(TEST_SECRETS.slashAt)}@h"}` }),
        ].join('\n') + '\n',
      );
      const loose = join(dir, 'left-by-a-test');
      writeFileSync(loose, `token ${TEST_SECRETS.token}`);
      // the recorded runs inside the loose directory (their arguments hold secrets) are not read as files
      const planted = scanOutputs(outputs, [dir]);
      assert.equal(planted.runs, 3);
      assert.equal(planted.files, 1);
      assert.deepEqual(
        planted.hits.map((h) => h.replace(/ \(mqctl .*$/, '')),
        [
          'plain in stderr of outputs-1.jsonl run 2',
          'slashAt (percent-encoded) in file /r.json written by outputs-1.jsonl run 3',
          `token in ${loose}`,
        ],
      );
      assert.ok(
        planted.hits.every((h) => !h.includes(TEST_SECRETS.plain)),
        'a hit names the secret, never shows it (the arguments are masked)',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
