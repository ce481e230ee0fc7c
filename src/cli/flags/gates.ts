import { Flags, type Interfaces } from '@oclif/core';
import { DEFAULT_ABORT_GRACE_SECONDS } from '../../gates/abort';
import type { GateFlagValues } from '../../gates/options';

/** The gate flags shared by `perf produce|consume|e2e` (and parsed by src/gates/options.ts). */
export const gateFlags = {
  gate: Flags.string({
    description:
      'k6-style gate, repeatable: p99<20ms, e2e.p99<100ms, throughput>=45000, errors==0, error_rate<0.1%',
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'GATES',
  }),
  gates: Flags.string({
    description: 'YAML file of gates (and baseline, maxRegression, abortOnFail); see docs/gates.md',
    helpGroup: 'GATES',
  }),
  baseline: Flags.string({
    description:
      'a stored result (JSON) to compare with; fails when a metric regresses past --max-regression',
    helpGroup: 'GATES',
  }),
  'max-regression': Flags.string({
    description:
      'allowed regression vs --baseline: 10% (default), or per metric p99=20%, throughput=5% (repeatable)',
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'GATES',
  }),
  junit: Flags.string({ description: 'write a JUnit XML report, one testcase per gate', helpGroup: 'GATES' }),
  'summary-md': Flags.string({
    description: 'write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)',
    helpGroup: 'GATES',
  }),
  'abort-on-fail': Flags.boolean({
    description: 'stop the run early when a gate can no longer pass',
    default: false,
    helpGroup: 'GATES',
  }),
  'abort-grace': Flags.string({
    description: `with --abort-on-fail: how long into the run before percentile/rate gates may abort it (default ${DEFAULT_ABORT_GRACE_SECONDS}s)`,
    helpGroup: 'GATES',
  }),
  'allow-invalid': Flags.boolean({
    description: 'do not fail the gates when the run was generator-bound (invalid)',
    default: false,
    helpGroup: 'GATES',
  }),
};

/** The parsed values of gateFlags, as oclif types them; they are what src/gates/options.ts parses. */
export type GateFlags = Interfaces.InferredFlags<typeof gateFlags>;

/**
 * Compile-time check: every key the gate parser reads (GateFlagValues, all optional so that callers may pass
 * a subset) is one of these flags. Renaming a flag here without the parser makes this line fail to compile.
 */
export const GATE_FLAGS_COVER_PARSER: [Exclude<keyof GateFlagValues, keyof GateFlags>] extends [never]
  ? true
  : never = true;
