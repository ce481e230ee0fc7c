import {
  renderCsv,
  renderJson,
  renderKeyValues,
  renderObject,
  renderSections,
  renderTable,
  renderYaml,
  type Column,
  type OutputFormat,
  type RenderStyle,
} from '../core/output';
import type { PerfResult } from '../perf/result-schema';
import type { CompareRow } from './baseline';
import type { GateReport } from './index';

/** What `perf merge` and `perf compare` print (src/cli/gates-commands.ts runs them). */

/** A short human summary of a (merged) result. */
export function renderResultSummary(result: PerfResult, style: RenderStyle): string {
  const lat = result.latency?.latency;
  const e2e = result.latency?.e2e;
  const pairs: Array<[string, unknown]> = [
    ['broker', `${result.broker.kind} ${result.broker.target}`],
    ['merged from', result.mergedFrom?.length ? `${result.mergedFrom.length} results` : undefined],
    ['duration', `${result.durationSeconds.toFixed(1)} s`],
    ['target rate', result.targetRate === null ? '-' : `${result.targetRate} msg/s`],
    ['sent', result.sent],
    ['acked', result.acked],
    ['received', result.received],
    ['errors', result.errors],
    ['throughput', `${result.throughput.toFixed(1)} msg/s`],
    ['MB/s', result.mbPerSec.toFixed(3)],
    ['valid', result.valid ? 'yes' : `no: ${result.invalidReason ?? ''}`],
    [
      'latency (ms)',
      lat
        ? `p50 ${lat.p50}  p99 ${lat.p99}  p99.9 ${lat.p999}  max ${lat.max}  (${lat.count} samples)`
        : undefined,
    ],
    [
      'e2e (ms)',
      e2e
        ? `p50 ${e2e.p50}  p99 ${e2e.p99}  p99.9 ${e2e.p999}  max ${e2e.max}  (${e2e.count} samples)`
        : undefined,
    ],
  ];
  return renderKeyValues(
    pairs.filter(([, v]) => v !== undefined),
    style,
  );
}

/** `perf merge`: the merged result and its gates, in the requested output format. */
export function renderMergeOutcome(
  merged: PerfResult,
  report: GateReport,
  format: OutputFormat,
  style: RenderStyle,
): string {
  switch (format) {
    case 'json':
      return renderJson(merged);
    case 'yaml':
      return renderYaml(merged);
    case 'csv':
      return renderCsv(report.outcomes, [
        { header: 'gate', get: (o) => o.expression },
        { header: 'measured', get: (o) => o.measured },
        { header: 'unit', get: (o) => o.unit },
        { header: 'passed', get: (o) => o.passed },
        { header: 'message', get: (o) => o.message },
      ]);
    case 'table':
      return renderSections(
        [
          { title: 'merged result', body: renderResultSummary(merged, style) },
          {
            title: 'gates',
            body: report.outcomes.length ? `${report.table}\n${report.summaryLine}` : '',
          },
        ],
        style,
      );
  }
}

/** What `perf compare` shows: A and B side by side, the settings that differ, and the gates on B. */
export interface CompareView {
  a: string;
  b: string;
  rows: CompareRow[];
  settings: Array<{ setting: string; a: string; b: string }>;
  report: GateReport;
  gated: boolean;
}

const COMPARE_COLUMNS: Column<CompareRow>[] = [
  { header: 'METRIC', get: (r) => r.metric },
  { header: 'A', get: (r) => r.aText, align: 'right' },
  { header: 'B', get: (r) => r.bText, align: 'right' },
  { header: 'CHANGE', get: (r) => r.changeText, align: 'right' },
  { header: 'VERDICT', get: (r) => r.verdict },
];

const COMPARE_CSV_COLUMNS: Column<CompareRow>[] = [
  { header: 'metric', get: (r) => r.metric },
  { header: 'a', get: (r) => r.a },
  { header: 'b', get: (r) => r.b },
  { header: 'unit', get: (r) => r.unit },
  { header: 'changePercent', get: (r) => r.changePercent },
  { header: 'verdict', get: (r) => r.verdict },
];

/** `perf compare` in the requested output format. */
export function renderCompare(outcome: CompareView, format: OutputFormat, style: RenderStyle): string {
  if (format !== 'table') {
    const doc = {
      a: outcome.a,
      b: outcome.b,
      settingsDiffer: outcome.settings,
      rows: outcome.rows,
      gates: outcome.report.outcomes,
      passed: outcome.report.passed,
    };
    return renderObject(format, doc, outcome.rows, COMPARE_CSV_COLUMNS, style);
  }
  return renderSections(
    [
      {
        title: 'compare',
        body: `A: ${outcome.a}\nB: ${outcome.b}\n\n${renderTable(outcome.rows, COMPARE_COLUMNS, style)}`,
      },
      {
        title: 'settings differ (the runs are different experiments)',
        body: outcome.settings.length
          ? renderTable(
              outcome.settings,
              [
                { header: 'SETTING', get: (r) => r.setting },
                { header: 'A', get: (r) => r.a, align: 'right' },
                { header: 'B', get: (r) => r.b, align: 'right' },
              ],
              style,
            )
          : '',
      },
      {
        title: 'gates',
        body: outcome.gated ? `${outcome.report.table}\n${outcome.report.summaryLine}` : '',
      },
    ],
    style,
  );
}
