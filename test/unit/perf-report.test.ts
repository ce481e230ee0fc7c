import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { newHistogram } from '../../src/perf/histograms';
import { fullIntervals, readableSettings, renderReport } from '../../src/perf/report';
import { buildResult, type MqctlPerfResult } from '../../src/perf/result';
import type { GateOutcome } from '../../src/perf/result-schema';
import { tempDir } from '../helpers/tmp';

/** A steady 2,000 msg/s run of 10 s at 1 s intervals, plus the stray 10 ms tail interval of a few late acks. */
function steadyRun(): MqctlPerfResult {
  const latency = newHistogram();
  for (let i = 0; i < 20_000; i++) latency.recordValue(1000 + (i % 500));
  const intervals = Array.from({ length: 10 }, (_, k) => ({
    t: k + 1,
    seconds: 1,
    sent: 2000,
    acked: 2000,
    errors: 0,
    bytes: 200_000,
    histograms: new Map(),
  }));
  intervals.push({
    t: 10.01,
    seconds: 0.01,
    sent: 0,
    acked: 2,
    errors: 0,
    bytes: 200,
    histograms: new Map(),
  });
  const result = buildResult({
    command: 'produce',
    broker: { kind: 'kafka', target: '127.0.0.1:9092' },
    settings: {
      topic: 't',
      rate: 2000,
      numRecords: null,
      durationSeconds: 10,
      intervalSeconds: 1,
      kafka: { acks: 'all' },
    },
    targetRate: 2000,
    sent: 20_000,
    acked: 20_000,
    errors: 0,
    bytes: 2_000_000,
    durationSeconds: 10.01,
    startTime: new Date('2026-01-01T00:00:00Z'),
    endTime: new Date('2026-01-01T00:00:10Z'),
    interrupted: false,
    histograms: new Map([['latency', latency]]),
    intervals,
    maxSendDelayMs: 5,
    backpressureWaits: 0,
    errorMessages: [],
  });
  const gate = (expression: string, passed: boolean): GateOutcome => ({
    expression,
    metric: 'latency.p99',
    measured: 1.4,
    unit: 'ms',
    passed,
    message: passed ? 'ok' : 'too slow',
  });
  result.gates = [
    gate('p99<1ms', false),
    gate('p50<1ms', false),
    gate('p99<10ms', true),
    gate('errors==0', true),
    gate('throughput>1000', true),
  ];
  return result;
}

describe('HTML report (issue 12 item 8)', () => {
  it('charts full intervals only: the stray 10 ms tail is not a collapse to 200 msg/s', () => {
    const result = steadyRun();
    assert.equal(result.intervals[10]!.rate, 200);
    const drawn = fullIntervals(result);
    assert.equal(drawn.length, 10);
    assert.ok(drawn.every((i) => i.rate === 2000));
  });

  it('shows the gates and a verdict that says 2 of 5 failed, not a green "valid"', () => {
    const html = renderReport(steadyRun());
    assert.match(html, /<td id="verdict"><span class="bad">FAILED<\/span> — 2 of 5 gates failed<\/td>/);
    assert.match(html, /<table id="gates">/);
    assert.equal((html.match(/<span class="bad">FAIL<\/span>/g) ?? []).length, 2);
  });

  it('settings read like the summary: words, flattened, no null', () => {
    assert.deepEqual(readableSettings(steadyRun().settings), [
      ['topic', 't'],
      ['rate', '2000'],
      ['duration seconds', '10'],
      ['interval seconds', '1'],
      ['kafka acks', 'all'],
    ]);
    assert.doesNotMatch(renderReport(steadyRun()), /null/);
  });

  it('renders in headless Chromium: the verdict and the gates are on the page, and the screenshot is drawn', () => {
    const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
    assert.ok(chromium, 'Chromium is missing: apt-get install -y chromium (.ci/run installs it)');
    const dir = tempDir('perftruth-report-');
    const page = join(dir, 'report.html');
    const png = join(dir, 'report.png');
    writeFileSync(page, renderReport(steadyRun()));
    const common = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
    ];
    const dom = spawnSync(chromium, [...common, '--dump-dom', `file://${page}`], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(dom.status, 0, dom.stderr);
    assert.match(dom.stdout, /FAILED<\/span> — 2 of 5 gates failed/);
    assert.match(dom.stdout, /<svg/);
    const shot = spawnSync(
      chromium,
      [...common, '--window-size=1100,1800', `--screenshot=${png}`, `file://${page}`],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(shot.status, 0, shot.stderr);
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    // width and height from the IHDR chunk
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [1100, 1800]);
    assert.ok(statSync(png).size > 20_000, 'a blank page compresses to a few KB; the charts do not');
    process.stdout.write(`# screenshot: ${png}\n`);
  });
});
