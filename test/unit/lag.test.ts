import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { MqctlError } from '../../src/cli/errors';
import type { LagRow, LagSnapshot } from '../../src/lag/model';
import {
  normalizeWatchArgv,
  parseResetCsv,
  parseResetDatetime,
  parseResetDuration,
  parseResetSpec,
  parseTopicPartitions,
  resetPlanCsv,
  writeResetPlan,
} from '../../src/lag/options';
import { renderPrometheus } from '../../src/lag/prometheus';
import { renderLagReport } from '../../src/lag/render';
import { LagHistory, eta } from '../../src/lag/report';
import { evaluateThresholds, summarizeBreaches } from '../../src/lag/thresholds';
import { EndOffsetTable } from '../../src/lag/time-lag';
import { evaluateWindow, worstStatus, type LagSample } from '../../src/lag/verdict';

/** A window sampled every 10 s from t=0: offsets and lags given per sample. */
function window(offsets: Array<number | null>, lags: Array<number | null>): LagSample[] {
  return offsets.map((progress, i) => ({ at: i * 10_000, progress, lag: lags[i]! }));
}
const nowAfter = (w: LagSample[], gapMs = 10_000) => w[w.length - 1]!.at + gapMs;

describe('Burrow verdict over a window', () => {
  it('one snapshot is OK at zero lag and LAGGING otherwise, never a trend', () => {
    assert.equal(evaluateWindow(window([5], [0]), 0).status, 'OK');
    assert.equal(evaluateWindow(window([5], [7]), 0).status, 'LAGGING');
    assert.equal(evaluateWindow(window([5, 5], [7, 9]), 10_000).status, 'LAGGING');
  });
  it('no committed offset is UNKNOWN, not zero lag', () => {
    assert.equal(evaluateWindow(window([null], [null]), 0).status, 'UNKNOWN');
  });
  it('rule 1: zero lag anywhere in the window is OK', () => {
    const w = window([10, 10, 10, 10], [3, 0, 5, 8]);
    assert.equal(evaluateWindow(w, nowAfter(w)).status, 'OK');
  });
  it('an offset lower than the one before is ERR (rewind)', () => {
    const w = window([100, 120, 90, 95], [50, 40, 80, 85]);
    const v = evaluateWindow(w, nowAfter(w));
    assert.equal(v.status, 'ERR');
    assert.match(v.reason, /went back from 120 to 90/);
  });
  it('no movement over the whole window while lagging is STALLED (Burrow STALL)', () => {
    const w = window([100, 100, 100, 100], [10, 20, 30, 40]);
    const v = evaluateWindow(w, nowAfter(w));
    assert.equal(v.status, 'STALLED');
    assert.match(v.reason, /no progress/);
  });
  it('movement that stopped longer ago than it lasted is STALLED (Burrow STOP)', () => {
    const w = window([10, 20, 30, 30, 30, 30, 30], [5, 5, 5, 6, 7, 8, 9]);
    // last move at t=20s, first at 0: stopped for 50s > 20s of movement
    assert.equal(evaluateWindow(w, nowAfter(w)).status, 'STALLED');
  });
  it('lag that never decreases and grows is WARN (slow consumer)', () => {
    const w = window([10, 20, 30, 40, 50], [100, 110, 120, 120, 130]);
    assert.equal(evaluateWindow(w, nowAfter(w, 1000)).status, 'WARN');
  });
  it('a consumer that moves and whose lag goes down is OK', () => {
    const w = window([10, 20, 30, 40, 50], [100, 90, 95, 80, 60]);
    assert.equal(evaluateWindow(w, nowAfter(w, 1000)).status, 'OK');
  });
  it('a group takes the worst status of its rows', () => {
    assert.equal(worstStatus(['OK', 'WARN', 'LAGGING']), 'WARN');
    assert.equal(worstStatus(['OK', 'ERR', 'STALLED']), 'ERR');
    assert.equal(worstStatus([]), 'UNKNOWN');
  });
});

describe('time lag interpolation (kafka-lag-exporter lookup table)', () => {
  it('interpolates between the bracketing points and says when it extrapolates', () => {
    const t = new EndOffsetTable(10);
    t.add(100, 1000);
    t.add(200, 2000);
    t.add(400, 3000);
    assert.deepEqual(t.lookup(150), { at: 1500, extrapolated: false });
    assert.deepEqual(t.lookup(300), { at: 2500, extrapolated: false });
    assert.deepEqual(t.lookup(400), { at: 3000, extrapolated: false });
    assert.equal(t.lookup(50)!.extrapolated, true);
  });
  it('ignores decreasing points, compresses flat runs and stays bounded', () => {
    const t = new EndOffsetTable(5);
    t.add(10, 1);
    t.add(5, 2);
    assert.equal(t.size, 1);
    for (let i = 0; i < 10; i++) t.add(10, 10 + i);
    assert.equal(t.size, 2);
    for (let i = 0; i < 100; i++) t.add(20 + i, 100 + i);
    assert.equal(t.size, 5);
    assert.equal(new EndOffsetTable().lookup(1), undefined);
  });
});

function row(partial: Partial<LagRow>): LagRow {
  return {
    kind: 'kafka',
    group: 'g',
    topic: 't',
    partition: 0,
    committedOffset: 0,
    logStartOffset: 0,
    logEndOffset: 0,
    lag: 0,
    timeLagMs: null,
    timeLagSource: 'unknown',
    owner: null,
    progress: 0,
    status: 'UNKNOWN',
    ...partial,
  };
}

function snapshot(rows: LagRow[], takenAt = 1_000_000): LagSnapshot {
  return {
    kind: 'kafka',
    target: 'test',
    takenAt,
    rows,
    groups: [{ group: 'g', state: 'Stable', members: 1 }],
  };
}

describe('history, totals and thresholds', () => {
  it('totals per group and topic; rows without a commit are counted apart, not as zero', () => {
    const report = new LagHistory().observe(
      snapshot([
        row({ partition: 0, committedOffset: 10, logEndOffset: 40, lag: 30, progress: 10 }),
        row({ partition: 1, committedOffset: 5, logEndOffset: 17, lag: 12, progress: 5 }),
        row({ partition: 2, committedOffset: null, logEndOffset: 9, lag: null, progress: null }),
        row({ topic: 'u', partition: 0, committedOffset: 3, logEndOffset: 3, lag: 0, progress: 3 }),
      ]),
    );
    const g = report.groups[0]!;
    assert.equal(g.totalLag, 42);
    assert.equal(g.maxLag, 30);
    assert.equal(g.rowsWithoutCommit, 1);
    assert.equal(g.status, 'LAGGING');
    assert.deepEqual(
      report.topics.map((t) => [t.topic, t.totalLag, t.partitions]),
      [
        ['t', 42, 3],
        ['u', 0, 1],
      ],
    );
    assert.equal(report.rows.find((r) => r.partition === 2)!.status, 'UNKNOWN');
  });

  it('rates, ETA and interpolated time lag come from samples; forgotten rows free their memory', () => {
    const h = new LagHistory({ window: 4 });
    let report;
    for (let i = 0; i < 6; i++) {
      report = h.observe(
        snapshot(
          [
            row({
              committedOffset: 100 + 20 * i,
              progress: 100 + 20 * i,
              logStartOffset: 500, // the record at the committed offset is gone
              logEndOffset: 300 + 10 * i,
              lag: 200 - 10 * i,
              timeLagSource: 'unknown',
            }),
          ],
          1_000_000 + i * 1000,
        ),
      );
    }
    const r = report!.rows[0]!;
    assert.equal(r.consumeRate, 20);
    assert.equal(r.produceRate, 10);
    assert.equal(r.etaSeconds, (200 - 50) / 10);
    assert.equal(eta(0, 0, 5), 0);
    assert.equal(eta(10, 5, 5), null);
    assert.equal(h.trackedRows, 1);
    h.observe({ ...snapshot([]), takenAt: 2_000_000 });
    assert.equal(h.trackedRows, 0);
  });

  it('thresholds: lag, time lag and status; a one-line summary', () => {
    const report = new LagHistory().observe(
      snapshot([
        row({ lag: 600, timeLagMs: 45_000, timeLagSource: 'record', committedOffset: 1, logEndOffset: 601 }),
      ]),
    );
    assert.deepEqual(evaluateThresholds(report, { maxLag: 600 }), []);
    assert.equal(evaluateThresholds(report, { maxLag: 599 })[0]!.what, 'lag');
    assert.equal(evaluateThresholds(report, { maxTimeLagMs: 30_000 })[0]!.what, 'time-lag');
    assert.deepEqual(evaluateThresholds(report, { maxTimeLagMs: 60_000 }), []);
    assert.deepEqual(evaluateThresholds(report, { failOn: 'warn' }), []); // LAGGING is below WARN
    const summary = summarizeBreaches(evaluateThresholds(report, { maxLag: 1, maxTimeLagMs: 1000 }));
    assert.match(summary, /^lag threshold breached: g lag 600 > 1; g time lag 45\.0s > 1\.00s$/);
    assert.ok(!summary.includes('\n'));
  });
});

describe('prometheus exposition', () => {
  it('parses with a real parser and carries the kafka-lag-exporter style metrics', async () => {
    const report = new LagHistory().observe(
      snapshot([
        row({
          partition: 0,
          committedOffset: 4,
          logEndOffset: 10,
          lag: 6,
          timeLagMs: 2500,
          timeLagSource: 'record',
          owner: { memberId: 'm-1', clientId: 'c"lient', host: '10.0.0.1' },
        }),
        row({ partition: 1, committedOffset: null, lag: null, progress: null }),
      ]),
    );
    const families = parsePrometheusTextFormat(await renderPrometheus(report));
    const byName = new Map(families.map((f) => [f.name, f]));
    const lag = byName.get('mqctl_consumergroup_lag')!;
    assert.equal(lag.type, 'GAUGE');
    assert.equal(lag.metrics.length, 1, 'a partition without a commit has no lag sample');
    assert.equal(lag.metrics[0]!.value, '6');
    assert.equal(lag.metrics[0]!.labels!.client_id, 'c"lient');
    assert.equal(byName.get('mqctl_consumergroup_lag_seconds')!.metrics[0]!.value, '2.5');
    assert.equal(byName.get('mqctl_consumergroup_sum_lag')!.metrics[0]!.value, '6');
    assert.equal(byName.get('mqctl_partition_latest_offset')!.metrics.length, 2);
    assert.equal(byName.get('mqctl_consumergroup_status')!.metrics[0]!.labels!.status, 'LAGGING');
  });

  it('every output format renders the same report', async () => {
    const report = new LagHistory().observe(snapshot([row({ lag: 3, committedOffset: 1, logEndOffset: 4 })]));
    const style = { color: false };
    assert.match(await renderLagReport(report, 'table', style, { watching: false }), /TOTAL-LAG/);
    assert.equal(
      JSON.parse(await renderLagReport(report, 'json', style, { watching: false })).groups[0].totalLag,
      3,
    );
    assert.match(await renderLagReport(report, 'yaml', style, { watching: false }), /totalLag: 3/);
    const csv = (await renderLagReport(report, 'csv', style, { watching: false })).split('\n');
    assert.equal(csv.length, 2);
    assert.match(csv[0]!, /^kind,group,topic,partition,committed_offset/);
  });
});

describe('lag options', () => {
  it('a bare --watch gets the default interval', () => {
    assert.deepEqual(normalizeWatchArgv(['--watch']), ['--watch=5s']);
    assert.deepEqual(normalizeWatchArgv(['--watch', '--group', 'g']), ['--watch=5s', '--group', 'g']);
    assert.deepEqual(normalizeWatchArgv(['--watch', '2s', '-g', 'g']), ['--watch', '2s', '-g', 'g']);
    assert.deepEqual(normalizeWatchArgv(['-w', 'x']), ['--watch=5s', 'x']);
  });
  it('topic:partitions, durations and timestamps', () => {
    assert.deepEqual(parseTopicPartitions('orders'), { topic: 'orders', partitions: [] });
    assert.deepEqual(parseTopicPartitions('orders:2,0-1'), { topic: 'orders', partitions: [0, 1, 2] });
    assert.deepEqual(parseTopicPartitions('persistent://public/default/x'), {
      topic: 'persistent://public/default/x',
      partitions: [],
    });
    assert.equal(parseResetDuration('PT1H30M'), 5_400_000);
    assert.equal(parseResetDuration('P1DT1S'), 86_401_000);
    assert.equal(parseResetDuration('90s'), 90_000);
    assert.equal(parseResetDatetime('2026-01-01T00:00:00'), Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(parseResetDatetime('1767225600'), 1_767_225_600_000);
    assert.equal(parseResetDatetime('1767225600123'), 1_767_225_600_123);
    assert.equal(parseResetDatetime('1767225600123456789'), 1_767_225_600_123);
  });
  it('exactly one reset target', () => {
    assert.deepEqual(parseResetSpec({ 'to-earliest': true }), { to: 'earliest' });
    assert.deepEqual(parseResetSpec({ 'shift-by': -5 }), { to: 'shift', by: -5 });
    assert.deepEqual(parseResetSpec({ 'by-duration': '1m' }, 100_000), { to: 'datetime', timestamp: 40_000 });
    assert.throws(
      () => parseResetSpec({}),
      (e: MqctlError) => e.exitCode === 2,
    );
    assert.throws(() => parseResetSpec({ 'to-earliest': true, 'to-offset': 3 }), /choose one reset target/);
  });
  it('--export writes what --from-file reads', () => {
    const plan = {
      kind: 'kafka' as const,
      group: 'g',
      spec: { to: 'earliest' as const },
      rows: [0, 1].map((p) => ({
        group: 'g',
        topic: 'orders',
        partition: p,
        currentOffset: 9,
        newOffset: p * 3,
        logStartOffset: 0,
        logEndOffset: 10,
      })),
    };
    const file = join(mkdtempSync(join(tmpdir(), 'mqctl-lag-')), 'plan.csv');
    writeResetPlan(file, plan);
    assert.equal(readFileSync(file, 'utf8'), resetPlanCsv(plan));
    assert.deepEqual(parseResetSpec({ 'from-file': file }), {
      to: 'file',
      entries: [
        { topic: 'orders', partition: 0, offset: 0 },
        { topic: 'orders', partition: 1, offset: 3 },
      ],
    });
    assert.deepEqual(parseResetCsv('group,topic,partition,offset\ng,t,1,5\n'), [
      { topic: 't', partition: 1, offset: 5 },
    ]);
    assert.throws(() => parseResetCsv('t,x,5'), /line 1/);
  });
});
