import { hostname } from 'node:os';
import type { PerfResult } from '../perf/result-schema';
import { renderTable, type RenderStyle } from '../core/output';
import type { GateOutcomeDetail } from './evaluate';

/**
 * What CI reads after a gated run: the gate table (terminal), JUnit XML (one testcase per gate; valid
 * against the Ant/windyroad JUnit.xsd and Jenkins' junit-10.xsd, read by GitLab, Jenkins and the GitHub
 * report actions), and a Markdown summary (GitHub job summary).
 */

/** `✓ p99<20ms  4.21ms  pass` lines in a borderless table, in the style of k6's THRESHOLDS section. */
export function renderGateTable(outcomes: readonly GateOutcomeDetail[], style: RenderStyle): string {
  if (outcomes.length === 0) return '(no gates)';
  const mark = (o: GateOutcomeDetail) => {
    const text = o.passed ? '✓ pass' : '✗ FAIL';
    if (!style.color) return text;
    return o.passed ? `\u001b[32m${text}\u001b[39m` : `\u001b[31m${text}\u001b[39m`;
  };
  return renderTable(
    outcomes,
    [
      { header: 'GATE', get: (o) => o.expression },
      { header: 'MEASURED', get: (o) => o.measuredText, align: 'right' },
      { header: 'RESULT', get: mark },
      { header: 'DETAIL', get: (o) => (o.passed && o.kind === 'threshold' ? '' : o.message) },
    ],
    style,
  );
}

/** One line for the end of a run: `gates: 3 passed, 1 failed`. */
export function gateSummaryLine(outcomes: readonly GateOutcomeDetail[]): string {
  const failed = outcomes.filter((o) => !o.passed).length;
  return `gates: ${outcomes.length - failed} passed, ${failed} failed`;
}

// ---------------------------------------------------------------------------------------------- XML

/** XML 1.0 forbids most control characters even when escaped; drop them. */
function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

export function escapeXml(text: string): string {
  return xmlSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attr = (name: string, value: string | number) => `${name}="${escapeXml(String(value))}"`;

/** `2026-01-01T12:00:00` (the JUnit schema's timestamp has no zone or fraction; we write UTC). */
function junitTimestamp(iso: string | undefined): string {
  const date = iso ? new Date(iso) : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return valid.toISOString().slice(0, 19);
}

export interface JunitOptions {
  /** suite name; default `mqctl perf <command> gates` */
  suiteName?: string;
  /** text for <system-out>, e.g. the gate table */
  systemOut?: string;
}

/**
 * JUnit XML: `<testsuites>` with one `<testsuite>` holding one `<testcase>` per gate. A failed gate has a
 * `<failure>` whose message attribute and text both carry the measured and wanted values (GitLab shows
 * the text, Jenkins and the GitHub actions the message).
 */
export function renderJunit(
  result: PerfResult,
  outcomes: readonly GateOutcomeDetail[],
  options: JunitOptions = {},
): string {
  const failures = outcomes.filter((o) => !o.passed).length;
  const suiteName = options.suiteName ?? `mqctl perf ${result.command} gates`;
  const classname = `mqctl.perf.${result.command.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const time = Number.isFinite(result.durationSeconds) ? result.durationSeconds.toFixed(3) : '0.000';
  const host = result.environment?.hostname || hostname() || 'localhost';
  const properties: Array<[string, unknown]> = [
    ['broker.kind', result.broker?.kind],
    ['broker.target', result.broker?.target],
    ['command', result.command],
    ['tool.version', result.tool?.version],
    ['durationSeconds', result.durationSeconds],
    ['targetRate', result.targetRate],
    ['throughput', result.throughput],
    ['mbPerSec', result.mbPerSec],
    ['sent', result.sent],
    ['acked', result.acked],
    ['errors', result.errors],
    ['valid', result.valid],
    ['invalidReason', result.invalidReason],
    ['shard', result.environment?.shard],
    ['mergedFrom', result.mergedFrom?.join(',')],
  ];
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  lines.push(
    `  <testsuite ${[
      attr('name', suiteName),
      attr('package', classname),
      attr('id', 0),
      attr('timestamp', junitTimestamp(result.environment?.startTime)),
      attr('hostname', host),
      attr('tests', outcomes.length),
      attr('failures', failures),
      attr('errors', 0),
      attr('skipped', 0),
      attr('time', time),
    ].join(' ')}>`,
  );
  lines.push('    <properties>');
  for (const [name, value] of properties) {
    if (value === undefined || value === null || value === '') continue;
    lines.push(`      <property ${attr('name', name)} ${attr('value', String(value))}/>`);
  }
  lines.push('    </properties>');
  for (const o of outcomes) {
    const open = `    <testcase ${attr('name', o.expression)} ${attr('classname', classname)} ${attr('time', '0')}`;
    if (o.passed) {
      lines.push(`${open}/>`);
      continue;
    }
    const type =
      o.kind === 'baseline'
        ? 'mqctl.BaselineRegression'
        : o.kind === 'validity'
          ? 'mqctl.InvalidRun'
          : 'mqctl.GateFailed';
    lines.push(`${open}>`);
    lines.push(
      `      <failure ${attr('message', o.message)} ${attr('type', type)}>${escapeXml(failureText(o))}</failure>`,
    );
    lines.push('    </testcase>');
  }
  lines.push(`    <system-out>${escapeXml(options.systemOut ?? '')}</system-out>`);
  lines.push('    <system-err></system-err>');
  lines.push('  </testsuite>');
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function failureText(o: GateOutcomeDetail): string {
  const parts = [`gate: ${o.expression}`, `measured: ${o.measuredText}`, o.message];
  if (o.baseline !== undefined && o.baseline !== null) parts.push(`baseline: ${o.baseline} ${o.unit}`.trim());
  return parts.join('\n');
}

// ----------------------------------------------------------------------------------------- Markdown

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdCode(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** A GitHub-flavoured Markdown summary: a headline verdict, the run in one line, then the gate table. */
export function renderMarkdown(result: PerfResult, outcomes: readonly GateOutcomeDetail[]): string {
  const failed = outcomes.filter((o) => !o.passed).length;
  const verdict =
    outcomes.length === 0
      ? 'no gates'
      : failed === 0
        ? `:white_check_mark: all ${outcomes.length} gates passed`
        : `:x: ${failed} of ${outcomes.length} gates failed`;
  const run = [
    `${result.broker?.kind ?? '?'} \`${result.broker?.target ?? '?'}\``,
    `${Number(result.durationSeconds ?? 0).toFixed(1)} s`,
    `${Math.round(result.throughput ?? 0).toLocaleString('en-US')} msg/s`,
    `${Number(result.mbPerSec ?? 0).toFixed(2)} MB/s`,
    `${(result.acked ?? 0).toLocaleString('en-US')} acked`,
    `${(result.errors ?? 0).toLocaleString('en-US')} errors`,
    result.valid === false ? `**invalid run**: ${result.invalidReason ?? 'no reason given'}` : 'valid run',
  ];
  if (result.mergedFrom?.length) run.push(`merged from ${result.mergedFrom.length} results`);
  const lines = [`### mqctl perf ${result.command}: ${verdict}`, '', run.join(' · '), ''];
  if (outcomes.length > 0) {
    lines.push('| | Gate | Measured | Result | Detail |', '|---|---|---:|---|---|');
    for (const o of outcomes) {
      lines.push(
        `| ${o.passed ? ':white_check_mark:' : ':x:'} | ${mdCode(mdCell(o.expression))} | ${mdCell(o.measuredText)} | ${
          o.passed ? 'pass' : '**FAIL**'
        } | ${mdCell(o.passed && o.kind === 'threshold' ? '' : o.message)} |`,
      );
    }
    lines.push('');
  }
  const latency = result.latency?.latency;
  if (latency) {
    lines.push(
      `Response latency (ms): p50 ${latency.p50} · p99 ${latency.p99} · p99.9 ${latency.p999} · max ${latency.max} (${latency.count.toLocaleString('en-US')} samples)`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
