import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { groupAdminFor } from '../../src/brokers/group-admin';
import { renderGroupList } from '../../src/lag/render';
import { Flags } from '@oclif/core';

export default class GroupListCommand extends BaseCommand<typeof GroupListCommand> {
  static override summary = 'List consumer groups (Kafka), subscriptions (Pulsar) or queues (RabbitMQ)';
  static override description =
    'Kafka: state, members and the assignor protocol of every consumer group. Pulsar: the subscriptions of --topic (or of every topic in --namespace). RabbitMQ: queues with their consumers.';
  static override examples = [
    '<%= config.bin %> group list --kind kafka',
    '<%= config.bin %> group list --kind pulsar --topic orders',
    '<%= config.bin %> group list --output json',
  ];
  static override flags = {
    ...connectionFlags,
    topic: Flags.string({
      char: 't',
      description: 'Pulsar: list subscriptions of these topics',
      multiple: true,
    }),
    namespace: Flags.string({ description: 'Pulsar: namespace to scan', default: 'public/default' }),
  };

  async run(): Promise<void> {
    const admin = groupAdminFor(await this.connect());
    const groups = await admin.listGroups({
      topics: this.flags.topic ?? [],
      namespace: this.flags.namespace,
    });
    this.out(renderGroupList(groups, this.outputFormat, this.style));
  }
}
