import { Flags } from '@oclif/core';
import { dlqFor } from '../../src/brokers/dlq';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { buildFilter } from '../../src/dlq/filter';
import { renderPurgeSummary } from '../../src/dlq/render';
import { dlqArg, filterFlags } from '../../src/cli/flags/dlq';

export default class DlqPurgeCommand extends BaseCommand<typeof DlqPurgeCommand> {
  static override writes = true;
  static override summary = 'Delete messages from a DLQ (all, or those a filter selects)';
  static override description = `Asks on a TTY; without a TTY it refuses unless --yes. Kafka: moves the log start to the end offset
(deleteRecords); Kafka cannot delete single records, so --where is refused. RabbitMQ: queue.purge, or with a filter
acks the selected messages and requeues the rest. Pulsar: clears the backlog of the DLQ's subscriptions, or with a
filter acks the selected messages on them.`;
  static override examples = [
    '<%= config.bin %> dlq purge orders-dlt --kind kafka --yes',
    `<%= config.bin %> dlq purge orders.dlq --kind rabbitmq --where 'error ~ Validation' --yes`,
  ];
  static override args = dlqArg;
  static override flags = {
    ...connectionFlags,
    ...filterFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
  };

  async run(): Promise<void> {
    const flags = this.flags;
    const filtered = Boolean(flags.where?.length || flags.exception || flags.since || flags.until);
    const filter = filtered ? buildFilter(flags) : undefined;
    const connection = await this.connect();
    const access = dlqFor(connection);
    const depth = await access.depth(this.args.dlq, 'purge');
    await this.confirm(
      `Purge ${filter ? `the messages matching ${filter.description} (of ${depth}) from` : `all ${depth} messages of`} DLQ ${this.args.dlq}`,
      flags.yes,
    );
    const result = await access.purge(this.args.dlq, { filter, signal: this.signal });
    this.out(renderPurgeSummary(result, this.outputFormat, this.style));
  }
}
