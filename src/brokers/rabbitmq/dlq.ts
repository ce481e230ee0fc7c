import { createHash } from 'node:crypto';
import type { GetMessage, Message, Options } from 'amqplib';
import { NotFoundError, UnavailableError } from '../../cli/errors';
import { amqpHeadersToText, decodeRabbitOrigin, decodeReplayMark } from '../../dlq/headers';
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
import type { DlqMessage, DlqSummaryRow } from '../../dlq/types';
import {
  DEFAULT_RABBIT_DLQ_PATTERNS,
  globsToRegExp,
  type DlqAccess,
  type DlqBrowseOptions,
  type DlqListOptions,
  type PurgeOptions,
  type PurgeSummary,
} from '../dlq';
import type { AmqpChannel, RabbitConnection } from './connection';

interface QueueInfo {
  name: string;
  type?: string;
  messages?: number;
  arguments?: Record<string, unknown>;
  effective_policy_definition?: Record<string, unknown>;
  head_message_timestamp?: number;
}

interface Binding {
  destination: string;
  destination_type: string;
  routing_key: string;
}

/** Confirms outstanding at once: enough to keep the pipe full, few enough to bound a crash's duplicates. */
const MAX_IN_FLIGHT = 256;
/** Largest consumer prefetch replay asks for (messages left in the DLQ are held within it). */
const PREFETCH_LIMIT = 50_000;

const REQUEUE_NOTE =
  'RabbitMQ cannot browse without taking messages: mqctl takes them unacknowledged (basic.get) and returns ' +
  'them all with nack(requeue=true); contents and headers are unchanged, but they are marked redelivered ' +
  '(and on a quorum queue this counts as a delivery attempt)';

/**
 * RabbitMQ DLQs: queues that receive dead letters from another queue's dead-letter exchange. Replay copies
 * each message on a confirm channel and acks the DLQ delivery only after the broker confirmed its copy.
 */
export class RabbitDlq implements DlqAccess {
  readonly browseNote = REQUEUE_NOTE;

  constructor(private readonly connection: RabbitConnection) {}

  private queuePath(name: string): string {
    return `/api/queues/${this.connection.vhostPath}/${encodeURIComponent(name)}`;
  }

  async depth(queue: string): Promise<number> {
    const info = await this.connection.management.request<QueueInfo>({
      path: this.queuePath(queue),
      allow404: true,
      subject: `queue ${queue}`,
    });
    if (!info) throw this.notFound(queue);
    // The management API lags by a stats interval; passive declare has the live ready count.
    const { ch, ready } = await this.openOn(queue);
    await ch.close().catch(() => undefined);
    return ready;
  }

  private notFound(queue: string): NotFoundError {
    return new NotFoundError(
      `DLQ queue "${queue}" not found on RabbitMQ at ${this.connection.target} (vhost ${this.connection.vhost})`,
      { hint: 'see mqctl dlq list, or check --vhost' },
    );
  }

  async list(options: DlqListOptions): Promise<DlqSummaryRow[]> {
    const queues = await this.connection.management.get<QueueInfo[]>(
      `/api/queues/${this.connection.vhostPath}`,
      {
        columns: 'name,type,messages,arguments,effective_policy_definition,head_message_timestamp',
      },
    );
    const byName = new Map(queues.map((q) => [q.name, q]));
    const sources = new Map<string, Set<string>>();
    const addSource = (dlq: string, source: string) => {
      if (!byName.has(dlq)) return;
      const set = sources.get(dlq) ?? new Set<string>();
      set.add(source);
      sources.set(dlq, set);
    };
    const bindingsOf = new Map<string, Binding[]>();
    for (const q of queues) {
      const args = q.arguments ?? {};
      const policy = q.effective_policy_definition ?? {};
      const dlx = (args['x-dead-letter-exchange'] ?? policy['dead-letter-exchange']) as string | undefined;
      if (dlx === undefined) continue;
      const dlrk = (args['x-dead-letter-routing-key'] ?? policy['dead-letter-routing-key']) as
        string | undefined;
      if (dlx === '') {
        if (dlrk) addSource(dlrk, q.name);
        continue;
      }
      if (!bindingsOf.has(dlx)) {
        const bindings = await this.connection.management
          .get<Binding[]>(
            `/api/exchanges/${this.connection.vhostPath}/${encodeURIComponent(dlx)}/bindings/source`,
          )
          .catch(() => [] as Binding[]);
        bindingsOf.set(dlx, bindings);
      }
      for (const b of bindingsOf.get(dlx)!) {
        if (b.destination_type !== 'queue') continue;
        // With a dead-letter routing key only matching bindings receive; without one, the original key does.
        if (dlrk !== undefined && b.routing_key !== dlrk && b.routing_key !== '#' && b.routing_key !== '')
          continue;
        addSource(b.destination, q.name);
      }
    }
    const pattern = globsToRegExp(options.patterns ?? DEFAULT_RABBIT_DLQ_PATTERNS);
    const now = Date.now();
    const dlqs = queues
      .filter((q) => sources.has(q.name) || pattern.test(q.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    // The management API's counts lag by a stats interval: a passive declare gives the live ready count.
    const live = new Map<string, number>();
    for (const q of dlqs) {
      const ch = await this.connection.channel();
      const ok = await ch.checkQueue(q.name).catch(() => undefined);
      if (ok) live.set(q.name, ok.messageCount);
      await ch.close().catch(() => undefined);
    }
    return dlqs.map((q) => {
      const oldest = q.head_message_timestamp ? q.head_message_timestamp * 1000 : undefined;
      return {
        name: q.name,
        kind: 'rabbitmq' as const,
        recognisedBy: sources.has(q.name) ? 'dead-letter exchange' : 'name pattern',
        depth: Math.max(live.get(q.name) ?? 0, q.messages ?? 0),
        oldestTimestamp: oldest,
        oldestAgeMs: oldest === undefined ? undefined : now - oldest,
        sources: [...(sources.get(q.name) ?? [])].sort(),
      };
    });
  }

  private decode(queue: string, index: number, msg: Message): DlqMessage {
    const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
    const text = amqpHeadersToText(headers);
    const { origin, error, deathTime } = decodeRabbitOrigin(headers);
    const ts = msg.properties.timestamp as number | undefined;
    return {
      dlq: queue,
      position: String(index),
      timestamp: deathTime ?? (ts ? (ts < 1e11 ? ts * 1000 : ts) : undefined),
      // The routing key it was first published with (x-death), else the one it was dead-lettered with.
      key: Buffer.from(origin.routingKeys?.[0] ?? msg.fields.routingKey ?? ''),
      payload: msg.content,
      headers: text,
      origin,
      error,
      replay: decodeReplayMark(text),
      messageId: (msg.properties.messageId as string | undefined) ?? undefined,
    };
  }

  /** A channel on which `queue` exists (a missing queue is exit 3, not a closed channel). */
  private async openOn(queue: string): Promise<{ ch: AmqpChannel; ready: number }> {
    const probe = await this.connection.channel();
    try {
      const ok = await probe.checkQueue(queue);
      await probe.close().catch(() => undefined);
      const ch = await this.connection.channel();
      return { ch, ready: ok.messageCount };
    } catch (error) {
      if (/NOT_FOUND|404/.test((error as Error).message)) throw this.notFound(queue);
      throw error;
    }
  }

  private async get(ch: AmqpChannel, queue: string): Promise<GetMessage | false> {
    const timeout = this.connection.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        ch.get(queue, { noAck: false }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new UnavailableError(`basic.get on ${queue}: no answer within ${timeout} ms`)),
            timeout,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async *browse(queue: string, options: DlqBrowseOptions): AsyncGenerator<DlqMessage> {
    const { ch, ready } = await this.openOn(queue);
    try {
      // At most the messages ready now: every one taken is held unacked, so none comes round twice.
      const bound = Math.min(options.limit, ready);
      for (let i = 1; i <= bound && !options.signal?.aborted; i++) {
        const msg = await this.get(ch, queue);
        if (!msg) break;
        yield this.decode(queue, i, msg);
      }
    } finally {
      ch.nackAll(true);
      await ch.close().catch(() => undefined);
    }
  }

  /** message-id for a copy: the original's, else one derived from the dead letter itself (stable across re-runs). */
  static copyMessageId(msg: Message, decoded: DlqMessage): string {
    if (decoded.messageId) return decoded.messageId;
    return (
      'mqctl-' +
      createHash('sha256')
        .update(msg.content)
        .update('\u0000')
        .update(decoded.headers['x-death'] ?? '')
        .update('\u0000')
        .update(msg.fields.routingKey ?? '')
        .digest('hex')
        .slice(0, 32)
    );
  }

  async replay(queue: string, options: ReplayOptions): Promise<ReplaySummary> {
    const startedAt = Date.now();
    const summary = emptySummary(queue, options);
    const { ch: getCh, ready } = await this.openOn(queue);
    const confirmCh = options.dryRun ? undefined : await this.connection.confirmChannel();
    let failure: unknown;
    const existing = new Map<string, boolean>();
    const targetExists = async (target: string): Promise<boolean> => {
      if (!existing.has(target)) {
        const probe = await this.connection.channel();
        existing.set(
          target,
          await probe.checkQueue(target).then(
            () => true,
            () => false,
          ),
        );
        await probe.close().catch(() => undefined);
      }
      return existing.get(target)!;
    };
    let inFlight = 0;
    let drained: (() => void) | undefined;
    const held: Message[] = [];
    let stopConsumer = async (): Promise<void> => undefined;
    try {
      // A consumer (basic.get costs a round trip per message). Every delivery is held until acked after its
      // copy's confirm, or requeued at the end, so none comes round twice; at most the messages ready at the
      // start are taken. The prefetch window must hold the messages left in the DLQ.
      await getCh.prefetch(Math.min(Math.max(ready, 1), PREFETCH_LIMIT));
      const deliveries = new DeliveryQueue();
      const { consumerTag } =
        ready > 0
          ? await getCh.consume(queue, (m) => deliveries.push(m), { noAck: false })
          : { consumerTag: '' };
      stopConsumer = async () => {
        if (consumerTag) await getCh.cancel(consumerTag).catch(() => undefined);
        held.push(...deliveries.drain());
      };
      for (let i = 1; i <= ready; i++) {
        if (options.signal?.aborted || failure) break;
        if (options.limit !== undefined && summary.replayed >= options.limit) break;
        const msg = await deliveries.next(this.connection.timeoutMs, options.signal);
        if (!msg) {
          if (!options.signal?.aborted)
            summary.notes.push(
              `no delivery within ${this.connection.timeoutMs} ms after ${i - 1} of ${ready} messages ` +
                `(others may be consuming ${queue}, or more than ${PREFETCH_LIMIT} messages were left in it): run again`,
            );
          break;
        }
        const message = this.decode(queue, i, msg);
        let decision = decideReplay(message, options);
        if (decision.action === 'replay' && !(await targetExists(decision.target))) {
          decision = {
            action: 'fail',
            reason: `${queue} #${i}: target queue "${decision.target}" does not exist`,
          };
        }
        if (decision.action === 'replay') await options.pacer.take(options.signal);
        record(summary, message, decision, options.planLimit);
        if (decision.action !== 'replay' || !confirmCh) {
          held.push(msg); // left in the DLQ: requeued at the end
          options.onProgress?.(summary);
          continue;
        }
        const target = decision.target;
        const props: Options.Publish = {
          ...(msg.properties as Options.Publish),
          headers: { ...(msg.properties.headers ?? {}), ...markHeaders(message, options.jobId) },
          messageId: RabbitDlq.copyMessageId(msg, message),
          persistent: msg.properties.deliveryMode === 2 || msg.properties.deliveryMode === undefined,
        };
        inFlight++;
        // Default exchange, routing key = queue: exactly that queue, not every binding of the first hop.
        confirmCh.publish('', target, msg.content, props, (err) => {
          inFlight--;
          if (err) {
            failure ??= err;
            recordFailure(
              summary,
              target,
              `${queue} #${i}: publish to ${target} not confirmed: ${String(err)}`,
            );
            held.push(msg);
          } else {
            getCh.ack(msg); // only now: its copy is safely in the target
          }
          options.onProgress?.(summary);
          if (inFlight < MAX_IN_FLIGHT) drained?.();
        });
        if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (drained = r));
      }
      await stopConsumer();
      await this.waitForConfirms(confirmCh, () => inFlight);
    } finally {
      await stopConsumer();
      for (const msg of held) getCh.nack(msg, false, true);
      await getCh.close().catch(() => undefined);
      await confirmCh?.close().catch(() => undefined);
    }
    summary.interrupted = Boolean(options.signal?.aborted);
    if (held.length > 0 && !options.dryRun)
      summary.notes.push(`${held.length} message(s) left in ${queue} were requeued (marked redelivered)`);
    if (options.dryRun) summary.notes.push(REQUEUE_NOTE);
    finishSummary(summary, startedAt);
    if (failure) throw new ReplayFailedError(summary, failure);
    return summary;
  }

  private async waitForConfirms(
    ch: { waitForConfirms(): Promise<void> } | undefined,
    inFlight: () => number,
  ): Promise<void> {
    if (!ch) return;
    const deadline = Date.now() + this.connection.timeoutMs;
    await Promise.race([
      ch.waitForConfirms().catch(() => undefined),
      new Promise((r) => setTimeout(r, this.connection.timeoutMs)),
    ]);
    while (inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  async purge(queue: string, options: PurgeOptions): Promise<PurgeSummary> {
    const { ch, ready } = await this.openOn(queue);
    try {
      if (!options.filter) {
        const ok = await ch.purgeQueue(queue);
        return { dlq: queue, purged: ok.messageCount, kept: 0, method: 'queue.purge', notes: [] };
      }
      let purged = 0;
      let kept = 0;
      const now = Date.now();
      for (let i = 1; i <= ready && !options.signal?.aborted; i++) {
        const msg = await this.get(ch, queue);
        if (!msg) break;
        if (options.filter.matches(this.decode(queue, i, msg), now)) {
          ch.ack(msg);
          purged++;
        } else kept++;
      }
      ch.nackAll(true);
      return {
        dlq: queue,
        purged,
        kept,
        method: 'basic.get + ack (selected), nack requeue (the rest)',
        notes: kept > 0 ? [`${kept} kept message(s) were requeued and are marked redelivered`] : [],
      };
    } finally {
      await ch.close().catch(() => undefined);
    }
  }
}

/** Deliveries from basic.consume as a pull queue with a deadline. */
class DeliveryQueue {
  private readonly items: Message[] = [];
  private waiter?: (m: Message | undefined) => void;

  push(m: Message | null): void {
    if (!m) return this.waiter?.(undefined); // consumer cancelled by the broker
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(m);
    } else this.items.push(m);
  }

  next(timeoutMs: number, signal?: AbortSignal): Promise<Message | undefined> {
    const m = this.items.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => {
      const done = (value: Message | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
        resolve(value);
      };
      const onAbort = () => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = done;
    });
  }

  /** Delivered but not taken: to be requeued. */
  drain(): Message[] {
    return this.items.splice(0);
  }
}
