import { UsageError } from '../core/errors';
import { METRIC_HINT, parseMetric, type MetricKind, type MetricRef } from './metrics';

/**
 * Gate expressions in the style of k6 thresholds: `METRIC OP VALUE`, e.g. `p99<20ms`, `p99.9 <= 50ms`,
 * `e2e.p99<100ms`, `throughput>=45000`, `mb_per_sec>=4`, `errors==0`, `error_rate<0.1%`, `max<1s`.
 *
 * Units: latency and duration values need a time unit (ns, us/µs, ms, s, m) because a bare number is
 * ambiguous; throughput takes msg/s (optionally `45k`, `45000/s`, `45000msg/s`); mb_per_sec takes MB/s;
 * error_rate takes a percentage (`0.1%`) or a fraction no greater than 1 (`0.001`); counts take plain numbers.
 */

export const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Gate {
  /** what the user wrote, trimmed */
  expression: string;
  metric: MetricRef;
  op: Operator;
  /** in the metric's internal unit: µs for latency, seconds for duration, fraction for ratios */
  threshold: number;
  /** the threshold as the user wrote it, normalised (e.g. `20ms`, `0.1%`) */
  thresholdText: string;
  /** stop the run early when this gate fails (--abort-on-fail sets it for every gate) */
  abortOnFail?: boolean;
  /** seconds into the measured phase before an abort on this gate may fire */
  delayAbortEvalSeconds?: number;
}

const TIME_UNITS_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  μs: 1,
  ms: 1000,
  s: 1_000_000,
  m: 60_000_000,
};

function invalid(expression: string, why: string, hint = `e.g. p99<20ms, throughput>=45000; ${METRIC_HINT}`) {
  return new UsageError(`invalid gate "${expression}": ${why}`, { hint });
}

/** Parses one gate expression; throws UsageError (exit 2) naming what is wrong. */
export function parseGate(text: string): Gate {
  const expression = text.trim();
  if (expression.length === 0) throw invalid(text, 'empty expression');
  const match = /^(.*?)(===|<=|>=|==|!=|<|>|=)(.*)$/s.exec(expression);
  if (!match) throw invalid(expression, 'no comparison operator (<, <=, >, >=, ==, !=)');
  const [, left, rawOp, right] = match as unknown as [string, string, string, string];
  if (rawOp === '=') throw invalid(expression, '"=" is not a comparison; use == (or <=, >=)');
  const op = (rawOp === '===' ? '==' : rawOp) as Operator;
  if (/[<>=!]/.test(right)) throw invalid(expression, 'more than one operator');
  if (left.trim().length === 0) throw invalid(expression, 'no metric before the operator');
  if (right.trim().length === 0) throw invalid(expression, 'no value after the operator');
  const metric = parseMetric(left);
  if (!metric) throw invalid(expression, `unknown metric "${left.trim()}"`);
  const { value, text: thresholdText } = parseThreshold(right, metric.kind, expression, metric.name);
  return { expression, metric, op, threshold: value, thresholdText };
}

/** Parses a threshold value for a metric kind; returns the internal unit value and a normalised text. */
export function parseThreshold(
  raw: string,
  kind: MetricKind,
  expression: string,
  metricName: string,
): { value: number; text: string } {
  const text = raw.trim().replace(/\s+/g, '');
  const number = /^(\d+(?:\.\d+)?|\.\d+)(.*)$/.exec(text);
  if (!number) throw invalid(expression, `"${raw.trim()}" is not a number`);
  const n = Number(number[1]);
  const unit = number[2]!;
  switch (kind) {
    case 'latency':
    case 'duration': {
      if (unit === '') {
        throw invalid(
          expression,
          `${metricName} needs a time unit`,
          `write e.g. ${kind === 'latency' ? `${metricName.replace(/^latency\./, '')}<${n}ms` : `duration>=${n}s`} (units: ns, us, ms, s, m)`,
        );
      }
      const factor = TIME_UNITS_US[unit];
      if (factor === undefined)
        throw invalid(expression, `unknown time unit "${unit}"`, 'use ns, us, ms, s or m');
      const us = n * factor;
      return {
        value: kind === 'duration' ? us / 1_000_000 : us,
        text: `${number[1]}${unit === 'μs' ? 'µs' : unit}`,
      };
    }
    case 'rate': {
      const m = /^(k|m)?(?:\/s|msgs?\/s|msg\/sec|\/sec)?$/i.exec(unit);
      if (!m)
        throw invalid(
          expression,
          `unknown throughput unit "${unit}"`,
          'throughput is msg/s: e.g. 45000, 45k, 45000/s',
        );
      const factor = m[1] === undefined ? 1 : m[1].toLowerCase() === 'k' ? 1000 : 1_000_000;
      return { value: n * factor, text: `${number[1]}${m[1] ?? ''}` };
    }
    case 'bandwidth': {
      if (!/^(mb\/s|mbps|mb\/sec)?$/i.test(unit)) {
        throw invalid(
          expression,
          `unknown unit "${unit}" for mb_per_sec`,
          'mb_per_sec is MB/s: e.g. mb_per_sec>=4',
        );
      }
      return { value: n, text: number[1]! };
    }
    case 'count': {
      const m = /^(k|m)?$/i.exec(unit);
      if (!m) throw invalid(expression, `${metricName} is a count and takes no unit "${unit}"`);
      const factor = m[1] === undefined ? 1 : m[1].toLowerCase() === 'k' ? 1000 : 1_000_000;
      return { value: n * factor, text: `${number[1]}${m[1] ?? ''}` };
    }
    case 'ratio': {
      if (unit === '%') return { value: n / 100, text: `${number[1]}%` };
      if (unit !== '')
        throw invalid(
          expression,
          `unknown unit "${unit}" for ${metricName}`,
          'use a percentage (0.1%) or a fraction (0.001)',
        );
      if (n > 1) {
        throw invalid(
          expression,
          `${metricName} ${n} is ambiguous`,
          `write ${n}% for a percentage, or a fraction between 0 and 1`,
        );
      }
      return { value: n, text: number[1]! };
    }
  }
}

export function compare(measured: number, op: Operator, threshold: number): boolean {
  switch (op) {
    case '<':
      return measured < threshold;
    case '<=':
      return measured <= threshold;
    case '>':
      return measured > threshold;
    case '>=':
      return measured >= threshold;
    case '==':
      return measured === threshold;
    case '!=':
      return measured !== threshold;
  }
}

/** Parses a percentage such as `10%`, `2.5%` (or a fraction `0.1`) into a fraction. */
export function parsePercent(text: string, what: string): number {
  const t = text.trim();
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(t);
  if (!match) throw new UsageError(`invalid ${what} "${text}"`, { hint: 'use a percentage such as 10%' });
  const n = Number(match[1]);
  if (match[2] === '%') return n / 100;
  if (n > 1) throw new UsageError(`${what} "${text}" is ambiguous`, { hint: `write ${n}% for a percentage` });
  return n;
}
