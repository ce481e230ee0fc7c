import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LagReport } from '../../src/lag/model';
import { evaluateThresholds, hasThresholds, summarizeBreaches } from '../../src/lag/thresholds';
import {
  DEFAULT_MIN_SAMPLES,
  evaluateWindow,
  statusCode,
  worstStatus,
  type LagSample,
} from '../../src/lag/verdict';

/** Samples every 10 s from t=0. */
function samples(progress: Array<number | null>, lag: Array<number | null>): LagSample[] {
  return progress.map((p, i) => ({ at: i * 10_000, progress: p, lag: lag[i]! }));
}

describe('Burrow verdict: the edges of each rule', () => {
  it('three samples are the default minimum for a trend; two are LAGGING, three can be WARN', () => {
    assert.equal(DEFAULT_MIN_SAMPLES, 3);
    const growing = samples([1, 2, 3], [10, 20, 30]);
    assert.equal(evaluateWindow(growing.slice(0, 2), 20_000).status, 'LAGGING');
    assert.deepEqual(evaluateWindow(growing, 30_000), {
      status: 'WARN',
      reason: 'lag grew from 10 to 30 over 30.0s',
    });
    // a caller's own minimum
    assert.equal(evaluateWindow(growing, 30_000, 4).status, 'LAGGING');
    assert.equal(evaluateWindow(growing.slice(0, 2), 20_000, 2).status, 'WARN');
  });

  it('samples without a lag do not count towards the minimum', () => {
    const w = samples([1, 2, 3, 4], [null, null, 20, 30]);
    assert.equal(evaluateWindow(w, 40_000).status, 'LAGGING');
  });

  it('negative lag (offsets read a moment apart) is caught up, not a trend', () => {
    assert.deepEqual(evaluateWindow(samples([1, 2, 3], [5, 6, -1]), 30_000), {
      status: 'OK',
      reason: 'caught up',
    });
  });

  it('a rewind is found across samples without a committed offset', () => {
    const v = evaluateWindow(samples([50, null, 40], [5, 6, 7]), 30_000);
    assert.deepEqual(v, { status: 'ERR', reason: 'offset went back from 50 to 40' });
  });

  it('STALL needs the minimum number of samples with progress', () => {
    // two samples with an offset, both the same: not enough to call it stalled; lag grows: WARN
    assert.equal(evaluateWindow(samples([7, 7, null], [5, 6, 7]), 30_000).status, 'WARN');
    assert.deepEqual(evaluateWindow(samples([7, 7, 7], [5, 6, 7]), 30_000), {
      status: 'STALLED',
      reason: 'no progress for 30.0s while lag is 7',
    });
  });

  it('STOP: stalled only when the stop lasted longer than the movement before it', () => {
    // moved from t=0 to t=10 s (10 s of movement), then still: stalled once now - 10 s > 10 s
    const w = samples([1, 2, 2], [9, 8, 8]);
    assert.equal(evaluateWindow(w, 20_000).status, 'OK', 'stopped 10 s after 10 s of movement: not yet');
    assert.deepEqual(evaluateWindow(w, 20_001), {
      status: 'STALLED',
      reason: 'progress stopped 10.0s ago while lag is 8',
    });
  });

  it('WARN needs lag that never decreased and ended higher than it started', () => {
    assert.equal(
      evaluateWindow(samples([1, 2, 3], [10, 10, 10]), 30_000).status,
      'OK',
      'flat lag is not growth',
    );
    assert.equal(
      evaluateWindow(samples([1, 2, 3], [10, 9, 30]), 30_000).status,
      'OK',
      'one decrease: not WARN',
    );
    assert.deepEqual(evaluateWindow(samples([1, 2, 3], [10, 9, 9]), 30_000), {
      status: 'OK',
      reason: 'consuming; lag 9',
    });
  });

  it('the empty window and a last sample without a commit are UNKNOWN', () => {
    assert.deepEqual(evaluateWindow([], 0), { status: 'UNKNOWN', reason: 'no committed offset' });
    assert.equal(evaluateWindow(samples([1, 2, null], [3, 4, null]), 30_000).status, 'UNKNOWN');
  });

  it('status codes follow Burrow: 0 unknown, 1 OK, 2 lagging, 3 warn, 4 stalled, 5 err; worst wins', () => {
    const codes = { UNKNOWN: 0, OK: 1, LAGGING: 2, WARN: 3, STALLED: 4, ERR: 5 } as const;
    for (const [status, code] of Object.entries(codes))
      assert.equal(statusCode(status as keyof typeof codes), code);
    assert.equal(worstStatus([]), 'UNKNOWN');
    assert.equal(worstStatus(['OK', 'ERR', 'WARN']), 'ERR');
    assert.equal(worstStatus(['LAGGING', 'OK']), 'LAGGING');
    assert.equal(worstStatus(['STALLED', 'WARN']), 'STALLED');
  });
});

function report(groups: Array<Partial<LagReport['groups'][number]> & { group: string }>): LagReport {
  return { groups } as unknown as LagReport;
}

describe('lag thresholds: the edges', () => {
  it('a threshold breaches strictly above its value; a status at least as bad as --fail-on breaches', () => {
    const r = report([
      { group: 'a', totalLag: 100, maxTimeLagMs: 5000, status: 'WARN', reason: 'lag grew' },
      { group: 'b', totalLag: 101, maxTimeLagMs: null, status: 'STALLED', reason: '' },
    ]);
    assert.deepEqual(
      evaluateThresholds(r, { maxLag: 100 }).map((b) => b.group),
      ['b'],
    );
    assert.deepEqual(evaluateThresholds(r, { maxTimeLagMs: 5000 }), []);
    assert.deepEqual(evaluateThresholds(r, { maxTimeLagMs: 4999 }), [
      { group: 'a', what: 'time-lag', message: 'a time lag 5.00s > 5.00s' },
    ]);
    assert.deepEqual(
      evaluateThresholds(r, { failOn: 'warn' }).map((b) => b.message),
      ['a is WARN (lag grew)', 'b is STALLED'],
    );
    assert.deepEqual(
      evaluateThresholds(r, { failOn: 'stalled' }).map((b) => b.group),
      ['b'],
    );
    assert.deepEqual(evaluateThresholds(r, { failOn: 'err' }), []);
  });

  it('hasThresholds is true when any one is set', () => {
    assert.equal(hasThresholds({}), false);
    assert.equal(hasThresholds({ maxLag: 0 }), true);
    assert.equal(hasThresholds({ maxTimeLagMs: 0 }), true);
    assert.equal(hasThresholds({ failOn: 'err' }), true);
  });

  it('the summary shows the first three and counts the rest', () => {
    const breaches = [1, 2, 3, 4, 5].map((i) => ({ group: `g${i}`, what: 'lag' as const, message: `m${i}` }));
    assert.equal(summarizeBreaches(breaches), 'lag threshold breached: m1; m2; m3; and 2 more');
    assert.equal(summarizeBreaches(breaches.slice(0, 3)), 'lag threshold breached: m1; m2; m3');
    assert.equal(summarizeBreaches(breaches, 1), 'lag threshold breached: m1; and 4 more');
  });
});

describe('Burrow verdict: windows that do not start at t=0', () => {
  /** Samples every 10 s from t=100 s. */
  function late(progress: number[], lag: number[]): LagSample[] {
    return progress.map((p, i) => ({ at: 100_000 + i * 10_000, progress: p, lag: lag[i]! }));
  }

  it('no members but lag falling is not STALLED: the consumer that left caught up before it did', () => {
    assert.deepEqual(evaluateWindow(late([1, 2, 3], [9, 7, 5]), 120_000, 3, { members: 0 }), {
      status: 'OK',
      reason: 'consuming; lag 5',
    });
  });

  it('progress that stopped longer ago than it moved is STALLED, measured from the first sample', () => {
    // moved from 100 s to 110 s, then nothing until 130 s: stopped 20 s > moved 10 s
    assert.deepEqual(evaluateWindow(late([1, 2, 2, 2], [10, 11, 12, 13]), 130_000), {
      status: 'STALLED',
      reason: 'progress stopped 20.0s ago while lag is 13',
    });
    // moved from 100 s to 120 s, stopped 10 s: still consuming, lag grew → WARN over the 30 s window
    assert.deepEqual(evaluateWindow(late([1, 2, 3, 3], [10, 11, 12, 13]), 130_000), {
      status: 'WARN',
      reason: 'lag grew from 10 to 13 over 30.0s',
    });
  });

  it('the spans in reasons are from the first sample to now', () => {
    assert.deepEqual(evaluateWindow(late([1, 2, 3], [10, 20, 30]), 120_000), {
      status: 'WARN',
      reason: 'lag grew from 10 to 30 over 20.0s',
    });
    assert.deepEqual(evaluateWindow(late([4, 4, 4], [5, 5, 5]), 125_000), {
      status: 'STALLED',
      reason: 'no progress for 25.0s while lag is 5',
    });
  });
});
