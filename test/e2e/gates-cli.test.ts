import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedConfigEnv, parseJson, runCli } from '../helpers/cli';
import { decodeHistogram } from '../../src/gates/histogram';
import type { PerfResult } from '../../src/perf/result-schema';
import { histogramOf, latencies, makeResult } from '../unit/gates-fixtures';
import { tempDir } from '../helpers/tmp';

/** `perf merge` and `perf compare` as a user runs them: exit codes, output shapes, report files. */
describe('perf merge / perf compare (CLI)', () => {
  const dir = tempDir('mqctl-gates-cli-');
  const env = isolatedConfigEnv();
  const a = latencies(4000, 2000, 21);
  const b = latencies(6000, 3000, 22);
  const shard0 = join(dir, 'shard-0.json');
  const shard1 = join(dir, 'shard-1.json');
  writeFileSync(
    shard0,
    JSON.stringify(makeResult({ histograms: { latency: a }, throughput: 400, shard: '0/2' })),
  );
  writeFileSync(
    shard1,
    JSON.stringify(makeResult({ histograms: { latency: b }, throughput: 600, shard: '1/2' })),
  );

  it('merges exactly and exits 0 when the gates pass', async () => {
    const out = join(dir, 'merged.json');
    const r = await runCli(
      ['perf', 'merge', shard0, shard1, '--gate', 'p99<10s', '--gate', 'throughput>=1000', '--result', out],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /MERGED RESULT/);
    assert.match(r.stdout, /p99<10s .*✓ pass/);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as PerfResult;
    assert.equal(merged.acked, a.length + b.length);
    assert.equal(merged.throughput, 1000);
    const both = histogramOf([...a, ...b]);
    assert.equal(
      decodeHistogram(merged.histograms.latency!).getValueAtPercentile(99),
      both.getValueAtPercentile(99),
    );
    assert.equal(merged.gates?.length, 2);
  });

  it('exits 99 with the gate table and writes JUnit when a gate fails', async () => {
    const junit = join(dir, 'gates.xml');
    const r = await runCli(['perf', 'merge', shard0, shard1, '--gate', 'p99<1us', '--junit', junit], { env });
    assert.equal(r.code, 99, r.stderr);
    assert.match(r.stdout, /p99<1us .*✗ FAIL .*latency\.p99 = .*ms, wanted < 1us/);
    assert.match(r.stderr, /^Error: 1 of 1 gates failed: p99<1us \(measured .*\) — see the gate table$/m);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    assert.match(readFileSync(junit, 'utf8'), /<failure message="latency\.p99 = /);
  });

  it('prints the merged result as JSON with gate outcomes', async () => {
    const r = await runCli(['perf', 'merge', shard0, shard1, '--gate', 'errors==0', '-o', 'json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const doc = parseJson<PerfResult>(r);
    assert.equal(doc.schema, 'mqctl.perf.result/v2');
    assert.equal(doc.command, 'merge');
    assert.deepEqual(doc.mergedFrom, [shard0, shard1]);
    assert.equal(doc.gates?.[0]?.passed, true);
  });

  it('rejects a malformed gate with exit 2 before reading anything', async () => {
    const r = await runCli(['perf', 'merge', shard0, shard1, '--gate', 'p99<20'], { env });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^Error: invalid gate "p99<20": latency\.p99 needs a time unit — write e\.g\. p99<20ms/m,
    );
    assert.equal(r.stdout, '');
  });

  it('exits 3 for a missing input and 2 for a foreign one', async () => {
    const missing = await runCli(['perf', 'merge', shard0, join(dir, 'nope.json')], { env });
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /result file .*nope\.json not found/);
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, '{"hello":1}');
    const bad = await runCli(['perf', 'merge', shard0, foreign], { env });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /is not an mqctl perf result: no "schema" field/);
  });

  it('compares side by side, and gates on --max-regression with exit 99', async () => {
    const plain = await runCli(['perf', 'compare', shard0, shard1], { env });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /METRIC\s+A\s+B\s+CHANGE\s+VERDICT/);
    assert.match(plain.stdout, /latency\.p99\s+.*\+\d+\.\d%\s+worse/);
    const gated = await runCli(
      ['perf', 'compare', shard0, shard1, '--max-regression', '10%', '--summary-md', join(dir, 's.md')],
      {
        env: { ...env, GITHUB_STEP_SUMMARY: join(dir, 'step.md') },
      },
    );
    assert.equal(gated.code, 99, gated.stderr);
    assert.match(gated.stdout, /p99 regression <= 10% vs baseline .*✗ FAIL/);
    assert.ok(existsSync(join(dir, 's.md')));
    assert.equal(readFileSync(join(dir, 'step.md'), 'utf8'), readFileSync(join(dir, 's.md'), 'utf8'));
    const lenient = await runCli(
      ['perf', 'compare', shard0, shard1, '--max-regression', '500%', '-o', 'json'],
      { env },
    );
    assert.equal(lenient.code, 0, lenient.stderr);
    const doc = parseJson<{ rows: Array<{ metric: string; verdict: string }>; passed: boolean }>(lenient);
    assert.equal(doc.passed, true);
    assert.equal(doc.rows.find((r) => r.metric === 'latency.p99')?.verdict, 'worse');
  });
});
