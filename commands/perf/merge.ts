import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command';
import { EXIT_CODE_HELP } from '../../src/cli/errors';
import { renderCsv, renderJson, renderSections, renderYaml } from '../../src/cli/output';
import { gateFailure, gateFlags } from '../../src/gates';
import { renderResultSummary, runMerge } from '../../src/gates/commands';

export default class PerfMergeCommand extends BaseCommand<typeof PerfMergeCommand> {
  static override summary = 'Merge the results of several perf runs (shards) exactly, then gate the merge';
  static override description = `Adds the HdrHistograms of every input bucket by bucket, so merged percentiles are exact (the same as one histogram fed every recording, never an average), and sums counts and rates. Use it for N processes or N pods of a Kubernetes Indexed Job that each ran a share of the load (see docs/distributed-load.md). Gates (--gate, --gates, --baseline) apply to the merge.

Exit codes: ${Object.entries(EXIT_CODE_HELP)
    .map(([code, text]) => `${code} ${text}`)
    .join('; ')}.`;
  static override examples = [
    '<%= config.bin %> perf merge shard-0.json shard-1.json shard-2.json --result merged.json',
    "<%= config.bin %> perf merge results/*.json --gate 'p99<20ms' --gate 'throughput>=45000' --junit gates.xml",
  ];
  static override strict = false;
  static override flags = {
    result: Flags.string({ description: 'write the merged result (JSON) to this file' }),
    ...gateFlags,
  };

  async run(): Promise<void> {
    const { argv } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: false,
      strict: false,
    });
    const files = argv as string[];
    const { merged, report } = await runMerge(files, this.flags, this.style);
    switch (this.outputFormat) {
      case 'json':
        this.out(renderJson(merged));
        break;
      case 'yaml':
        this.out(renderYaml(merged));
        break;
      case 'csv':
        this.out(
          renderCsv(report.outcomes, [
            { header: 'gate', get: (o) => o.expression },
            { header: 'measured', get: (o) => o.measured },
            { header: 'unit', get: (o) => o.unit },
            { header: 'passed', get: (o) => o.passed },
            { header: 'message', get: (o) => o.message },
          ]),
        );
        break;
      case 'table':
        this.out(
          renderSections(
            [
              { title: 'merged result', body: renderResultSummary(merged, this.style) },
              {
                title: 'gates',
                body: report.outcomes.length ? `${report.table}\n${report.summaryLine}` : '',
              },
            ],
            this.style,
          ),
        );
    }
    if (this.flags.result) this.note(`merged result written to ${this.flags.result}`);
    const failure = gateFailure(report);
    if (failure) throw failure;
  }
}
