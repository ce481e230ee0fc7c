import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { exchangeAdminFor, typeArguments } from '../../src/brokers/queues';
import { renderResult } from '../../src/topics/render';
import { parseKeyValues } from '../../src/topics/validate';

export default class ExchangeCreateCommand extends BaseCommand<typeof ExchangeCreateCommand> {
  static override writes = true;
  static override summary = 'Declare a RabbitMQ exchange';
  static override description =
    'An existing exchange exits 2 unless --if-not-exists. Plugin types (x-delayed-message, ...) are passed through.';
  static override examples = [
    '<%= config.bin %> exchange create orders --kind rabbitmq --type topic',
    '<%= config.bin %> exchange create orders.dlx --kind rabbitmq --type fanout --argument alternate-exchange=lost',
  ];
  static override args = { name: Args.string({ description: 'exchange name', required: true }) };
  static override flags = {
    ...connectionFlags,
    type: Flags.string({
      char: 't',
      description: 'direct, fanout, topic, headers (or a plugin type)',
      default: 'direct',
    }),
    durable: Flags.boolean({ description: 'survive a broker restart', default: true, allowNo: true }),
    'auto-delete': Flags.boolean({ description: 'delete when the last binding goes', default: false }),
    internal: Flags.boolean({ description: 'only other exchanges may publish to it', default: false }),
    argument: Flags.string({
      char: 'a',
      description: 'exchange argument key=value (repeatable)',
      multiple: true,
    }),
    'if-not-exists': Flags.boolean({ description: 'succeed without change when it exists', default: false }),
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    const args = typeArguments(parseKeyValues(this.flags.argument, '--argument'));
    const result = await exchangeAdminFor(await this.connect()).createExchange({
      name: this.args.name,
      type: this.flags.type,
      durable: this.flags.durable,
      autoDelete: this.flags['auto-delete'],
      internal: this.flags.internal,
      arguments: args,
      ifNotExists: this.flags['if-not-exists'],
      dryRun: this.flags['dry-run'],
    });
    const line = result.alreadyExisted
      ? `exchange ${result.name} already exists in vhost ${result.vhost}; nothing changed`
      : result.dryRun
        ? `dry run: ${result.type} exchange ${result.name} would be created in vhost ${result.vhost}`
        : `created ${result.type} exchange ${result.name} in vhost ${result.vhost}`;
    this.out(renderResult(this.outputFormat, result, line));
  }
}
