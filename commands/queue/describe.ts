import { Args } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderObject } from '../../src/core/output';
import { queueAdminFor } from '../../src/brokers/queues';
import { BINDING_COLUMNS, renderQueueDescription } from '../../src/topics/render';

export default class QueueDescribeCommand extends BaseCommand<typeof QueueDescribeCommand> {
  static override summary = 'Show a RabbitMQ queue: type, arguments, messages, consumers, rates and bindings';
  static override examples = [
    '<%= config.bin %> queue describe orders --kind rabbitmq',
    '<%= config.bin %> queue describe orders --kind rabbitmq -o json',
  ];
  static override args = { name: Args.string({ description: 'queue name', required: true }) };
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const queue = await queueAdminFor(await this.connect()).describeQueue(this.args.name);
    if (this.outputFormat === 'table') this.out(renderQueueDescription(queue, this.style));
    else this.out(renderObject(this.outputFormat, queue, queue.bindings, BINDING_COLUMNS, this.style));
  }
}
