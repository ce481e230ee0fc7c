import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { queueAdminFor } from '../../src/brokers/queues';
import { queueQuestion } from '../../src/topics/prompt';
import { renderVhostDeletion } from '../../src/topics/render';

export default class QueueDeleteCommand extends BaseCommand<typeof QueueDeleteCommand> {
  static override writes = true;
  static override summary = 'Delete RabbitMQ queues (asks on a TTY; --yes otherwise)';
  static override description =
    'Every name is checked first: if one does not exist nothing is deleted (exit 3).';
  static override examples = [
    '<%= config.bin %> queue delete orders jobs --kind rabbitmq --yes',
    '<%= config.bin %> queue delete orders --kind rabbitmq --if-empty --yes',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'queue name(s)', required: true }) };
  static override flags = {
    ...connectionFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
    'if-empty': Flags.boolean({ description: 'only if the queue has no messages', default: false }),
    'if-unused': Flags.boolean({ description: 'only if the queue has no consumers', default: false }),
  };

  async run(): Promise<void> {
    const names = this.positionals;
    const admin = queueAdminFor(await this.connect());
    const queues = await admin.requireQueues(names, 'delete queue');
    await this.confirm(queueQuestion('delete', queues, admin.vhost), this.flags.yes);
    const results = await admin.deleteQueues(names, {
      ifEmpty: this.flags['if-empty'],
      ifUnused: this.flags['if-unused'],
    });
    this.out(renderVhostDeletion(this.outputFormat, 'queue', results, this.style));
  }
}
