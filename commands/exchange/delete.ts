import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { bindingAdminFor, exchangeAdminFor } from '../../src/brokers/queues';
import { exchangeQuestion } from '../../src/topics/prompt';
import { renderVhostDeletion } from '../../src/topics/render';

export default class ExchangeDeleteCommand extends BaseCommand<typeof ExchangeDeleteCommand> {
  static override writes = true;
  static override summary = 'Delete RabbitMQ exchanges (asks on a TTY; --yes otherwise)';
  static override examples = ['<%= config.bin %> exchange delete orders --kind rabbitmq --yes'];
  static override strict = false;
  static override args = { name: Args.string({ description: 'exchange name(s)', required: true }) };
  static override flags = {
    ...connectionFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
    'if-unused': Flags.boolean({ description: 'only if nothing is bound to it', default: false }),
  };

  async run(): Promise<void> {
    const names = this.positionals;
    const connection = await this.connect();
    const admin = exchangeAdminFor(connection);
    await admin.requireExchanges(names);
    await this.confirm(
      {
        what: `delete exchange${names.length > 1 ? 's' : ''} ${names.join(', ')} in vhost ${admin.vhost}`,
        ask: async () => {
          const bindings = await Promise.all(
            names.map((source) => bindingAdminFor(connection).listBindings({ source })),
          );
          return exchangeQuestion(
            names.map((name, i) => ({ name, bindings: bindings[i]!.length })),
            admin.vhost,
          );
        },
      },
      this.flags.yes,
    );
    const results = await admin.deleteExchanges(names, { ifUnused: this.flags['if-unused'] });
    this.out(renderVhostDeletion(this.outputFormat, 'exchange', results, this.style));
  }
}
