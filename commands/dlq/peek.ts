import { Flags } from '@oclif/core';
import { dlqFor } from '../../src/brokers/dlq';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { buildFilter } from '../../src/dlq/filter';
import { dlqArg, filterFlags } from '../../src/cli/flags/dlq';
import { peekDlq } from '../../src/dlq/inspect';
import { renderPeek } from '../../src/dlq/render';

export default class DlqPeekCommand extends BaseCommand<typeof DlqPeekCommand> {
  static override summary = 'Show DLQ messages with decoded origin, error, headers, key and payload';
  static override description = `Never consumes, acks or commits. Kafka reads explicit offsets in a throwaway group that commits nothing.
Pulsar uses a reader (no subscription, no acks). RabbitMQ cannot browse without taking messages: peek takes them
unacknowledged with basic.get and returns them all with basic.nack(requeue=true) — contents and headers are
unchanged, but RabbitMQ marks them redelivered, and on a quorum queue each peek counts as a delivery attempt.`;
  static override examples = [
    '<%= config.bin %> dlq peek orders-dlt --kind kafka --limit 5',
    '<%= config.bin %> dlq peek orders-dlt --kind kafka --exception TimeoutException --output json',
    `<%= config.bin %> dlq peek orders.dlq --kind rabbitmq --where 'payload.customer.tier == gold'`,
  ];
  static override args = dlqArg;
  static override flags = {
    ...connectionFlags,
    ...filterFlags,
    limit: Flags.integer({ char: 'n', description: 'messages to show', default: 10, min: 1 }),
    scan: Flags.integer({
      description: 'messages to examine at most while filtering',
      default: 10_000,
      min: 1,
    }),
  };

  async run(): Promise<void> {
    const filter = buildFilter(this.flags);
    const connection = await this.connect();
    const access = dlqFor(connection);
    if (access.browseNote) this.note(`note: ${access.browseNote}`);
    const result = await peekDlq(access, this.args.dlq, {
      limit: this.flags.limit,
      scan: this.flags.scan,
      filter,
      signal: this.signal,
    });
    this.out(renderPeek(result, filter.description, this.outputFormat, this.style));
    if (this.outputFormat === 'table') {
      this.note(
        `${result.messages.length} shown, ${result.examined} examined (filter: ${filter.description})`,
      );
    }
  }
}
