import type { GateOutcome, PerfResult } from '../perf/result-schema';
import { compare, type Gate } from './expression';
import { measure, type MetricSource } from './metrics';
import { DISPLAY_UNIT, formatValue, toDisplay } from './units';

/**
 * A GateOutcome (the contract field in PerfResult.gates) with the details CI reports use. The extra
 * fields are optional in the JSON so readers of v1 documents may ignore them.
 */
export interface GateOutcomeDetail extends GateOutcome {
  /** `threshold` for a --gate expression, `baseline` for a --max-regression check, `validity` for the run itself */
  kind: 'threshold' | 'baseline' | 'validity';
  /** the threshold in the display unit (thresholds) or the allowed regression in percent (baseline) */
  threshold?: number;
  /** human text of the measured value with its unit, e.g. `12.3ms` */
  measuredText: string;
  /** baseline checks: the baseline's value in the display unit, and the change in percent */
  baseline?: number | null;
  changePercent?: number | null;
}

/** Evaluates every gate against a run. A gate over a metric with no samples fails, saying so. */
export function evaluateGates(gates: readonly Gate[], source: MetricSource): GateOutcomeDetail[] {
  return gates.map((gate) => evaluateGate(gate, source));
}

export function evaluateGate(gate: Gate, source: MetricSource): GateOutcomeDetail {
  const { value, reason } = measure(source, gate.metric);
  const unit = DISPLAY_UNIT[gate.metric.kind];
  const base = {
    kind: 'threshold' as const,
    expression: gate.expression,
    metric: gate.metric.name,
    unit,
    threshold: toDisplay(gate.metric.kind, gate.threshold),
  };
  if (value === null) {
    return {
      ...base,
      measured: null,
      measuredText: '-',
      passed: false,
      message: `${reason ?? 'no samples'}: a gate over a metric with no samples fails`,
    };
  }
  const passed = compare(value, gate.op, gate.threshold);
  const measuredText = formatValue(gate.metric.kind, value);
  return {
    ...base,
    measured: toDisplay(gate.metric.kind, value),
    measuredText,
    passed,
    message: `${gate.metric.name} = ${measuredText}, wanted ${gate.op} ${gate.thresholdText}`,
  };
}

/**
 * The run's own verdict as a gate: a generator-bound or otherwise invalid run cannot vouch for the broker,
 * so it fails the gates unless the user allows it (then it is reported as passed, with the reason).
 */
export function validityOutcome(result: PerfResult, allowInvalid: boolean): GateOutcomeDetail | undefined {
  if (result.valid !== false) return undefined;
  const reason = result.invalidReason ?? 'the run was marked invalid';
  return {
    kind: 'validity',
    expression: 'run is valid',
    metric: 'valid',
    measured: 0,
    measuredText: 'invalid',
    unit: '',
    passed: allowInvalid,
    message: `invalid run: ${reason}${allowInvalid ? ' (allowed by --allow-invalid)' : ' (pass --allow-invalid to gate it anyway)'}`,
  };
}
