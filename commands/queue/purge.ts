import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { queueAdminFor } from '../../src/brokers/queues';
import { queueQuestion } from '../../src/topics/prompt';
import { renderResult } from '../../src/topics/render';

export default class QueuePurgeCommand extends BaseCommand<typeof QueuePurgeCommand> {
  static override writes = true;
  static override summary =
    'Remove every ready message from a RabbitMQ queue (asks on a TTY; --yes otherwise)';
  static override description = 'Unacknowledged messages stay. Streams cannot be purged (exit 2).';
  static override examples = ['<%= config.bin %> queue purge orders --kind rabbitmq --yes'];
  static override args = { name: Args.string({ description: 'queue name', required: true }) };
  static override flags = {
    ...connectionFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
  };

  async run(): Promise<void> {
    const admin = queueAdminFor(await this.connect());
    const queues = await admin.requireQueues([this.args.name], 'purge queue');
    await this.confirm(queueQuestion('purge', queues, admin.vhost), this.flags.yes);
    const result = await admin.purgeQueue(this.args.name);
    this.out(
      renderResult(
        this.outputFormat,
        result,
        `purged ${result.purged} messages from queue ${result.name} in vhost ${result.vhost}`,
      ),
    );
  }
}
