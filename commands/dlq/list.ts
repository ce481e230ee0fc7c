import { Flags } from '@oclif/core';
import { dlqFor } from '../../src/brokers/dlq';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList, type Column } from '../../src/core/output';
import { retryChainCell } from '../../src/dlq/render';
import type { DlqSummaryRow } from '../../src/dlq/types';
import { formatDuration } from '../../src/util/duration';

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
    const columns: Column<DlqSummaryRow>[] = [
      { header: 'DLQ', get: (r) => r.name },
      { header: 'DEPTH', get: (r) => r.depth, align: 'right' },
      {
        // Kafka keeps replayed records: what a replay job still has to copy (the job with the fewest left).
        header: 'LEFT (JOB)',
        get: (r) =>
          r.replayJobs?.length
            ? `${r.replayJobs[0]!.left} (${r.replayJobs[0]!.jobId.replace(/^mqctl-dlq-replay-/, '')}` +
              `${r.replayJobs.length > 1 ? ` +${r.replayJobs.length - 1} jobs` : ''})`
            : '-',
        align: 'right',
      },
      {
        header: 'OLDEST',
        get: (r) => (r.oldestAgeMs === undefined ? '-' : `${formatDuration(r.oldestAgeMs)} ago`),
      },
      {
        header: 'NEWEST',
        get: (r) => (r.newestAgeMs === undefined ? '-' : `${formatDuration(r.newestAgeMs)} ago`),
      },
      { header: 'SOURCES', get: (r) => (r.sources.length ? r.sources.join(',') : '-') },
      {
        // Retry chain (Spring retry topics, Pulsar retry letter topic, RabbitMQ TTL retry queues): per stage
        // waiting (not yet due) / depth, the most attempts, TTL, next due time; then how many reached the DLQ.
        header: 'RETRY CHAIN',
        get: (r) => retryChainCell(r.retryChain, r.depth),
      },
      { header: 'FOUND BY', get: (r) => r.recognisedBy },
    ];
    const doc = rows.map((r) => ({
      ...r,
      oldestTimestamp:
        r.oldestTimestamp === undefined ? undefined : new Date(r.oldestTimestamp).toISOString(),
      newestTimestamp:
        r.newestTimestamp === undefined ? undefined : new Date(r.newestTimestamp).toISOString(),
    }));
    this.out(renderList(this.outputFormat, rows, columns, this.style, doc));
  }
}
