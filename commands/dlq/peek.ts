import { Flags } from '@oclif/core';
import { dlqFor } from '../../src/brokers/dlq';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList, type Column } from '../../src/core/output';
import { buildFilter } from '../../src/dlq/filter';
import { dlqArg, filterFlags } from '../../src/cli/flags/dlq';
import { peekDlq } from '../../src/dlq/inspect';
import { formatPayload, messageDocument, renderMessage } from '../../src/dlq/render';
import type { DlqMessage } from '../../src/dlq/types';

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
    const format = this.outputFormat;
    if (format === 'table') {
      const bold = (s: string) => (this.style.color ? `\u001b[1m${s}\u001b[22m` : s);
      this.out(
        result.messages.length === 0
          ? `(no matching messages in ${result.dlq}; examined ${result.examined})`
          : result.messages.map((m) => renderMessage(m, bold)).join('\n\n'),
      );
      this.note(
        `${result.messages.length} shown, ${result.examined} examined (filter: ${filter.description})`,
      );
      return;
    }
    const columns: Column<DlqMessage>[] = [
      { header: 'partition', get: (m) => m.partition },
      { header: 'position', get: (m) => m.position },
      { header: 'timestamp', get: (m) => (m.timestamp ? new Date(m.timestamp).toISOString() : undefined) },
      { header: 'origin', get: (m) => m.origin.topic },
      { header: 'originPartition', get: (m) => m.origin.partition },
      { header: 'originOffset', get: (m) => m.origin.offset ?? m.origin.messageId },
      { header: 'errorClass', get: (m) => m.error.className },
      { header: 'errorMessage', get: (m) => m.error.message },
      { header: 'replays', get: (m) => m.replay.count },
      { header: 'key', get: (m) => (m.key ? formatPayload(m.key).text : undefined) },
      { header: 'payload', get: (m) => formatPayload(m.payload).text },
    ];
    this.out(
      renderList(format, result.messages, columns, this.style, result.messages.map(messageDocument), {
        dlq: result.dlq,
        examined: result.examined,
        filter: filter.description,
      }),
    );
  }
}
