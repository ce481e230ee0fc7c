import { Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList } from '../../src/core/output';
import { queueAdminFor } from '../../src/brokers/queues';
import { queueListColumns } from '../../src/topics/render';

export default class QueueListCommand extends BaseCommand<typeof QueueListCommand> {
  static override summary =
    'List RabbitMQ queues of a vhost: type, state, messages (ready/unacked), consumers';
  static override description = 'Through the management API. On Kafka or Pulsar use `mqctl topic list`.';
  static override examples = [
    '<%= config.bin %> queue list --kind rabbitmq',
    '<%= config.bin %> queue list --kind rabbitmq --vhost orders --regex "^dlq\\." -o json',
  ];
  static override flags = {
    ...connectionFlags,
    filter: Flags.string({ char: 'f', description: 'show names containing this text' }),
    regex: Flags.string({
      char: 'r',
      description: 'show names matching this regular expression',
      exclusive: ['filter'],
    }),
    'all-vhosts': Flags.boolean({ description: 'every vhost the user can see', default: false }),
  };

  async run(): Promise<void> {
    const rows = await queueAdminFor(await this.connect()).listQueues({
      filter: this.flags.regex ?? this.flags.filter,
      regex: this.flags.regex !== undefined,
      allVhosts: this.flags['all-vhosts'],
    });
    this.out(renderList(this.outputFormat, rows, queueListColumns(this.flags['all-vhosts']), this.style));
  }
}
