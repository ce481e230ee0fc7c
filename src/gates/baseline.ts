import { UsageError } from '../core/errors';
import { parsePercent } from './expression';
import type { GateOutcomeDetail } from './evaluate';
import {
  histogramMetric,
  measure,
  METRIC_HINT,
  parseMetric,
  scalarMetric,
  type MetricRef,
  type MetricSource,
} from './metrics';
import { DISPLAY_UNIT, formatChange, formatValue, toDisplay } from './units';

/**
 * Baselines: compare a run with a stored result and fail when a metric got worse by more than an allowed
 * fraction (`--max-regression 10%`, per metric `--max-regression p99=20%`). "Worse" follows the metric:
 * latency and errors up, throughput down.
 */

export interface RegressionPolicy {
  /** allowed regression as a fraction (0.1 = 10%) for the default metric set */
  defaultMax: number;
  /** per-metric allowances by canonical metric name; these metrics are always compared */
  perMetric: Map<string, { metric: MetricRef; max: number }>;
}

export const DEFAULT_MAX_REGRESSION = 0.1;

/** Metrics compared by default: the ones a CI gate on a load test is about. */
export function defaultBaselineMetrics(): MetricRef[] {
  return [
    scalarMetric('throughput'),
    histogramMetric('latency', { type: 'percentile', percentile: 50 }),
    histogramMetric('latency', { type: 'percentile', percentile: 99 }),
    histogramMetric('latency', { type: 'percentile', percentile: 99.9 }),
    histogramMetric('e2e', { type: 'percentile', percentile: 99 }),
  ];
}

/** Parses repeated `--max-regression` values: `10%` (the default) and `METRIC=PCT` overrides. */
export function parseRegressionPolicy(values: readonly string[] | undefined): RegressionPolicy {
  const policy: RegressionPolicy = { defaultMax: DEFAULT_MAX_REGRESSION, perMetric: new Map() };
  let defaultSeen = false;
  for (const raw of values ?? []) {
    for (const part of raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const eq = part.indexOf('=');
      if (eq < 0) {
        if (defaultSeen) throw new UsageError(`--max-regression given twice without a metric ("${part}")`);
        policy.defaultMax = parsePercent(part, '--max-regression');
        defaultSeen = true;
        continue;
      }
      const name = part.slice(0, eq);
      const metric = parseMetric(name);
      if (!metric) {
        throw new UsageError(`--max-regression: unknown metric "${name}"`, { hint: METRIC_HINT });
      }
      policy.perMetric.set(metric.name, {
        metric,
        max: parsePercent(part.slice(eq + 1), `--max-regression ${name}`),
      });
    }
  }
  return policy;
}

export interface MetricComparison {
  metric: MetricRef;
  /** internal units (µs, msg/s, ...) or null when that run has no samples */
  baseline: number | null;
  current: number | null;
  /** (current − baseline) / baseline; null when either is missing; ±Infinity from a zero baseline */
  change: number | null;
  /** the change in the bad direction (positive = worse), as a fraction */
  regression: number | null;
  verdict: 'better' | 'worse' | 'same' | 'n/a';
}

export function compareMetric(
  metric: MetricRef,
  baseline: MetricSource,
  current: MetricSource,
): MetricComparison {
  const b = measure(baseline, metric).value;
  const c = measure(current, metric).value;
  if (b === null || c === null)
    return { metric, baseline: b, current: c, change: null, regression: null, verdict: 'n/a' };
  const change = b === 0 ? (c === 0 ? 0 : c > 0 ? Infinity : -Infinity) : (c - b) / Math.abs(b);
  const regression = metric.better === 'lower' ? change : -change;
  const verdict = regression === 0 ? 'same' : regression > 0 ? 'worse' : 'better';
  return { metric, baseline: b, current: c, change, regression, verdict };
}

/** Baseline gates: one outcome per compared metric. Default metrics missing from the baseline are skipped. */
export function baselineOutcomes(
  baseline: MetricSource,
  current: MetricSource,
  policy: RegressionPolicy,
  baselineLabel = 'baseline',
): GateOutcomeDetail[] {
  const checks: Array<{ metric: MetricRef; max: number; explicit: boolean }> = [];
  for (const metric of defaultBaselineMetrics()) {
    if (!policy.perMetric.has(metric.name)) checks.push({ metric, max: policy.defaultMax, explicit: false });
  }
  for (const { metric, max } of policy.perMetric.values()) checks.push({ metric, max, explicit: true });

  const outcomes: GateOutcomeDetail[] = [];
  for (const { metric, max, explicit } of checks) {
    const cmp = compareMetric(metric, baseline, current);
    // e2e is compared by default only when both runs measured it
    if (!explicit && cmp.baseline === null) continue;
    const label = metric.name.replace(/^latency\./, '');
    const expression = `${label} regression <= ${+(max * 100).toFixed(4)}% vs ${baselineLabel}`;
    const unit = DISPLAY_UNIT[metric.kind];
    const common = {
      kind: 'baseline' as const,
      expression,
      metric: metric.name,
      unit,
      threshold: max * 100,
      baseline: cmp.baseline === null ? null : toDisplay(metric.kind, cmp.baseline),
    };
    if (cmp.baseline === null || cmp.current === null) {
      const missing = cmp.current === null ? 'this run' : 'the baseline';
      outcomes.push({
        ...common,
        measured: cmp.current === null ? null : toDisplay(metric.kind, cmp.current),
        measuredText: formatValue(metric.kind, cmp.current),
        changePercent: null,
        passed: false,
        message: `${missing} has no samples for ${metric.name}: a gate over a metric with no samples fails`,
      });
      continue;
    }
    const passed = (cmp.regression ?? 0) <= max;
    outcomes.push({
      ...common,
      measured: toDisplay(metric.kind, cmp.current),
      measuredText: formatValue(metric.kind, cmp.current),
      changePercent: cmp.change === null || !Number.isFinite(cmp.change) ? null : cmp.change * 100,
      passed,
      message: `${label} ${formatValue(metric.kind, cmp.current)} vs ${baselineLabel} ${formatValue(metric.kind, cmp.baseline)} (${formatChange(cmp.change)}, ${cmp.verdict}; allowed regression ${+(max * 100).toFixed(4)}%)`,
    });
  }
  return outcomes;
}

/** The metrics `perf compare` shows side by side (rows where neither run has a value are dropped). */
export function compareTableMetrics(): MetricRef[] {
  const p = (percentile: number) => ({ type: 'percentile' as const, percentile });
  return [
    scalarMetric('throughput'),
    scalarMetric('mb_per_sec'),
    scalarMetric('sent'),
    scalarMetric('acked'),
    scalarMetric('received'),
    scalarMetric('errors'),
    scalarMetric('error_rate'),
    histogramMetric('latency', p(50)),
    histogramMetric('latency', p(90)),
    histogramMetric('latency', p(99)),
    histogramMetric('latency', p(99.9)),
    histogramMetric('latency', { type: 'max' }),
    histogramMetric('service', p(50)),
    histogramMetric('service', p(99)),
    histogramMetric('sendDelay', p(99)),
    histogramMetric('e2e', p(50)),
    histogramMetric('e2e', p(99)),
    histogramMetric('e2e', { type: 'max' }),
  ];
}

export interface CompareRow {
  metric: string;
  better: 'lower' | 'higher';
  a: number | null;
  b: number | null;
  aText: string;
  bText: string;
  unit: string;
  /** percent, b relative to a */
  changePercent: number | null;
  changeText: string;
  /** `count`: sent/acked/received follow from the runs' settings (10 s vs 8 s), they are not a regression */
  verdict: MetricComparison['verdict'] | 'count';
}

/** Changes within ±1 % are noise on a load test, not "better" or "worse" (perf compare --noise). */
export const DEFAULT_NOISE = 0.01;

/** Counts that depend on how long or how fast a run was asked to be, not on how well it went. */
const SETTING_COUNTS = new Set(['sent', 'acked', 'received']);

export function compareResults(
  a: MetricSource,
  b: MetricSource,
  extra: readonly MetricRef[] = [],
  noise = DEFAULT_NOISE,
): CompareRow[] {
  const metrics = [...compareTableMetrics()];
  for (const m of extra) if (!metrics.some((x) => x.name === m.name)) metrics.push(m);
  const rows: CompareRow[] = [];
  for (const metric of metrics) {
    const cmp = compareMetric(metric, a, b);
    if (cmp.baseline === null && cmp.current === null) continue;
    rows.push({
      metric: metric.name,
      better: metric.better,
      a: cmp.baseline === null ? null : toDisplay(metric.kind, cmp.baseline),
      b: cmp.current === null ? null : toDisplay(metric.kind, cmp.current),
      aText: formatValue(metric.kind, cmp.baseline),
      bText: formatValue(metric.kind, cmp.current),
      unit: DISPLAY_UNIT[metric.kind],
      changePercent: cmp.change === null || !Number.isFinite(cmp.change) ? null : cmp.change * 100,
      changeText: formatChange(cmp.change),
      verdict: SETTING_COUNTS.has(metric.name)
        ? 'count'
        : cmp.change !== null && Math.abs(cmp.change) <= noise
          ? 'same'
          : cmp.verdict,
    });
  }
  return rows;
}

/** Settings that differ between two runs (flattened keys), so a comparison never hides that they did. */
export function differingSettings(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Array<{ setting: string; a: string; b: string }> {
  const flat = (o: Record<string, unknown>, prefix = '', out = new Map<string, string>()) => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v))
        flat(v as Record<string, unknown>, key, out);
      else out.set(key, v === null || v === undefined ? '-' : String(v));
    }
    return out;
  };
  const fa = flat(a);
  const fb = flat(b);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  // the topic name is expected to differ between runs
  return keys
    .filter((k) => k !== 'topic' && (fa.get(k) ?? '-') !== (fb.get(k) ?? '-'))
    .map((k) => ({ setting: k, a: fa.get(k) ?? '-', b: fb.get(k) ?? '-' }));
}
