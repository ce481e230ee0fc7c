import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { applyGates } from '../../src/gates';
import { parseRegressionPolicy } from '../../src/gates/baseline';
import { parseGate } from '../../src/gates/expression';
import { renderJunit, renderMarkdown } from '../../src/gates/report';
import { latencies, makeResult } from './gates-fixtures';
import { tempDir } from '../helpers/tmp';

const FIXTURES = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'junit');
const SCHEMAS = ['windyroad-JUnit.xsd', 'jenkins-junit-10.xsd'];

async function validateJunit(xml: string): Promise<void> {
  for (const schema of SCHEMAS) {
    const result = await validateXML({
      xml: [{ fileName: 'report.xml', contents: xml }],
      schema: [{ fileName: schema, contents: readFileSync(join(FIXTURES, schema), 'utf8') }],
    });
    assert.equal(result.valid, true, `${schema}: ${result.errors.map((e) => e.message).join('; ')}\n${xml}`);
  }
}

function options(gates: string[]) {
  return {
    gates: gates.map(parseGate),
    regression: parseRegressionPolicy([]),
    abortOnFail: false,
    abortGraceSeconds: 10,
    allowInvalid: false,
  };
}

describe('JUnit and Markdown reports', () => {
  const result = makeResult({ histograms: { latency: latencies(2000, 3000, 3) }, errors: 1 });

  it('writes JUnit XML valid against the Ant (windyroad) and Jenkins junit-10 schemas, one testcase per gate', async () => {
    const dir = tempDir('mqctl-gates-');
    const junitPath = join(dir, 'gates.xml');
    const report = await applyGates(structuredClone(result), {
      ...options(['p99<1us', 'p99<10s', 'errors==0', 'e2e.p99<100ms', 'error_rate<50%']),
      junitPath,
    });
    const xml = readFileSync(junitPath, 'utf8');
    await validateJunit(xml);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 5);
    assert.equal((xml.match(/<failure /g) ?? []).length, report.failed);
    assert.equal(report.failed, 3);
    assert.match(xml, /<testsuite [^>]*tests="5" failures="3" errors="0"/);
    assert.match(xml, /<testcase name="p99&lt;1us" classname="mqctl\.perf\.produce" time="0">/);
    // the failure carries the measured and wanted values in the message and the text
    assert.match(
      xml,
      /<failure message="latency\.p99 = [\d.]+ms, wanted &lt; 1us" type="mqctl\.GateFailed">/,
    );
    assert.match(xml, /measured: [\d.]+ms/);
    assert.match(xml, /no e2e latency samples/);
  });

  it('escapes hostile text and still validates; an invalid document is rejected by the validator', async () => {
    const hostile = makeResult({ histograms: { latency: [100, 200] } });
    hostile.environment.hostname = 'a<b>&"c\'\u0001';
    hostile.broker.target = '<script>&';
    const xml = renderJunit(hostile, [
      {
        kind: 'threshold',
        expression: 'p99<1us & "quoted"',
        metric: 'latency.p99',
        measured: 0.2,
        measuredText: '200µs',
        unit: 'ms',
        passed: false,
        message: 'a < b && c > d ]]> \u0007',
      },
    ]);
    await validateJunit(xml);
    const broken = xml.replace(' type="mqctl.GateFailed"', '');
    const check = await validateXML({
      xml: [{ fileName: 'broken.xml', contents: broken }],
      schema: [{ fileName: SCHEMAS[0]!, contents: readFileSync(join(FIXTURES, SCHEMAS[0]!), 'utf8') }],
    });
    assert.equal(check.valid, false);
  });

  it('writes a Markdown summary and appends it to $GITHUB_STEP_SUMMARY', async () => {
    const dir = tempDir('mqctl-gates-');
    const summaryMdPath = join(dir, 'summary.md');
    const stepSummary = join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '# earlier step\n');
    await applyGates(structuredClone(result), {
      ...options(['p99<1us', 'errors<=1']),
      summaryMdPath,
      githubStepSummary: stepSummary,
    });
    const md = readFileSync(summaryMdPath, 'utf8');
    assert.match(md, /^### mqctl perf produce: :x: 1 of 2 gates failed/);
    assert.match(md, /\| :x: \| `p99<1us` \| [\d.]+ms \| \*\*FAIL\*\* \|/);
    assert.match(md, /\| :white_check_mark: \| `errors<=1` \| 1 \| pass \|/);
    assert.equal(readFileSync(stepSummary, 'utf8'), `# earlier step\n${md}`);
  });

  it('escapes table pipes in Markdown and reports an invalid run', () => {
    const invalid = makeResult({
      histograms: { latency: [100] },
      valid: false,
      invalidReason: 'send delay | high',
    });
    const md = renderMarkdown(invalid, [
      {
        kind: 'validity',
        expression: 'run is valid',
        metric: 'valid',
        measured: 0,
        measuredText: 'invalid',
        unit: '',
        passed: false,
        message: 'invalid run: send delay | high',
      },
    ]);
    assert.match(md, /\*\*invalid run\*\*: send delay \| high/);
    assert.match(md, /invalid run: send delay \\\| high \|$/m);
  });
});
