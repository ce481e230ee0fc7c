import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { UsageError } from '../../src/core/errors';
import { topicAdminFor } from '../../src/brokers/topics';
import { renderResult } from '../../src/topics/render';
import { describeAlter } from './alter';

export default class TopicAddPartitionsCommand extends BaseCommand<typeof TopicAddPartitionsCommand> {
  static override writes = true;
  static override summary = 'Add --num partitions to a topic (like rpk topic add-partitions)';
  static override description = 'The same as `mqctl topic alter NAME --partitions <current + num>`.';
  static override examples = ['<%= config.bin %> topic add-partitions orders --num 3 --kind kafka'];
  static override args = { name: Args.string({ description: 'topic name', required: true }) };
  static override flags = {
    ...connectionFlags,
    num: Flags.integer({ char: 'n', description: 'how many partitions to add', required: true }),
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    if (this.flags.num <= 0) {
      throw new UsageError(`--num must be above 0 (got ${this.flags.num}); partitions can only be added`);
    }
    const admin = topicAdminFor(await this.connect());
    const current = await admin.partitionCount(this.args.name);
    const result = await admin.alterPartitions(
      this.args.name,
      current + this.flags.num,
      this.flags['dry-run'],
    );
    this.out(renderResult(this.outputFormat, result, describeAlter(result)));
  }
}
