import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { prometheusOptionsFromFlags } from '../../src/cli/flags/lag';
import { MqctlError } from '../../src/core/errors';
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
import { tempDir } from '../helpers/tmp';

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
  const report = () =>
    new LagHistory().observe(
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
        // Never committed: log 3..9 retained.
        row({
          partition: 1,
          committedOffset: null,
          logStartOffset: 3,
          logEndOffset: 9,
          lag: null,
          progress: null,
        }),
      ]),
    );

  it('parses with a real parser; cluster_name everywhere; never-committed partitions count the retained log', async () => {
    const families = parsePrometheusTextFormat(await renderPrometheus(report(), { clusterName: 'prod' }));
    const byName = new Map(families.map((f) => [f.name, f]));
    const lag = byName.get('mqctl_consumergroup_lag')!;
    assert.equal(lag.type, 'GAUGE');
    assert.deepEqual(
      lag.metrics.map((m) => [m.labels!.partition, m.value]),
      [
        ['0', '6'],
        ['1', '6'],
      ],
    );
    assert.equal(lag.metrics[0]!.labels!.client_id, 'c"lient');
    assert.equal(lag.metrics[0]!.labels!.kind, 'kafka');
    assert.equal(byName.get('mqctl_consumergroup_offset')!.metrics.length, 1, 'no offset without a commit');
    assert.equal(byName.get('mqctl_consumergroup_lag_seconds')!.metrics[0]!.value, '2.5');
    assert.equal(byName.get('mqctl_consumergroup_sum_lag')!.metrics[0]!.value, '12');
    assert.equal(byName.get('mqctl_consumergroup_max_lag')!.metrics[0]!.value, '6');
    assert.equal(byName.get('mqctl_consumergroup_topic_sum_lag')!.metrics[0]!.value, '12');
    assert.equal(byName.get('mqctl_consumergroup_uncommitted_partitions')!.metrics[0]!.value, '1');
    assert.equal(byName.get('mqctl_partition_latest_offset')!.metrics.length, 2);
    for (const family of families)
      for (const m of family.metrics)
        assert.equal(m.labels!.cluster_name, 'prod', `${family.name} has cluster_name`);
  });

  it('the status is a number on one series per group, not a label whose value changes', async () => {
    const families = parsePrometheusTextFormat(await renderPrometheus(report()));
    const status = families.find((f) => f.name === 'mqctl_consumergroup_status')!;
    assert.equal(status.metrics.length, 1);
    assert.deepEqual(Object.keys(status.metrics[0]!.labels!).sort(), ['cluster_name', 'group', 'kind']);
    assert.equal(status.metrics[0]!.value, '2', 'LAGGING is 2 (one snapshot over a threshold)');
    assert.equal(status.metrics[0]!.labels!.cluster_name, 'test', 'default cluster_name: the report target');
  });

  it('--metric-names kafka-lag-exporter: its exact names and label set', async () => {
    const families = parsePrometheusTextFormat(
      await renderPrometheus(report(), { naming: 'kafka-lag-exporter', clusterName: 'prod' }),
    );
    const byName = new Map(families.map((f) => [f.name, f]));
    // Names and labels as kafka-lag-exporter documents them.
    const rowLabels = [
      'client_id',
      'cluster_name',
      'consumer_id',
      'group',
      'member_host',
      'partition',
      'topic',
    ];
    for (const name of [
      'kafka_consumergroup_group_lag',
      'kafka_consumergroup_group_offset',
      'kafka_consumergroup_group_lag_seconds',
    ])
      assert.deepEqual(Object.keys(byName.get(name)!.metrics[0]!.labels!).sort(), rowLabels, name);
    for (const name of [
      'kafka_consumergroup_group_max_lag',
      'kafka_consumergroup_group_sum_lag',
      'kafka_consumergroup_group_max_lag_seconds',
    ])
      assert.deepEqual(
        Object.keys(byName.get(name)!.metrics[0]!.labels!).sort(),
        ['cluster_name', 'group'],
        name,
      );
    assert.deepEqual(
      Object.keys(byName.get('kafka_consumergroup_group_topic_sum_lag')!.metrics[0]!.labels!).sort(),
      ['cluster_name', 'group', 'topic'],
    );
    for (const name of ['kafka_partition_latest_offset', 'kafka_partition_earliest_offset'])
      assert.deepEqual(
        Object.keys(byName.get(name)!.metrics[0]!.labels!).sort(),
        ['cluster_name', 'partition', 'topic'],
        name,
      );
    assert.equal(byName.get('kafka_consumergroup_group_sum_lag')!.metrics[0]!.value, '12');
    assert.ok(byName.has('mqctl_consumergroup_status'), 'metrics without an equivalent keep mqctl names');
    assert.equal([...byName.keys()].filter((n) => n.startsWith('mqctl_consumergroup_lag')).length, 0);
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
    assert.match(csv[0]!, /^kind,group,topic,partition,committedOffset/);
  });
});

describe('lag -o prometheus and lag serve: one naming and cluster_name', () => {
  const naming = { 'metric-names': 'mqctl' as const };
  it('cluster_name: --cluster-name, else the context in use, else none (the renderer uses the address)', () => {
    const fromConfig = { name: 'prod', source: 'config' as const };
    assert.deepEqual(prometheusOptionsFromFlags(naming, fromConfig), {
      naming: 'mqctl',
      clusterName: 'prod',
    });
    assert.equal(
      prometheusOptionsFromFlags({ ...naming, 'cluster-name': 'eu-1' }, fromConfig).clusterName,
      'eu-1',
    );
    for (const source of ['flags', 'env'] as const)
      assert.equal(prometheusOptionsFromFlags(naming, { name: '(flags)', source }).clusterName, undefined);
    assert.equal(
      prometheusOptionsFromFlags({ 'metric-names': 'kafka-lag-exporter' }, fromConfig).naming,
      'kafka-lag-exporter',
    );
  });

  it('renderLagReport passes them to the exposition', async () => {
    const report = new LagHistory().observe(snapshot([row({ lag: 3, committedOffset: 1, logEndOffset: 4 })]));
    const text = await renderLagReport(
      report,
      'prometheus',
      { color: false },
      {
        watching: false,
        prometheus: { naming: 'kafka-lag-exporter', clusterName: 'prod' },
      },
    );
    assert.match(text, /^kafka_consumergroup_group_sum_lag\{cluster_name="prod",group="g"\} 3$/m);
    const plain = await renderLagReport(report, 'prometheus', { color: false }, { watching: false });
    assert.match(plain, /^mqctl_consumergroup_sum_lag\{cluster_name="test",kind="kafka",group="g"\} 3$/m);
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
    const file = join(tempDir('mqctl-lag-'), 'plan.csv');
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

describe('verdicts that must not reassure (issue 12, Burrow rules)', () => {
  it('a group with no members whose lag grows 0 → 2,208 is STALLED, not "reached zero lag within the window"', () => {
    const w = window([500, 500, 500, 500, 500], [0, 400, 900, 1500, 2208]);
    const v = evaluateWindow(w, nowAfter(w), 3, { members: 0 });
    assert.equal(v.status, 'STALLED');
    assert.match(v.reason, /no members consuming; lag grew from 0 to 2208/);
    // the same samples with a live member keep Burrow's rule 1 (it caught up inside the window)
    assert.equal(evaluateWindow(w, nowAfter(w), 3, { members: 1 }).status, 'OK');
  });
  it('a group with no members whose lag stays at zero is OK (nothing to read)', () => {
    const w = window([500, 500, 500, 500], [0, 0, 0, 0]);
    assert.equal(evaluateWindow(w, nowAfter(w), 3, { members: 0 }).status, 'OK');
  });
  it('watching a memberless group: the verdict turns as soon as its lag grows, not 10 refreshes later', () => {
    const history = new LagHistory();
    const lags = [0, 0, 0, 736, 1472, 2208];
    let last;
    for (const [i, lag] of lags.entries()) {
      last = history.observe({
        kind: 'kafka',
        target: 'test',
        takenAt: 1_000_000 + i * 5000,
        rows: [row({ committedOffset: 100, logEndOffset: 100 + lag, lag, progress: 100 })],
        groups: [{ group: 'g', state: 'Empty', members: 0 }],
      });
      if (lag > 0) assert.notEqual(last.groups[0]!.status, 'OK', `refresh ${i}: lag ${lag}`);
    }
    assert.equal(last!.groups[0]!.status, 'STALLED');
  });
  it('partitions never committed count every retained record: in TOTAL-LAG, the verdict and Prometheus', async () => {
    const report = new LagHistory().observe(
      snapshot([
        row({ partition: 0, committedOffset: 10, logEndOffset: 10, lag: 0, progress: 10 }),
        // what the Kafka source reports for a partition the group never committed: log end − log start
        row({
          partition: 1,
          committedOffset: null,
          logStartOffset: 0,
          logEndOffset: 13_333,
          lag: 13_333,
          progress: null,
        }),
      ]),
    );
    const g = report.groups[0]!;
    assert.equal(g.totalLag, 13_333);
    assert.equal(g.rowsWithoutCommit, 1);
    assert.notEqual(g.status, 'OK');
    assert.match(g.reason ?? '', /never committed: 13333 records unread/);
    const text = await renderPrometheus(report);
    const lagLine = text.split('\n').find((l) => /consumergroup_lag\{.*partition="1"/.test(l));
    assert.ok(lagLine, `partition 1 missing from the Prometheus output:\n${text}`);
    assert.match(lagLine, / 13333$/);
  });
  it('a committed offset below the log start is ERR and says how many records expired unread', () => {
    const report = new LagHistory().observe(
      snapshot([
        row({
          committedOffset: 100,
          logStartOffset: 350,
          logEndOffset: 400,
          lag: 300,
          progress: 100,
          expiredUnread: 250,
        }),
      ]),
    );
    const g = report.groups[0]!;
    assert.equal(g.status, 'ERR');
    assert.equal(g.expiredUnread, 250);
    assert.match(g.reason ?? '', /250 records expired unread/);
  });
});
