import { Flags } from '@oclif/core';
import { dlqFor } from '../../src/brokers/dlq';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList, type Column } from '../../src/cli/output';
import type { DlqSummaryRow } from '../../src/dlq/types';
import { formatDuration } from '../../src/util/duration';

export default class DlqListCommand extends BaseCommand<typeof DlqListCommand> {
  static override summary = 'List dead-letter queues with depth, oldest/newest message age and source topics';
  static override description = `Kafka: topics named like *-dlt, *.DLT, *.dlq, *-dlq, dlq.* (change with --pattern); sources come from
the Spring / Kafka Connect headers of a bounded sample (--sample). RabbitMQ: queues bound to a dead-letter exchange
of another queue (x-dead-letter-exchange argument or policy), or named like a DLQ; sources are the queues that
dead-letter into them. Pulsar: topics named <topic>-<subscription>-DLQ (and <namespace>/<subscription>-DLQ).
Never consumes, acks or commits.`;
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
    const columns: Column<DlqSummaryRow>[] = [
      { header: 'DLQ', get: (r) => r.name },
      { header: 'DEPTH', get: (r) => r.depth, align: 'right' },
      {
        header: 'OLDEST',
        get: (r) => (r.oldestAgeMs === undefined ? '-' : `${formatDuration(r.oldestAgeMs)} ago`),
      },
      {
        header: 'NEWEST',
        get: (r) => (r.newestAgeMs === undefined ? '-' : `${formatDuration(r.newestAgeMs)} ago`),
      },
      { header: 'SOURCES', get: (r) => (r.sources.length ? r.sources.join(',') : '-') },
      { header: 'FOUND BY', get: (r) => r.recognisedBy },
    ];
    const doc = rows.map((r) => ({
      ...r,
      oldestTimestamp:
        r.oldestTimestamp === undefined ? undefined : new Date(r.oldestTimestamp).toISOString(),
      newestTimestamp:
        r.newestTimestamp === undefined ? undefined : new Date(r.newestTimestamp).toISOString(),
    }));
    this.out(renderList(this.outputFormat, rows, columns, this.style, { dlqs: doc }));
  }
}
