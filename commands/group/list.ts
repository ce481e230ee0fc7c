import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList, type Column } from '../../src/core/output';
import { groupAdminFor, type GroupInfo } from '../../src/brokers/group-admin';
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
    const columns: Column<GroupInfo>[] = [{ header: 'GROUP', get: (g) => g.group }];
    if (groups.some((g) => g.kind === 'pulsar')) columns.push({ header: 'TOPIC', get: (g) => g.topic });
    columns.push(
      { header: 'STATE', get: (g) => g.state },
      { header: groups[0]?.kind === 'rabbitmq' ? 'TYPE' : 'PROTOCOL', get: (g) => g.protocol },
      { header: 'MEMBERS', get: (g) => g.members, align: 'right' },
    );
    this.out(renderList(this.outputFormat, groups, columns, this.style, groups));
  }
}
