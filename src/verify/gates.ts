import { appendFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ThresholdError, UsageError } from '../core/errors';
import { redact } from '../core/redact';
import { compare, type Operator } from '../gates/expression';
import type { GateOutcomeDetail } from '../gates/evaluate';
import { escapeXml, gateSummaryLine } from '../gates/report';
import type { VerifyResult } from './run';

/**
 * Gates over a verify result, in the perf gates' syntax (`lost==0`, `duplicated<=10`, `reordered==0`) and
 * with the perf gates' outcome shape, table, exit code 99, JUnit and Markdown. The metrics are counts.
 */
export const VERIFY_METRICS = {
  sent: (r: VerifyResult) => r.sent,
  acknowledged: (r: VerifyResult) => r.acknowledged,
  acked: (r: VerifyResult) => r.acknowledged,
  refused: (r: VerifyResult) => r.refused,
  received: (r: VerifyResult) => r.received,
  lost: (r: VerifyResult) => r.lost,
  unconfirmed: (r: VerifyResult) => r.unconfirmed,
  unconfirmed_delivered: (r: VerifyResult) => r.unconfirmedDelivered,
  unconfirmed_not_delivered: (r: VerifyResult) => r.unconfirmedNotDelivered,
  duplicated: (r: VerifyResult) => r.duplicated,
  duplicate_deliveries: (r: VerifyResult) => r.duplicateDeliveries,
  stored_twice: (r: VerifyResult) => r.duplicatedStoredTwice,
  redelivered: (r: VerifyResult) => r.duplicatedRedelivered,
  reordered: (r: VerifyResult) => r.reordered,
  outages: (r: VerifyResult) => r.outages.length,
  outage_seconds: (r: VerifyResult) => r.outages.reduce((max, w) => Math.max(max, w.seconds), 0),
} as const;
export type VerifyMetric = keyof typeof VERIFY_METRICS;

export interface VerifyGate {
  expression: string;
  metric: VerifyMetric;
  op: Operator;
  threshold: number;
}

const HINT = `metrics: ${Object.keys(VERIFY_METRICS).join(', ')}; e.g. lost==0, duplicated<=10`;

/** Parses `METRIC OP NUMBER`; a usage error (exit 2) before anything is sent. */
export function parseVerifyGate(text: string): VerifyGate {
  const expression = text.trim();
  const m = /^([a-z_]+)\s*(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)?)$/.exec(expression);
  if (!m) throw new UsageError(`invalid gate "${expression}"`, { hint: HINT });
  const metric = m[1]! as VerifyMetric;
  if (!(metric in VERIFY_METRICS))
    throw new UsageError(`invalid gate "${expression}": unknown metric ${metric}`, { hint: HINT });
  return { expression, metric, op: m[2]! as Operator, threshold: Number(m[3]) };
}

export function evaluateVerifyGates(gates: readonly VerifyGate[], result: VerifyResult): GateOutcomeDetail[] {
  return gates.map((g) => {
    const measured = VERIFY_METRICS[g.metric](result);
    const passed = compare(measured, g.op, g.threshold);
    return {
      kind: 'threshold',
      expression: g.expression,
      metric: g.metric,
      unit: g.metric === 'outage_seconds' ? 's' : '',
      threshold: g.threshold,
      measured,
      measuredText: String(measured),
      passed,
      message: `${g.metric} = ${measured}, wanted ${g.op} ${g.threshold}`,
    };
  });
}

export function verifyGateFailure(outcomes: readonly GateOutcomeDetail[]): ThresholdError | undefined {
  const failed = outcomes.filter((o) => !o.passed);
  if (failed.length === 0) return undefined;
  return new ThresholdError(`${gateSummaryLine(outcomes)}: ${failed.map((o) => o.message).join('; ')}`);
}

/** JUnit XML: one testcase per gate, the counts as properties. */
export function renderVerifyJunit(result: VerifyResult, outcomes: readonly GateOutcomeDetail[]): string {
  const attr = (name: string, value: string | number) => `${name}="${escapeXml(String(value))}"`;
  const failures = outcomes.filter((o) => !o.passed).length;
  const props: Array<[string, unknown]> = [
    ['broker.kind', result.broker.kind],
    ['broker.target', result.broker.target],
    ['topic', result.topic],
    ['run', result.run],
    ...(
      [
        'sent',
        'acknowledged',
        'refused',
        'received',
        'lost',
        'unconfirmed',
        'duplicated',
        'reordered',
      ] as const
    ).map((k) => [k, result[k]] as [string, unknown]),
    ['outages', result.outages.length],
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites>',
    `  <testsuite ${[
      attr('name', 'mqctl verify gates'),
      attr('package', 'mqctl.verify'),
      attr('id', 0),
      attr('timestamp', result.startTime.slice(0, 19)),
      attr('hostname', hostname() || 'localhost'),
      attr('tests', outcomes.length),
      attr('failures', failures),
      attr('errors', 0),
      attr('skipped', 0),
      attr('time', result.durationSeconds.toFixed(3)),
    ].join(' ')}>`,
    '    <properties>',
    ...props.map(([n, v]) => `      <property ${attr('name', n)} ${attr('value', String(v))}/>`),
    '    </properties>',
  ];
  for (const o of outcomes) {
    const open = `    <testcase ${attr('name', o.expression)} ${attr('classname', 'mqctl.verify')} ${attr('time', '0')}`;
    if (o.passed) lines.push(`${open}/>`);
    else
      lines.push(
        `${open}>`,
        `      <failure ${attr('message', o.message)} ${attr('type', 'mqctl.GateFailed')}>${escapeXml(o.message)}</failure>`,
        '    </testcase>',
      );
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}

export function renderVerifyMarkdown(result: VerifyResult, outcomes: readonly GateOutcomeDetail[]): string {
  const failed = outcomes.filter((o) => !o.passed).length;
  const verdict =
    outcomes.length === 0
      ? 'no gates'
      : failed === 0
        ? `:white_check_mark: all ${outcomes.length} gates passed`
        : `:x: ${failed} of ${outcomes.length} gates failed`;
  const lines = [
    `### mqctl verify: ${verdict}`,
    '',
    `${result.broker.kind} \`${result.broker.target}\` · ${result.topic} · ${result.durationSeconds.toFixed(1)} s`,
    '',
    '| sent | acknowledged | refused | received | lost | unconfirmed | duplicated | reordered | outages |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${result.sent} | ${result.acknowledged} | ${result.refused} | ${result.received} | ${result.lost} | ${result.unconfirmed} | ${result.duplicated} | ${result.reordered} | ${result.outages.length} |`,
    '',
  ];
  if (outcomes.length > 0) {
    lines.push('| | Gate | Measured | Result |', '|---|---|---:|---|');
    for (const o of outcomes)
      lines.push(
        `| ${o.passed ? ':white_check_mark:' : ':x:'} | \`${o.expression}\` | ${o.measuredText} | ${o.passed ? 'pass' : '**FAIL**'} |`,
      );
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Writes --junit and --summary-md (and appends the summary to $GITHUB_STEP_SUMMARY when set). */
/** The JSON result (--result), through the redactor like every file mqctl writes. */
export function writeVerifyResult(path: string, result: VerifyResult): void {
  writeFileSync(path, redact(`${JSON.stringify(result, null, 2)}\n`));
}

export function writeVerifyReports(
  result: VerifyResult,
  outcomes: readonly GateOutcomeDetail[],
  files: { junit?: string; summaryMd?: string },
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (files.junit) writeFileSync(files.junit, redact(renderVerifyJunit(result, outcomes)));
  const md = redact(renderVerifyMarkdown(result, outcomes));
  if (files.summaryMd) writeFileSync(files.summaryMd, md);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, md);
}
