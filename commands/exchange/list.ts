import { Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList } from '../../src/core/output';
import { exchangeAdminFor } from '../../src/brokers/queues';
import { EXCHANGE_COLUMNS } from '../../src/topics/render';

export default class ExchangeListCommand extends BaseCommand<typeof ExchangeListCommand> {
  static override summary = 'List RabbitMQ exchanges of a vhost';
  static override examples = [
    '<%= config.bin %> exchange list --kind rabbitmq',
    '<%= config.bin %> exchange list --kind rabbitmq --filter orders -o json',
  ];
  static override flags = {
    ...connectionFlags,
    filter: Flags.string({ char: 'f', description: 'show names containing this text' }),
    regex: Flags.string({
      char: 'r',
      description: 'show names matching this regular expression',
      exclusive: ['filter'],
    }),
  };

  async run(): Promise<void> {
    const rows = await exchangeAdminFor(await this.connect()).listExchanges({
      filter: this.flags.regex ?? this.flags.filter,
      regex: this.flags.regex !== undefined,
    });
    this.out(renderList(this.outputFormat, rows, EXCHANGE_COLUMNS, this.style));
  }
}
