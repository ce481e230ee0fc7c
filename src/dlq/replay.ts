import { createHash } from 'node:crypto';
import { MqctlError, UsageError } from '../core/errors';
import { replayHeaders } from './headers';
import type { Filter } from './filter';
import type { Pacer } from './rate';
import type { DlqMessage } from './types';

/**
 * Broker-independent replay logic: which messages go, where, with which marks, and the summary. The
 * per-broker engines (src/brokers/<kind>/dlq.ts) do the safe copying: a transaction on Kafka, an AMQP
 * transaction (copies and acks together) on RabbitMQ, send receipts on Pulsar.
 */

export interface ReplayOptions {
  /** Override destination; otherwise each message goes back to its origin. */
  to?: string;
  /**
   * RabbitMQ, without --to: `queue` (default) publishes to the queue the message died in through the default
   * exchange (only that queue gets it); `exchange` publishes to the exchange and routing keys of its latest death
   * (x-death[0]: how it reached the queue it last died in), so every queue bound there gets a copy again.
   */
  route?: 'queue' | 'exchange';
  filter: Filter;
  /** Loop guard: messages already replayed this many times stay in the DLQ. */
  maxReplays: number;
  /** Replay at most this many messages. */
  limit?: number;
  pacer: Pacer;
  dryRun: boolean;
  /** Stable id of the job (DLQ + target + filter): re-runs resume the same job. */
  jobId: string;
  signal?: AbortSignal;
  /** Called after each message is decided (for the progress bar). */
  onProgress?: (summary: ReplaySummary) => void;
  /** Dry runs list at most this many planned messages. */
  planLimit?: number;
}

export type ReplayDecision =
  | { action: 'replay'; target: string }
  | { action: 'skip-filter' }
  | { action: 'skip-loop' }
  /**
   * `unroutable`: the message names no origin and there is no --to. Nothing about the cluster can fix that for
   * this job (its destination is each message's origin, and a message's headers never change): on Kafka the job
   * moves past it (reported, exit 1), instead of stopping its partition for good.
   */
  | { action: 'fail'; reason: string; unroutable?: boolean };

export interface PlannedReplay {
  position: string;
  partition?: number;
  key?: string;
  target: string;
  error?: string;
}

export interface ReplaySummary {
  dlq: string;
  jobId: string;
  dryRun: boolean;
  /** Messages examined in this run. */
  examined: number;
  /** Copied to their target and removed from the DLQ's backlog (or, in a dry run: would be). */
  replayed: number;
  skippedByFilter: number;
  skippedByLoopGuard: number;
  failed: number;
  /**
   * Kafka: of `failed`, the records with no origin (and no --to) that this job moved past: they stay in the DLQ,
   * and a re-run of the same job does not see them again (another job, with --to, can copy them). Present only
   * when there are some.
   */
  unroutable?: number;
  /** First few failure reasons. */
  failures: string[];
  /** Destination → count. */
  targets: Record<string, number>;
  /** Dry run: exactly what would go where (bounded by planLimit). */
  plan?: PlannedReplay[];
  interrupted: boolean;
  elapsedMs: number;
  /** Replayed messages per second over the run. */
  ratePerSecond: number;
  /** Broker-specific notes (e.g. RabbitMQ requeue behaviour). */
  notes: string[];
}

export function emptySummary(dlq: string, options: Pick<ReplayOptions, 'jobId' | 'dryRun'>): ReplaySummary {
  return {
    dlq,
    jobId: options.jobId,
    dryRun: options.dryRun,
    examined: 0,
    replayed: 0,
    skippedByFilter: 0,
    skippedByLoopGuard: 0,
    failed: 0,
    failures: [],
    targets: {},
    plan: options.dryRun ? [] : undefined,
    interrupted: false,
    elapsedMs: 0,
    ratePerSecond: 0,
    notes: [],
  };
}

/** Filter first, then the loop guard, then the destination. */
export function decideReplay(message: DlqMessage, options: ReplayOptions, now = Date.now()): ReplayDecision {
  if (!options.filter.matches(message, now)) return { action: 'skip-filter' };
  if (message.replay.count >= options.maxReplays) return { action: 'skip-loop' };
  const target = options.to ?? message.origin.topic;
  if (!target) {
    return {
      action: 'fail',
      reason: `${message.dlq} ${message.position}: no origin in its headers (${message.origin.convention}); use --to`,
      unroutable: true,
    };
  }
  return { action: 'replay', target };
}

/** Counts one decision into the summary (and the dry-run plan). */
export function record(
  summary: ReplaySummary,
  message: DlqMessage,
  decision: ReplayDecision,
  planLimit = 1000,
): void {
  summary.examined++;
  switch (decision.action) {
    case 'skip-filter':
      summary.skippedByFilter++;
      return;
    case 'skip-loop':
      summary.skippedByLoopGuard++;
      return;
    case 'fail':
      summary.failed++;
      if (summary.failures.length < 10) summary.failures.push(decision.reason);
      return;
    case 'replay':
      summary.replayed++;
      summary.targets[decision.target] = (summary.targets[decision.target] ?? 0) + 1;
      if (summary.plan && summary.plan.length < planLimit) {
        summary.plan.push({
          position: message.position,
          partition: message.partition,
          key: message.key?.toString('utf8'),
          target: decision.target,
          error: message.error.className,
        });
      }
  }
}

/** Undo a counted replay whose copy failed (the DLQ message stays). */
export function recordFailure(summary: ReplaySummary, target: string, reason: string): void {
  summary.replayed--;
  summary.targets[target] = (summary.targets[target] ?? 1) - 1;
  if (summary.targets[target] === 0) delete summary.targets[target];
  summary.failed++;
  if (summary.failures.length < 10) summary.failures.push(reason);
}

export function finishSummary(summary: ReplaySummary, startedAt: number): ReplaySummary {
  summary.elapsedMs = Date.now() - startedAt;
  summary.ratePerSecond =
    summary.elapsedMs > 0 ? Math.round((summary.replayed * 1000 * 10) / summary.elapsedMs) / 10 : 0;
  return summary;
}

/** A job id that is the same for the same DLQ, destination and filter, so that a re-run resumes. */
export function replayJobId(
  dlq: string,
  to: string | undefined,
  filter: Filter,
  maxReplays: number,
  route: 'queue' | 'exchange' = 'queue',
): string {
  const destination = to ?? (route === 'exchange' ? '<origin-exchange>' : '<origin>');
  const hash = createHash('sha256')
    .update([dlq, destination, filter.canonical, String(maxReplays)].join('\u0000'))
    .digest('hex')
    .slice(0, 16);
  return `mqctl-dlq-replay-${hash}`;
}

/** `<dlq>:<partition>:<offset>` (Kafka) or `<dlq>:<id>` — what `mqctl-replayed-from` holds. */
export function replayedFrom(message: DlqMessage): string {
  return message.partition === undefined
    ? `${message.dlq}:${message.position}`
    : `${message.dlq}:${message.partition}:${message.position}`;
}

export function markHeaders(message: DlqMessage, jobId: string, now = new Date()): Record<string, string> {
  return replayHeaders(message.replay, replayedFrom(message), jobId, now);
}

/**
 * `--to` naming the dead-letter queue itself would copy every message back onto it (the loop guard would let
 * each go round --max-replays times): a usage error before anything is read.
 */
export function checkReplayTarget(dlq: string, to: string | undefined): void {
  if (to === undefined) return;
  const local = (name: string) => name.replace(/^(?:non-)?persistent:\/\/public\/default\//, '');
  if (local(to) === local(dlq)) {
    throw new UsageError(
      `--to ${to} is the dead-letter queue itself: every message would go back where it is`,
      {
        hint: 'name the topic or queue the messages should return to, or leave --to out to use each origin',
      },
    );
  }
}

export function describeTarget(to: string | undefined): string {
  return to ? to : "each message's origin";
}

/** A replay that stopped on a broker error: carries the partial summary so the command can print it. */
export class ReplayFailedError extends MqctlError {
  constructor(
    readonly summary: ReplaySummary,
    cause: unknown,
  ) {
    const inner = cause instanceof MqctlError ? cause : undefined;
    super(`replay of ${summary.dlq} stopped: ${(cause as Error).message}`, inner?.exitCode ?? 1, {
      hint:
        inner?.hint ??
        'nothing was lost: the failed chunk stays in the DLQ; fix the cause and run the same command again',
      cause,
    });
  }
}

/**
 * A replay (or dry run) in which messages failed: exit 1 after the summary. The failed messages stay in the
 * DLQ and a re-run of the same command, once the cause is fixed, copies them.
 */
export function failedMessagesError(summary: ReplaySummary): MqctlError | undefined {
  if (summary.failed === 0) return undefined;
  const first = summary.failures[0] ? ` (first: ${summary.failures[0]})` : '';
  const unroutable = summary.unroutable ?? 0;
  const passed =
    unroutable === 0
      ? ''
      : `, ${unroutable} ${summary.dryRun ? 'would be moved' : 'moved'} past (no origin, no --to)`;
  const retry =
    'fix the cause (create the missing topic/queue, or give --to) and run the same command again: it copies them then';
  const escape = `records with no origin stay in the DLQ, and this job does not return to them: copy them with --to TOPIC --where 'not origin exists' (another job), or leave them`;
  return new MqctlError(
    summary.dryRun
      ? `dry run of ${summary.dlq}: ${summary.failed} message(s) would fail${passed}${first}`
      : `replay of ${summary.dlq}: ${summary.failed} message(s) failed and stay in the DLQ${passed}${first}`,
    1,
    {
      hint: unroutable === 0 ? retry : unroutable === summary.failed ? escape : `${retry}; ${escape}`,
    },
  );
}
