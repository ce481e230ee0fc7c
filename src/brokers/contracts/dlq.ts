import type { Filter } from '../../dlq/filter';
import type { ReplayOptions, ReplaySummary } from '../../dlq/replay';
import type { DlqMessage, DlqSummaryRow, RetryStage } from '../../dlq/types';

export interface DlqListOptions {
  /** Name patterns (globs) that mark a topic/queue as a DLQ; defaults per broker kind. */
  patterns?: string[];
  /** Messages read per DLQ to find the source topics (0: none). */
  sample: number;
}

export interface DlqBrowseOptions {
  /** Stop after this many messages (matched or not). */
  limit: number;
  signal?: AbortSignal;
}

export interface PurgeOptions {
  /** undefined: purge everything. */
  filter?: Filter;
  signal?: AbortSignal;
}

export interface PurgeSummary {
  dlq: string;
  purged: number;
  kept: number;
  /** How the broker removed them ("deleteRecords", "queue.purge", "ack", "skip_all"). */
  method: string;
  notes: string[];
}

/** Dead-letter queue access for one broker kind. */
export interface DlqAccess {
  /** DLQs in the cluster with depth, ages and sources. */
  list(options: DlqListOptions): Promise<DlqSummaryRow[]>;
  /** Messages from the oldest, without consuming, acking or committing anything. */
  browse(dlq: string, options: DlqBrowseOptions): AsyncGenerator<DlqMessage>;
  /** What browsing does to the DLQ, said plainly (shown on stderr). */
  readonly browseNote?: string;
  /**
   * Total messages in the DLQ (for stats, progress and prompts). With `action` (e.g. "purge"), a
   * broker-owned topic or queue is refused first (exit 2, see contracts/protected.ts).
   */
  depth(dlq: string, action?: string): Promise<number>;
  replay(dlq: string, options: ReplayOptions): Promise<ReplaySummary>;
  /**
   * The retry stages that feed this DLQ (Spring retry topics, Pulsar's retry letter topic, RabbitMQ TTL retry
   * queues), each with its depth and, from up to `sample` of its messages, attempts and due times; [] when the
   * DLQ ends no retry chain. RabbitMQ reads messages only when `sample` > 0 (taking them requeues them).
   */
  retryChain(dlq: string, sample: number): Promise<RetryStage[]>;
  purge(dlq: string, options: PurgeOptions): Promise<PurgeSummary>;
}

/** Turns `*-dlt`, `dlq.*` globs into one regular expression. */
export function globsToRegExp(globs: string[]): RegExp {
  const parts = globs.map(
    (g) =>
      '^' +
      g
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return new RegExp(parts.join('|'));
}

export const DEFAULT_KAFKA_DLQ_PATTERNS = [
  '*-dlt',
  '*.DLT',
  '*.dlq',
  '*-dlq',
  'dlq.*',
  '*.dlt',
  '*-DLT',
  '*.DLQ',
  '*-DLQ',
];
export const DEFAULT_RABBIT_DLQ_PATTERNS = ['*.dlq', '*-dlq', 'dlq.*', '*.DLQ', '*-DLQ', '*.dlx.queue'];
export const DEFAULT_PULSAR_DLQ_PATTERNS = ['*-DLQ'];
