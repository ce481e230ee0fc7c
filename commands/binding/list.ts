import { Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList } from '../../src/core/output';
import { bindingAdminFor } from '../../src/brokers/queues';
import { BINDING_COLUMNS } from '../../src/topics/render';

export default class BindingListCommand extends BaseCommand<typeof BindingListCommand> {
  static override summary = 'List RabbitMQ bindings of a vhost, optionally by source exchange or destination';
  static override examples = [
    '<%= config.bin %> binding list --kind rabbitmq --source orders',
    '<%= config.bin %> binding list --kind rabbitmq --destination orders.q -o json',
  ];
  static override flags = {
    ...connectionFlags,
    source: Flags.string({ char: 's', description: 'only bindings from this exchange' }),
    destination: Flags.string({ char: 'd', description: 'only bindings to this queue or exchange' }),
  };

  async run(): Promise<void> {
    const rows = await bindingAdminFor(await this.connect()).listBindings({
      source: this.flags.source,
      destination: this.flags.destination,
    });
    this.out(renderList(this.outputFormat, rows, BINDING_COLUMNS, this.style));
  }
}
