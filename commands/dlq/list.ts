import { Flags } from '@oclif/core';
import { dlqFor } from '../../src/brokers/dlq';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderDlqList } from '../../src/dlq/render';

export default class DlqListCommand extends BaseCommand<typeof DlqListCommand> {
  static override summary = 'List dead-letter queues with depth, oldest/newest message age and source topics';
  static override description = `Kafka: topics named like *-dlt, *.DLT, *.dlq, *-dlq, dlq.* (change with --pattern); sources come from
the Spring / Kafka Connect headers of a bounded sample (--sample). RabbitMQ: queues bound to a dead-letter exchange
of another queue (x-dead-letter-exchange argument or policy), or named like a DLQ; sources are the queues that
dead-letter into them. Pulsar: topics named <topic>-<subscription>-DLQ (and <namespace>/<subscription>-DLQ).
RETRY CHAIN: the retry stages that feed a DLQ (Spring <topic>-retry-N topics, Pulsar's <topic>-<subscription>-RETRY,
RabbitMQ queues with a message TTL that dead-letter back to the source queue): per stage waiting/depth, the most
attempts (aN), the TTL and the next due time, then how many reached the DLQ. Never consumes, acks or commits
(RabbitMQ stages: depth and TTL only; dlq stats reads them).`;
  static override examples = [
    '<%= config.bin %> dlq list --kind kafka',
    '<%= config.bin %> dlq list --kind kafka --pattern "*.errors" --output json',
    '<%= config.bin %> dlq list --kind rabbitmq',
  ];
  static override flags = {
    ...connectionFlags,
    pattern: Flags.string({
      char: 'p',
      description: 'glob that marks a topic/queue as a DLQ, repeatable (replaces the defaults)',
      multiple: true,
    }),
    sample: Flags.integer({
      description: 'messages read per DLQ to find source topics and ages (0: none)',
      default: 200,
      min: 0,
    }),
  };

  async run(): Promise<void> {
    const connection = await this.connect();
    const rows = await dlqFor(connection).list({ patterns: this.flags.pattern, sample: this.flags.sample });
    this.out(renderDlqList(rows, this.outputFormat, this.style));
  }
}
