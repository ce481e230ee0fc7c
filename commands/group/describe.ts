import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { groupAdminFor } from '../../src/brokers/group-admin';
import { lagSourceFor } from '../../src/brokers/lag';
import { renderGroupDescription } from '../../src/lag/render';
import { LagHistory } from '../../src/lag/report';

export default class GroupDescribeCommand extends BaseCommand<typeof GroupDescribeCommand> {
  static override summary = 'Show a group: state, members and their assignments, and lag per partition';
  static override examples = [
    '<%= config.bin %> group describe orders-service',
    '<%= config.bin %> group describe my-sub --kind pulsar --topic orders',
    '<%= config.bin %> group describe orders-service --output json',
  ];
  static override args = {
    group: Args.string({
      description: 'consumer group (Kafka), subscription (Pulsar) or queue (RabbitMQ)',
      required: true,
    }),
  };
  static override flags = {
    ...connectionFlags,
    topic: Flags.string({
      char: 't',
      description: 'Pulsar: the topic(s) of the subscription',
      multiple: true,
    }),
    namespace: Flags.string({ description: 'Pulsar: namespace to scan', default: 'public/default' }),
  };

  async run(): Promise<void> {
    const connection = await this.connect();
    const options = { topics: this.flags.topic ?? [], namespace: this.flags.namespace };
    const description = await groupAdminFor(connection).describeGroup(this.args.group, options);
    const snapshot = await lagSourceFor(connection).snapshot({
      groups: [this.args.group],
      topics: description.kind === 'kafka' ? [] : options.topics,
      namespace: options.namespace,
      timeLag: true,
    });
    const report = new LagHistory().observe(snapshot);
    this.out(
      await renderGroupDescription(this.args.group, description, report, this.outputFormat, this.style),
    );
  }
}
