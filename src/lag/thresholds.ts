import { formatDuration } from '../util/duration';
import { STATUS_RANK, type LagReport, type LagStatus } from './model';

export type FailOn = 'warn' | 'stalled' | 'err';

export interface LagThresholds {
  /** A group's total lag (messages) above this breaches. */
  maxLag?: number;
  /** Any row's time lag above this (ms) breaches. */
  maxTimeLagMs?: number;
  /** A group status at least this bad breaches. */
  failOn?: FailOn;
}

export interface Breach {
  group: string;
  what: 'lag' | 'time-lag' | 'status';
  message: string;
}

const FAIL_ON_STATUS: Record<FailOn, LagStatus> = { warn: 'WARN', stalled: 'STALLED', err: 'ERR' };

export function hasThresholds(t: LagThresholds): boolean {
  return t.maxLag !== undefined || t.maxTimeLagMs !== undefined || t.failOn !== undefined;
}

/** Every threshold a report breaches, one entry per group and kind of breach. */
export function evaluateThresholds(report: LagReport, t: LagThresholds): Breach[] {
  const breaches: Breach[] = [];
  for (const g of report.groups) {
    if (t.maxLag !== undefined && g.totalLag > t.maxLag) {
      breaches.push({ group: g.group, what: 'lag', message: `${g.group} lag ${g.totalLag} > ${t.maxLag}` });
    }
    if (t.maxTimeLagMs !== undefined && g.maxTimeLagMs !== null && g.maxTimeLagMs > t.maxTimeLagMs) {
      breaches.push({
        group: g.group,
        what: 'time-lag',
        message: `${g.group} time lag ${formatDuration(g.maxTimeLagMs)} > ${formatDuration(t.maxTimeLagMs)}`,
      });
    }
    if (t.failOn && STATUS_RANK[g.status] >= STATUS_RANK[FAIL_ON_STATUS[t.failOn]]) {
      breaches.push({
        group: g.group,
        what: 'status',
        message: `${g.group} is ${g.status}${g.reason ? ` (${g.reason})` : ''}`,
      });
    }
  }
  return breaches;
}

/** One line for stderr and the exit-99 error: what breached, the first few, and how many more. */
export function summarizeBreaches(breaches: readonly Breach[], shown = 3): string {
  const head = breaches.slice(0, shown).map((b) => b.message);
  const more = breaches.length > shown ? `; and ${breaches.length - shown} more` : '';
  return `lag threshold breached: ${head.join('; ')}${more}`;
}
