import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, MqctlError } from '../../src/core/errors';
import { loadGatesFile, parseGateFlags } from '../../src/gates/options';
import { makeResult } from './gates-fixtures';
import { tempDir } from '../helpers/tmp';

function dir(): string {
  return tempDir('mqctl-gates-opts-');
}

async function rejects(promise: Promise<unknown>, code: number, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MqctlError, String(error));
    assert.equal(error.exitCode, code, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('gate flags and gates files', () => {
  it('loads a gates file: strings, objects with abortOnFail/delayAbortEval, baseline and maxRegression', async () => {
    const d = dir();
    writeFileSync(join(d, 'prev.json'), JSON.stringify(makeResult({ histograms: { latency: [1000] } })));
    const file = join(d, 'gates.yaml');
    writeFileSync(
      file,
      [
        'gates:',
        '  - p99<20ms',
        '  - expression: e2e.p99<100ms',
        '    abortOnFail: true',
        '    delayAbortEval: 15s',
        'baseline: prev.json',
        'maxRegression:',
        '  default: 5%',
        '  p99: 20%',
        'abortGrace: 3s',
      ].join('\n'),
    );
    const loaded = await loadGatesFile(file);
    assert.deepEqual(
      loaded.gates.map((g) => g.expression),
      ['p99<20ms', 'e2e.p99<100ms'],
    );
    assert.equal(loaded.gates[1]!.abortOnFail, true);
    assert.equal(loaded.gates[1]!.delayAbortEvalSeconds, 15);
    assert.equal(loaded.baselinePath, join(d, 'prev.json'));

    const options = await parseGateFlags(
      { gates: file, gate: ['errors==0'], 'max-regression': ['throughput=1%'] },
      {},
    );
    assert.deepEqual(
      options.gates.map((g) => g.expression),
      ['p99<20ms', 'e2e.p99<100ms', 'errors==0'],
    );
    assert.equal(options.regression.defaultMax, 0.05);
    assert.equal(options.regression.perMetric.get('latency.p99')?.max, 0.2);
    assert.equal(options.regression.perMetric.get('throughput')?.max, 0.01);
    assert.equal(options.abortGraceSeconds, 3);
    assert.equal(options.baseline?.result.schema, 'mqctl.perf.result/v2');
  });

  it('accepts a bare list of gates', async () => {
    const file = join(dir(), 'gates.yaml');
    writeFileSync(file, '- p99<20ms\n- throughput>=45000\n');
    assert.equal((await loadGatesFile(file)).gates.length, 2);
  });

  it('reports a malformed gate in a file with the file and position (exit 2)', async () => {
    const file = join(dir(), 'gates.yaml');
    writeFileSync(file, 'gates:\n  - p99<20ms\n  - p99<20\n');
    await rejects(
      loadGatesFile(file),
      ExitCode.USAGE,
      /gates\.yaml, gate 2: invalid gate "p99<20": .*needs a time unit/,
    );
    writeFileSync(file, 'gate:\n  - p99<20ms\n');
    await rejects(loadGatesFile(file), ExitCode.USAGE, /unknown key "gate"/);
    writeFileSync(file, 'gates: [p99<20ms\n');
    await rejects(loadGatesFile(file), ExitCode.USAGE, /not valid YAML/);
  });

  it('validates flags before any load: gates, baseline, report paths, --max-regression', async () => {
    await rejects(parseGateFlags({ gate: ['p99<<1ms'] }, {}), ExitCode.USAGE, /invalid gate/);
    await rejects(parseGateFlags({ gates: '/nonexistent/gates.yaml' }, {}), ExitCode.NOT_FOUND, /not found/);
    await rejects(
      parseGateFlags({ baseline: '/nonexistent/prev.json' }, {}),
      ExitCode.NOT_FOUND,
      /baseline file/,
    );
    const d = dir();
    writeFileSync(join(d, 'other.json'), '{"schema":"something/v9"}');
    await rejects(parseGateFlags({ baseline: join(d, 'other.json') }, {}), ExitCode.USAGE, /not supported/);
    writeFileSync(join(d, 'broken.json'), '{"schema":');
    await rejects(parseGateFlags({ baseline: join(d, 'broken.json') }, {}), ExitCode.USAGE, /not JSON/);
    await rejects(parseGateFlags({ 'max-regression': ['10%'] }, {}), ExitCode.USAGE, /needs --baseline/);
    await rejects(
      parseGateFlags({ junit: '/nonexistent-dir/gates.xml' }, {}),
      ExitCode.USAGE,
      /does not exist/,
    );
    await rejects(parseGateFlags({ 'abort-grace': 'soon' }, {}), ExitCode.USAGE, /invalid duration/);
    const ok = await parseGateFlags(
      { gate: ['p99<20ms'], junit: join(d, 'g.xml'), 'abort-on-fail': true },
      { GITHUB_STEP_SUMMARY: join(d, 's.md') },
    );
    assert.equal(ok.abortOnFail, true);
    assert.equal(ok.abortGraceSeconds, 10);
    assert.equal(ok.githubStepSummary, join(d, 's.md'));
  });
});
