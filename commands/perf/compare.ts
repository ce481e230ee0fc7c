import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, formatFlags } from '../../src/cli/base-command';
import { gateFailure } from '../../src/gates';
import { gateFlags } from '../../src/cli/flags/gates';
import { parseNoise, runCompare } from '../../src/cli/gates-commands';
import { renderCompare } from '../../src/gates/render';

const {
  gate,
  gates,
  junit,
  'max-regression': maxRegression,
  'summary-md': summaryMd,
  'allow-invalid': allowInvalid,
} = gateFlags;

export default class PerfCompareCommand extends BaseCommand<typeof PerfCompareCommand> {
  /** No broker is contacted (no --timeout). */
  static override baseFlags = { ...formatFlags, ...commonFlags };
  static override summary = 'Compare two perf results side by side; gate the second against the first';
  static override description = `Shows throughput, errors and latency percentiles of A (the baseline) and B with the change and whether it is better or worse (latency and errors: lower is better; throughput: higher). With --max-regression, B fails when a metric regressed by more than the allowance (default set: throughput, p50, p99, p99.9 and e2e p99 when both have it; per metric with p99=20%). --gate expressions apply to B.`;
  static override examples = [
    '<%= config.bin %> perf compare main.json pr.json',
    '<%= config.bin %> perf compare main.json pr.json --max-regression 10% --max-regression p99=20%',
    "<%= config.bin %> perf compare main.json pr.json --gate 'p99<20ms' --junit gates.xml -o json",
  ];
  static override args = {
    a: Args.string({ description: 'baseline result (JSON)', required: true }),
    b: Args.string({ description: 'result to compare with the baseline (JSON)', required: true }),
  };
  static override flags = {
    gate,
    gates,
    'max-regression': maxRegression,
    junit,
    'summary-md': summaryMd,
    'allow-invalid': allowInvalid,
    noise: Flags.string({
      description: 'changes within ±this are "same", not better or worse (load tests are noisy)',
      default: '1%',
    }),
  };

  async run(): Promise<void> {
    const outcome = await runCompare(
      this.args.a,
      this.args.b,
      this.flags,
      this.style,
      parseNoise(this.flags.noise),
    );
    this.out(renderCompare(outcome, this.outputFormat, this.style));
    if (outcome.settings.length && this.outputFormat !== 'table')
      this.note(
        `warning: the runs' settings differ: ${outcome.settings.map((d) => `${d.setting} ${d.a} vs ${d.b}`).join(', ')}`,
      );
    const failure = gateFailure(outcome.report);
    if (failure) throw failure;
  }
}
