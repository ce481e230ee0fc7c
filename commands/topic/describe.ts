import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { topicAdminFor } from '../../src/brokers/topics';
import { renderTopicDescriptionAs } from '../../src/topics/render';

export default class TopicDescribeCommand extends BaseCommand<typeof TopicDescribeCommand> {
  static override summary =
    'Show a topic: partitions (leader, replicas, ISR, offsets), flags for unhealthy partitions, stats and non-default configs';
  static override description =
    'Kafka: per partition the leader, replicas, in-sync replicas, earliest and latest offsets; under-replicated ' +
    'and offline partitions are flagged. Pulsar: producers, subscriptions, backlog and storage size (per partition ' +
    'for partitioned topics) and topic-level policies. A missing topic exits 3.';
  static override examples = [
    '<%= config.bin %> topic describe orders --kind kafka',
    '<%= config.bin %> topic describe persistent://public/default/orders --kind pulsar --output json',
  ];
  static override args = { name: Args.string({ description: 'topic name', required: true }) };
  static override flags = {
    ...connectionFlags,
    'all-configs': Flags.boolean({
      description: 'show every config, not only the ones set on the topic',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const connection = await this.connect();
    const description = await topicAdminFor(connection).describe(this.args.name, {
      allConfigs: this.flags['all-configs'],
    });
    this.out(renderTopicDescriptionAs(this.outputFormat, description, this.style));
  }
}
