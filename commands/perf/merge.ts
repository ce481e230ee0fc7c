import { Flags } from '@oclif/core';
import { BaseCommand, commonFlags, formatFlags } from '../../src/cli/base-command';
import { gateFailure } from '../../src/gates';
import { gateFlags } from '../../src/cli/flags/gates';
import { runMerge } from '../../src/cli/gates-commands';
import { renderMergeOutcome } from '../../src/gates/render';
import { PERF_RESULT_SCHEMA } from '../../src/perf/result-schema';

export default class PerfMergeCommand extends BaseCommand<typeof PerfMergeCommand> {
  /** No broker is contacted (no --timeout). */
  static override baseFlags = { ...formatFlags, ...commonFlags };
  static override summary = 'Merge the results of several perf runs (shards) exactly, then gate the merge';
  static override description = `Adds the HdrHistograms of every input bucket by bucket, so merged percentiles are exact (the same as one histogram fed every recording, never an average), and sums counts and rates. Use it for N processes or N pods of a Kubernetes Indexed Job that each ran a share of the load (see docs/distributed-load.md). Gates (--gate, --gates, --baseline) apply to the merge.`;
  static override examples = [
    '<%= config.bin %> perf merge shard-0.json shard-1.json shard-2.json --result merged.json',
    "<%= config.bin %> perf merge results/*.json --gate 'p99<20ms' --gate 'throughput>=45000' --junit gates.xml",
  ];
  static override strict = false;
  static override flags = {
    result: Flags.string({
      description: `write the merged result (JSON, schema ${PERF_RESULT_SCHEMA}) to this file`,
    }),
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
    this.out(renderMergeOutcome(merged, report, this.outputFormat, this.style));
    if (this.flags.result) this.note(`merged result written to ${this.flags.result}`);
    const failure = gateFailure(report);
    if (failure) throw failure;
  }
}
