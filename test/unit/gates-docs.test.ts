import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseGate } from '../../src/gates/expression';
import { loadGatesFile } from '../../src/gates/options';
import { gateFlags } from '../../src/cli/flags/gates';
import { tempDir } from '../helpers/tmp';

/** The examples in docs/ must keep working: CI files parse, their gates parse, flags exist. */
const DOCS = resolve(__dirname, '..', '..', '..', 'docs');

describe('gates documentation examples', () => {
  for (const file of ['ci/github-actions.yml', 'ci/gitlab-ci.yml']) {
    it(`${file} is valid YAML whose gates and gate flags are valid`, () => {
      const text = readFileSync(join(DOCS, file), 'utf8');
      assert.ok(parseYaml(text));
      assert.match(text, /mqctl perf produce/);
      for (const m of text.matchAll(/--gate '([^']+)'/g)) assert.doesNotThrow(() => parseGate(m[1]!), m[1]);
      const used = new Set(
        [
          ...text.matchAll(
            /--(gate|gates|baseline|max-regression|junit|summary-md|abort-on-fail|abort-grace|allow-invalid)\b/g,
          ),
        ].map((m) => m[1]!),
      );
      for (const flag of used) assert.ok(flag in gateFlags, flag);
      assert.ok(used.has('junit'));
    });
  }

  it('the gates file example in docs/gates.md loads', async () => {
    const md = readFileSync(join(DOCS, 'gates.md'), 'utf8');
    const block = /```yaml\n# gates\.yaml\n([\s\S]*?)```/.exec(md);
    assert.ok(block, 'gates.yaml example not found');
    const dir = tempDir('mqctl-docs-');
    writeFileSync(join(dir, 'gates.yaml'), block[1]!.replace(/^baseline:.*$/m, ''));
    const loaded = await loadGatesFile(join(dir, 'gates.yaml'));
    assert.equal(loaded.gates.length, 5);
    assert.equal(loaded.gates[4]!.abortOnFail, true);
    assert.deepEqual(loaded.maxRegression, ['10%', 'p99=20%', 'throughput=5%']);
  });

  it('every gate written in docs/gates.md parses', () => {
    const md = readFileSync(join(DOCS, 'gates.md'), 'utf8');
    for (const m of md.matchAll(/--gate '([^']+)'/g)) assert.doesNotThrow(() => parseGate(m[1]!), m[1]);
  });
});
