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

/** The `# gates.yaml` example of docs/gates.md, loaded as `--gates` loads a file. */
async function documentedGatesFile() {
  const md = readFileSync(join(DOCS, 'gates.md'), 'utf8');
  const block = /```yaml\n# gates\.yaml\n([\s\S]*?)```/.exec(md);
  assert.ok(block, 'gates.yaml example not found');
  const dir = tempDir('mqctl-docs-');
  writeFileSync(join(dir, 'gates.yaml'), block[1]!.replace(/^baseline:.*$/m, ''));
  return loadGatesFile(join(dir, 'gates.yaml'));
}

describe('gates documentation examples', () => {
  for (const file of ['ci/github-actions.yml', 'ci/gitlab-ci.yml']) {
    it(`${file} is valid YAML that applies at least one gate; its gates and gate flags are valid`, async () => {
      const text = readFileSync(join(DOCS, file), 'utf8');
      assert.ok(parseYaml(text));
      assert.match(text, /mqctl perf produce/);
      // every gate the job applies: inline --gate, or the gates file, which is the docs/gates.md example
      // (the gitlab job has no inline gate: the old check parsed 0 gates there and passed; #18 item 7)
      const gates = [...text.matchAll(/--gate '([^']+)'/g)].map((m) => parseGate(m[1]!));
      const gatesFile = /--gates (\S+)/.exec(text)?.[1];
      if (gatesFile) {
        assert.equal(gatesFile, 'perf/gates.yaml', 'the gates file docs/gates.md documents');
        gates.push(...(await documentedGatesFile()).gates);
      }
      assert.ok(gates.length > 0, `${file} applies no gate`);
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
    const loaded = await documentedGatesFile();
    assert.equal(loaded.gates.length, 5);
    assert.equal(loaded.gates[4]!.abortOnFail, true);
    assert.deepEqual(loaded.maxRegression, ['10%', 'p99=20%', 'throughput=5%']);
  });

  it('every gate written in docs/gates.md parses', () => {
    const md = readFileSync(join(DOCS, 'gates.md'), 'utf8');
    for (const m of md.matchAll(/--gate '([^']+)'/g)) assert.doesNotThrow(() => parseGate(m[1]!), m[1]);
  });
});
