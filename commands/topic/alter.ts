import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { topicAdminFor } from '../../src/brokers/topics';
import { renderResult } from '../../src/topics/render';

export default class TopicAlterCommand extends BaseCommand<typeof TopicAlterCommand> {
  static override writes = true;
  static override summary = 'Grow a topic to --partitions N (Kafka, partitioned Pulsar topics)';
  static override description =
    'Partitions can only be added: asking for fewer than the topic has exits 2 and changes nothing. ' +
    'Asking for the current count is a no-op. Adding partitions changes which partition a key maps to. ' +
    'Configs are changed with `mqctl topic config set`.';
  static override examples = [
    '<%= config.bin %> topic alter orders --partitions 12 --kind kafka',
    '<%= config.bin %> topic alter orders --partitions 12 --kind kafka --dry-run',
  ];
  static override args = { name: Args.string({ description: 'topic name', required: true }) };
  static override flags = {
    ...connectionFlags,
    partitions: Flags.integer({
      char: 'p',
      description: 'the new total number of partitions',
      required: true,
    }),
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    const admin = topicAdminFor(await this.connect());
    const result = await admin.alterPartitions(this.args.name, this.flags.partitions, this.flags['dry-run']);
    this.out(renderResult(this.outputFormat, result, describeAlter(result)));
  }
}

export function describeAlter(r: {
  name: string;
  previousPartitions: number;
  partitions: number;
  changed: boolean;
  dryRun: boolean;
}): string {
  if (r.previousPartitions === r.partitions)
    return `topic ${r.name} already has ${r.partitions} partitions; nothing changed`;
  if (r.dryRun)
    return `dry run: topic ${r.name} can grow from ${r.previousPartitions} to ${r.partitions} partitions`;
  return `topic ${r.name}: partitions ${r.previousPartitions} → ${r.partitions}`;
}
