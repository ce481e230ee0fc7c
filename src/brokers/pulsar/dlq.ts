import { MqctlError, UsageError } from '../../core/errors';
import { testPause } from '../../core/test-pause';
import { PULSAR, decodePulsarOrigin, decodeReplayMark } from '../../dlq/headers';
import {
  ReplayFailedError,
  decideReplay,
  emptySummary,
  finishSummary,
  markHeaders,
  record,
  recordFailure,
  type ReplayOptions,
  type ReplaySummary,
} from '../../dlq/replay';
import type { DlqMessage, DlqSummaryRow, RetryStage } from '../../dlq/types';
import {
  DEFAULT_PULSAR_DLQ_PATTERNS,
  globsToRegExp,
  type DlqAccess,
  type DlqBrowseOptions,
  type DlqListOptions,
  type PurgeOptions,
  type PurgeSummary,
} from '../contracts/dlq';
import type { PulsarConnection } from './connection';
import { decodeMessage } from './binary/proto';
import { parsePulsarTopic, refuseSystemTopic, type PulsarTopicName } from './topic-name';
import type { PulsarIncomingMessage, PulsarWsProducer } from './websocket';

/** The subscription mqctl creates (at the earliest message) on a DLQ that has none. */
export const MQCTL_DLQ_SUBSCRIPTION = 'mqctl-dlq';
/**
 * Copies sent and not yet acked in the DLQ at most: a kill can copy these again (their copy may be stored while
 * the DLQ message goes back to the backlog), so this is the per-kill bound. It was 400: 20 kills measured 182 per
 * kill, 400 at most (2026-12-01). Unthrottled replays of 20,000 messages on the 2-core VM were no slower at 100
 * (1,575-1,784 msg/s) than at 400 (1,285-1,385); the window only limits throughput over a slow link (100 per
 * round trip: 5,000 msg/s at 20 ms).
 */
const MAX_IN_FLIGHT = 100;
/** Messages left in the DLQ are nacked with this delay: they come back only after the run's consumer closed. */
const NACK_DELAY_MS = 3_600_000;

/**
 * A WebSocket API message id (base64 of the MessageIdData protobuf) as `ledger:entry`, the form the admin API's
 * peek shows (`X-Pulsar-Message-ID`): one message-id form in peek, replay plans and `mqctl-replayed-from`.
 */
export function readableMessageId(id: string): string {
  if (/^\d+:\d+/.test(id)) return id;
  try {
    const d = decodeMessage('MessageIdData', Buffer.from(id, 'base64'));
    return `${String(d.ledgerId)}:${String(d.entryId)}`;
  } catch {
    return id;
  }
}

interface InternalStats {
  numberOfEntries?: number;
}

interface TopicStats {
  lastPublishTimeStamp?: number;
  subscriptions?: Record<string, { msgBacklog?: number; earliestMsgPublishTimeInBacklog?: number }>;
}

/**
 * Pulsar DLQs (`<topic>-<subscription>-DLQ`). What is "in" a DLQ is the backlog of its subscription (the one
 * the dead-letter policy's initialSubscriptionName created, or mqctl-dlq). Peek uses the admin API's
 * peek-by-position on that subscription (no consumer, no acks). Replay acks a DLQ message only after the send
 * receipt of its copy.
 */
export class PulsarDlq implements DlqAccess {
  readonly notes: string[] = [];

  constructor(private readonly connection: PulsarConnection) {}

  private base(t: PulsarTopicName): string {
    return `/admin/v2/${t.restPath}`;
  }

  private stats(t: PulsarTopicName): Promise<TopicStats> {
    return this.connection.admin.request<TopicStats>({
      path: `${this.base(t)}/stats`,
      query: { getEarliestTimeInBacklog: true },
      subject: `DLQ topic ${t.full}`,
    });
  }

  /**
   * The subscription that holds the DLQ's backlog; created at the earliest message when there is none. With
   * none (and create false), the backlog is every entry of the topic: what a subscription created at the
   * earliest message would hold, and what replay would then copy (`exists` false).
   */
  private async subscription(
    t: PulsarTopicName,
    create = true,
  ): Promise<{ name: string; backlog: number; exists: boolean }> {
    const stats = await this.stats(t);
    const subs = Object.entries(stats.subscriptions ?? {});
    if (subs.length === 0) {
      if (!create) {
        const internal = await this.connection.admin.request<InternalStats>({
          path: `${this.base(t)}/internalStats`,
          subject: `DLQ topic ${t.full}`,
        });
        return { name: MQCTL_DLQ_SUBSCRIPTION, backlog: internal.numberOfEntries ?? 0, exists: false };
      }
      await this.connection.admin.request({
        method: 'PUT',
        path: `${this.base(t)}/subscription/${MQCTL_DLQ_SUBSCRIPTION}`,
        body: { ledgerId: -1, entryId: -1, partitionIndex: -1 },
        subject: `DLQ topic ${t.full}`,
      });
      this.notes.push(
        `${t.full} had no subscription: created ${MQCTL_DLQ_SUBSCRIPTION} at the earliest message`,
      );
      return this.subscription(t, false);
    }
    const own = subs.find(([name]) => name === MQCTL_DLQ_SUBSCRIPTION);
    const chosen = own ?? subs.sort((a, b) => (b[1].msgBacklog ?? 0) - (a[1].msgBacklog ?? 0))[0]!;
    if (!own && subs.length > 1)
      this.notes.push(`${t.full} has ${subs.length} subscriptions: using "${chosen[0]}" (largest backlog)`);
    return { name: chosen[0], backlog: chosen[1].msgBacklog ?? 0, exists: true };
  }

  async depth(dlq: string, action?: string): Promise<number> {
    const t = parsePulsarTopic(dlq);
    if (action) refuseSystemTopic(action, t);
    return (await this.subscription(t, false)).backlog;
  }

  async list(options: DlqListOptions): Promise<DlqSummaryRow[]> {
    const admin = this.connection.admin;
    const pattern = globsToRegExp(options.patterns ?? DEFAULT_PULSAR_DLQ_PATTERNS);
    const rows: DlqSummaryRow[] = [];
    const now = Date.now();
    const tenants = await admin.get<string[]>('/admin/v2/tenants');
    for (const tenant of tenants) {
      const namespaces = await admin.get<string[]>(`/admin/v2/namespaces/${encodeURIComponent(tenant)}`);
      for (const ns of namespaces) {
        const topics = await admin.get<string[]>(`/admin/v2/persistent/${ns}`).catch(() => [] as string[]);
        for (const full of topics) {
          const t = parsePulsarTopic(full);
          if (!pattern.test(t.local) || /-partition-\d+$/.test(t.local)) continue;
          const stats = await this.stats(t);
          const sub = await this.subscription(t, false);
          const sources = new Set<string>();
          let oldest: number | undefined;
          if (sub.backlog > 0 && options.sample > 0) {
            for await (const m of this.browse(full, { limit: Math.min(options.sample, 50) })) {
              if (m.origin.topic) sources.add(m.origin.topic);
              if (m.timestamp !== undefined)
                oldest = oldest === undefined ? m.timestamp : Math.min(oldest, m.timestamp);
            }
          }
          const newest = stats.lastPublishTimeStamp || undefined;
          rows.push({
            name: t.full,
            kind: 'pulsar',
            recognisedBy: sub.exists
              ? `name pattern (subscription ${sub.name})`
              : 'name pattern (no subscription: every message counts)',
            depth: sub.backlog,
            oldestTimestamp: oldest,
            newestTimestamp: sub.backlog > 0 ? newest : undefined,
            oldestAgeMs: oldest === undefined ? undefined : now - oldest,
            newestAgeMs: sub.backlog > 0 && newest ? now - newest : undefined,
            sources: [...sources].sort(),
          });
          const retry = retryTopicOf(t);
          if (retry && topics.includes(retry.full))
            rows[rows.length - 1]!.retryChain = [await this.retryStage(retry, options.sample)];
        }
      }
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  async retryChain(dlq: string, sample: number): Promise<RetryStage[]> {
    const retry = retryTopicOf(parsePulsarTopic(dlq));
    if (!retry) return [];
    const topics = await this.connection.admin
      .get<string[]>(`/admin/v2/persistent/${retry.tenant}/${retry.namespace}`)
      .catch(() => [] as string[]);
    return topics.includes(retry.full) ? [await this.retryStage(retry, sample)] : [];
  }

  /**
   * The retry letter topic as a stage: the backlog of its subscription (the consumer's own subscription name: a
   * retry-enabled consumer subscribes to the retry topic with it), and from up to `sample` of its messages (admin
   * peek: nothing consumed) the attempts (RECONSUMETIMES) and due times (deliver-at).
   */
  private async retryStage(retry: PulsarTopicName, sample: number): Promise<RetryStage> {
    const sub = await this.subscription(retry, false);
    const stage: RetryStage = { topic: retry.full, depth: sub.backlog, sampled: 0, notYetDue: 0 };
    if (sub.exists) stage.subscription = sub.name;
    const now = Date.now();
    if (sample > 0 && sub.backlog > 0) {
      for await (const m of this.browse(retry.full, { limit: sample })) {
        stage.sampled++;
        if (m.origin.deaths !== undefined)
          stage.maxAttempts = Math.max(stage.maxAttempts ?? 0, m.origin.deaths);
        if (m.origin.nextAttemptAt !== undefined && m.origin.nextAttemptAt > now) {
          stage.notYetDue++;
          stage.nextDueAt = Math.min(stage.nextDueAt ?? Infinity, m.origin.nextAttemptAt);
        }
      }
    }
    return stage;
  }

  private decode(dlq: string, m: PulsarIncomingMessage): DlqMessage {
    const { origin, error } = decodePulsarOrigin(m.properties, dlq);
    const ts = Date.parse(m.publishTime);
    const id = readableMessageId(m.messageId);
    // A retry-letter message is delivered at its deliver-at time (publish time + DELAY_TIME).
    const deliverAt = m.deliverAtTime ? Date.parse(m.deliverAtTime) : NaN;
    const delay = Number(m.properties[PULSAR.delayTime]);
    if (!Number.isNaN(deliverAt)) origin.nextAttemptAt = deliverAt;
    else if (m.properties[PULSAR.delayTime] !== undefined && Number.isFinite(delay) && !Number.isNaN(ts))
      origin.nextAttemptAt = ts + delay;
    return {
      dlq,
      position: id,
      timestamp: Number.isNaN(ts) ? undefined : ts,
      key: m.key === undefined ? undefined : Buffer.from(m.key),
      payload: m.payload,
      headers: { ...m.properties },
      origin,
      error,
      replay: decodeReplayMark(m.properties),
      messageId: id,
    };
  }

  async *browse(dlq: string, options: DlqBrowseOptions): AsyncGenerator<DlqMessage> {
    const t = parsePulsarTopic(dlq);
    const sub = await this.subscription(t, false);
    const bound = Math.min(options.limit, sub.backlog);
    if (!sub.exists) {
      // No subscription to peek on: a reader from the earliest message (non-durable, creates nothing).
      if (bound === 0) return;
      const reader = await this.connection.websocket.reader(t.full, {
        messageId: 'earliest',
        receiverQueueSize: Math.min(bound, 1000),
      });
      try {
        for (let n = 1; n <= bound && !options.signal?.aborted; n++) {
          const m = await reader.receive(this.connection.timeoutMs);
          if (!m) break;
          reader.ack(m.messageId);
          yield this.decode(t.full, m);
        }
      } finally {
        await reader.close();
      }
      return;
    }
    for (let n = 1; n <= bound && !options.signal?.aborted; n++) {
      const raw = await this.connection.admin.getRaw(
        `${this.base(t)}/subscription/${encodeURIComponent(sub.name)}/position/${n}`,
        `DLQ topic ${t.full}`,
      );
      let properties: Record<string, string> = {};
      try {
        properties = JSON.parse(raw.headers['x-pulsar-property'] ?? '{}') as Record<string, string>;
      } catch {
        properties = {};
      }
      const keyHeader = raw.headers['x-pulsar-partition-key'];
      const key =
        keyHeader === undefined
          ? undefined
          : raw.headers['x-pulsar-partition-key-b64-encoded'] === 'true'
            ? Buffer.from(keyHeader, 'base64').toString('utf8')
            : keyHeader;
      yield this.decode(t.full, {
        messageId: raw.headers['x-pulsar-message-id'] ?? String(n),
        payload: raw.body,
        key,
        properties,
        publishTime: raw.headers['x-pulsar-publish-time'] ?? '',
        redeliveryCount: 0,
        deliverAtTime: raw.headers['x-pulsar-deliver-at-time'],
      });
    }
  }

  async replay(dlq: string, options: ReplayOptions): Promise<ReplaySummary> {
    if (options.route === 'exchange' && !options.to)
      throw new UsageError('--route exchange is for RabbitMQ (exchanges and routing keys)', {
        hint: 'leave --route out: copies go to the origin topic',
      });
    const startedAt = Date.now();
    const t = parsePulsarTopic(dlq);
    const summary = emptySummary(t.full, options);
    const sub = await this.subscription(t, !options.dryRun);
    summary.notes.push(...this.notes);
    if (options.dryRun) {
      if (!sub.exists)
        summary.notes.push(
          `${t.full} has no subscription: the replay will create ${MQCTL_DLQ_SUBSCRIPTION} at the earliest message and take all ${sub.backlog}`,
        );
      for await (const m of this.browse(dlq, { limit: sub.backlog, signal: options.signal })) {
        if (options.limit !== undefined && summary.replayed >= options.limit) break;
        record(summary, m, decideReplay(m, options), options.planLimit);
      }
      return finishSummary(summary, startedAt);
    }
    const ws = this.connection.websocket;
    const consumer = await ws.consumer(t.full, sub.name, {
      subscriptionType: 'Shared',
      receiverQueueSize: 1000,
      negativeAckRedeliveryDelay: NACK_DELAY_MS,
      consumerName: `mqctl-replay-${options.jobId.slice(-8)}`,
    });
    const producers = new Map<string, Promise<PulsarWsProducer>>();
    const producerFor = (target: string) => {
      if (!producers.has(target)) {
        const p = ws.producer(target, { sendTimeoutMillis: this.connection.timeoutMs });
        p.catch(() => undefined);
        producers.set(target, p);
      }
      return producers.get(target)!;
    };
    let inFlight = 0;
    let failure: unknown;
    const settled = new Set<Promise<void>>();
    try {
      const idleMs = this.connection.timeoutMs;
      while (summary.examined < sub.backlog) {
        if (options.signal?.aborted || failure) break;
        if (options.limit !== undefined && summary.replayed >= options.limit) break;
        const incoming = await consumer.receive(idleMs);
        if (!incoming) break;
        const message = this.decode(t.full, incoming);
        const decision = decideReplay(message, options);
        if (decision.action === 'replay') await options.pacer.take(options.signal);
        record(summary, message, decision, options.planLimit);
        options.onProgress?.(summary);
        if (decision.action !== 'replay') {
          // Left in the DLQ. The WebSocket proxy holds at most ~1000 unacknowledged messages per consumer, so
          // this one is negatively acknowledged with a redelivery delay far beyond the run: it goes back to
          // the backlog when the consumer closes (its redelivery count goes up by one).
          consumer.nack(incoming.messageId);
          continue;
        }
        const target = decision.target;
        inFlight++;
        const work = producerFor(target)
          .then((producer) => {
            const sent = producer.send({
              payload: incoming.payload,
              key: incoming.key,
              properties: { ...incoming.properties, ...markHeaders(message, options.jobId) },
            });
            testPause('pulsar:sent'); // the send is written, its receipt not read
            return sent;
          })
          .then(
            () => {
              testPause('pulsar:receipt');
              consumer.ack(incoming.messageId); // only after the send receipt
            },
            (error: unknown) => {
              failure ??= error;
              recordFailure(
                summary,
                target,
                `${t.full} ${message.position} → ${target}: ${(error as Error).message}`,
              );
            },
          )
          .finally(() => {
            inFlight--;
            settled.delete(work);
          });
        settled.add(work);
        while (inFlight >= MAX_IN_FLIGHT) await Promise.race(settled);
      }
      await Promise.allSettled([...settled]);
      const wanted = options.limit === undefined || summary.replayed < options.limit;
      if (summary.examined < sub.backlog && wanted && !options.signal?.aborted && !failure)
        summary.notes.push(
          `stopped after ${summary.examined} of ${sub.backlog} messages: nothing arrived for ${this.connection.timeoutMs} ms (another consumer on ${sub.name}?); run again to continue`,
        );
    } finally {
      for (const p of producers.values()) await (await p.catch(() => undefined))?.close();
      await consumer.close();
    }
    summary.interrupted = Boolean(options.signal?.aborted);
    finishSummary(summary, startedAt);
    if (failure) throw new ReplayFailedError(summary, failure);
    return summary;
  }

  async purge(dlq: string, options: PurgeOptions): Promise<PurgeSummary> {
    const t = parsePulsarTopic(dlq);
    refuseSystemTopic('purge', t);
    const sub = await this.subscription(t, false);
    if (!options.filter) {
      await this.connection.admin.request({
        method: 'POST',
        path: `${this.base(t)}/subscription/${encodeURIComponent(sub.name)}/skip_all`,
        subject: `DLQ topic ${t.full}`,
      });
      return {
        dlq: t.full,
        purged: sub.backlog,
        kept: 0,
        method: `skip_all on subscription ${sub.name}`,
        notes: [],
      };
    }
    const consumer = await this.connection.websocket.consumer(t.full, sub.name, {
      subscriptionType: 'Shared',
      receiverQueueSize: 1000,
      negativeAckRedeliveryDelay: NACK_DELAY_MS,
    });
    let purged = 0;
    let kept = 0;
    const now = Date.now();
    try {
      while (purged + kept < sub.backlog && !options.signal?.aborted) {
        const m = await consumer.receive(this.connection.timeoutMs);
        if (!m) break;
        if (options.filter.matches(this.decode(t.full, m), now)) {
          consumer.ack(m.messageId);
          purged++;
        } else {
          consumer.nack(m.messageId);
          kept++;
        }
      }
      // Acks are fire-and-forget on the WebSocket API: give them a moment before closing.
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await consumer.close();
    }
    if (purged + kept < sub.backlog)
      throw new MqctlError(`purge of ${t.full} stopped after ${purged + kept} of ${sub.backlog} messages`);
    return { dlq: t.full, purged, kept, method: `ack on subscription ${sub.name}`, notes: [] };
  }
}

/**
 * The retry letter topic next to a dead letter topic: `<topic>-<subscription>-RETRY` for
 * `<topic>-<subscription>-DLQ` (the Java client's defaults since 2.8), and the older `<namespace>/<subscription>-RETRY`
 * for `<namespace>/<subscription>-DLQ`: the same name with -RETRY for -DLQ, in the same namespace.
 */
export function retryTopicOf(dlq: PulsarTopicName): PulsarTopicName | undefined {
  if (!/-DLQ$/.test(dlq.local)) return undefined;
  return parsePulsarTopic(dlq.full.replace(/-DLQ$/, '-RETRY'));
}
