import type { DlqAccess } from '../brokers/dlq';
import type { Filter } from './filter';
import { computeStats, type DlqStats } from './stats';
import type { DlqMessage } from './types';

export interface PeekOptions {
  /** Messages to show. */
  limit: number;
  /** Messages to examine at most while looking for matches. */
  scan: number;
  filter: Filter;
  signal?: AbortSignal;
}

export interface PeekResult {
  dlq: string;
  messages: DlqMessage[];
  examined: number;
}

/** The first `limit` messages that match, from the oldest; never consumes, acks or commits. */
export async function peekDlq(access: DlqAccess, dlq: string, options: PeekOptions): Promise<PeekResult> {
  const messages: DlqMessage[] = [];
  let examined = 0;
  const now = Date.now();
  for await (const m of access.browse(dlq, { limit: options.scan, signal: options.signal })) {
    examined++;
    if (options.filter.matches(m, now)) messages.push(m);
    if (messages.length >= options.limit) break;
  }
  return { dlq, messages, examined };
}

/** Counts over the whole DLQ (up to `scan` messages), grouped by error class, source and time. */
export async function statsDlq(
  access: DlqAccess,
  dlq: string,
  options: { scan: number; filter: Filter; signal?: AbortSignal; retrySample?: number },
): Promise<DlqStats> {
  const depth = await access.depth(dlq);
  const selected: DlqMessage[] = [];
  let examined = 0;
  const now = Date.now();
  for await (const m of access.browse(dlq, { limit: options.scan, signal: options.signal })) {
    examined++;
    // Keep what the counts need, not the payloads.
    if (options.filter.matches(m, now))
      selected.push({ ...m, payload: Buffer.alloc(0), key: undefined, headers: {}, rawHeaders: undefined });
  }
  const stats = computeStats(dlq, selected, Math.max(depth, examined), examined < depth);
  const chain = await access.retryChain(dlq, options.retrySample ?? 200);
  if (chain.length > 0) stats.retryChain = chain;
  return stats;
}
