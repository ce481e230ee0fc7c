import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command';
import { EXIT_CODE_HELP } from '../../src/cli/errors';
import { renderList, renderSections, renderTable, type Column } from '../../src/cli/output';
import { gateFailure, gateFlags } from '../../src/gates';
import type { CompareRow } from '../../src/gates/baseline';
import { runCompare } from '../../src/gates/commands';

const {
  gate,
  gates,
  junit,
  'max-regression': maxRegression,
  'summary-md': summaryMd,
  'allow-invalid': allowInvalid,
} = gateFlags;

export default class PerfCompareCommand extends BaseCommand<typeof PerfCompareCommand> {
  static override summary = 'Compare two perf results side by side; gate the second against the first';
  static override description = `Shows throughput, errors and latency percentiles of A (the baseline) and B with the change and whether it is better or worse (latency and errors: lower is better; throughput: higher). With --max-regression, B fails when a metric regressed by more than the allowance (default set: throughput, p50, p99, p99.9 and e2e p99 when both have it; per metric with p99=20%). --gate expressions apply to B.

Exit codes: ${Object.entries(EXIT_CODE_HELP)
    .map(([code, text]) => `${code} ${text}`)
    .join('; ')}.`;
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
  };

  async run(): Promise<void> {
    const outcome = await runCompare(this.args.a, this.args.b, this.flags, this.style);
    const columns: Column<CompareRow>[] = [
      { header: 'METRIC', get: (r) => r.metric },
      { header: 'A', get: (r) => r.aText, align: 'right' },
      { header: 'B', get: (r) => r.bText, align: 'right' },
      { header: 'CHANGE', get: (r) => r.changeText, align: 'right' },
      { header: 'VERDICT', get: (r) => r.verdict },
    ];
    const doc = {
      a: outcome.a,
      b: outcome.b,
      rows: outcome.rows,
      gates: outcome.report.outcomes,
      passed: outcome.report.passed,
    };
    if (this.outputFormat === 'table') {
      this.out(
        renderSections(
          [
            {
              title: 'compare',
              body: `A: ${outcome.a}\nB: ${outcome.b}\n\n${renderTable(outcome.rows, columns, this.style)}`,
            },
            {
              title: 'gates',
              body: outcome.gated ? `${outcome.report.table}\n${outcome.report.summaryLine}` : '',
            },
          ],
          this.style,
        ),
      );
    } else {
      const csvColumns: Column<CompareRow>[] = [
        { header: 'metric', get: (r) => r.metric },
        { header: 'a', get: (r) => r.a },
        { header: 'b', get: (r) => r.b },
        { header: 'unit', get: (r) => r.unit },
        { header: 'change_percent', get: (r) => r.changePercent },
        { header: 'verdict', get: (r) => r.verdict },
      ];
      this.out(renderList(this.outputFormat, outcome.rows, csvColumns, this.style, doc));
    }
    const failure = gateFailure(outcome.report);
    if (failure) throw failure;
  }
}
