import { createHash } from 'node:crypto';
import type { GetMessage, Message, Options } from 'amqplib';
import { NotFoundError, UnavailableError } from '../../core/errors';
import { setTestPauseDetail, testPause } from '../../core/test-pause';
import { withTimeout } from '../../util/timeout';
import { refuseProtected } from '../contracts/protected';
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
import type { DlqMessage, DlqSummaryRow, RetryStage } from '../../dlq/types';
import {
  DEFAULT_RABBIT_DLQ_PATTERNS,
  globsToRegExp,
  type DlqAccess,
  type DlqBrowseOptions,
  type DlqListOptions,
  type PurgeOptions,
  type PurgeSummary,
} from '../contracts/dlq';
import { txCommit, txSelect, type AmqpChannel, type RabbitConnection } from './connection';
import { amqpReplyCode } from './errors';

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

/**
 * Replay runs on one channel in AMQP transaction mode (tx.select): the copies (basic.publish) and the acks of their
 * DLQ deliveries go into one transaction, committed at most every CHUNK_MESSAGES copies or CHUNK_MS. RabbitMQ
 * applies a tx.commit in one step of the channel (it delivers the buffered publishes and applies the buffered
 * acks, then answers commit-ok once the copies are confirmed: on disk for persistent messages): a client killed
 * before the broker handled tx.commit leaves neither copies nor acks (the deliveries go back to the DLQ), one
 * killed after leaves both. So a kill duplicates nothing. (Until 2026-12, replay used publisher confirms and
 * acked each DLQ delivery after its confirm: every kill duplicated up to the 64 copies in flight, measured 61 per
 * kill over 20 kills, because nothing ties an ack to a publish on another channel.)
 */
const CHUNK_MESSAGES = 1000;
const CHUNK_MS = 250;
/** Largest consumer prefetch replay asks for (messages left in the DLQ are held within it). */
const PREFETCH_LIMIT = 50_000;

const REQUEUE_NOTE =
  'RabbitMQ cannot browse without taking messages: mqctl takes them unacknowledged (basic.get) and returns ' +
  'them all with nack(requeue=true); contents and headers are unchanged, but they are marked redelivered ' +
  '(and on a quorum queue this counts as a delivery attempt)';

/**
 * RabbitMQ DLQs: queues that receive dead letters from another queue's dead-letter exchange. Replay publishes
 * each copy and acks its DLQ delivery on one channel in AMQP transaction mode: both commit together (see the
 * comment above CHUNK_MESSAGES).
 */
export class RabbitDlq implements DlqAccess {
  readonly browseNote = REQUEUE_NOTE;

  constructor(private readonly connection: RabbitConnection) {}

  private queuePath(name: string): string {
    return `/api/queues/${this.connection.vhostPath}/${encodeURIComponent(name)}`;
  }

  async depth(queue: string, action?: string): Promise<number> {
    if (action) refuseProtected(`${action} queue`, { kind: 'rabbitmq', type: 'queue', name: queue });
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

  /**
   * The dead-letter wiring of the vhost: for each queue, the queues its dead letters reach (its dead-letter
   * exchange's bindings, or the default exchange and its dead-letter routing key), and the reverse.
   */
  private async topology(): Promise<Topology> {
    const queues = await this.connection.management.get<QueueInfo[]>(
      `/api/queues/${this.connection.vhostPath}`,
      {
        columns: 'name,type,messages,arguments,effective_policy_definition,head_message_timestamp',
      },
    );
    const byName = new Map(queues.map((q) => [q.name, q]));
    const sources = new Map<string, Set<string>>();
    const targets = new Map<string, Set<string>>();
    const addSource = (dlq: string, source: string) => {
      if (!byName.has(dlq)) return;
      const set = sources.get(dlq) ?? new Set<string>();
      set.add(source);
      sources.set(dlq, set);
      const out = targets.get(source) ?? new Set<string>();
      out.add(dlq);
      targets.set(source, out);
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
    return { queues, byName, sources, targets };
  }

  async list(options: DlqListOptions): Promise<DlqSummaryRow[]> {
    const topo = await this.topology();
    const { queues, sources } = topo;
    const pattern = globsToRegExp(options.patterns ?? DEFAULT_RABBIT_DLQ_PATTERNS);
    const now = Date.now();
    const dlqs = queues
      // A TTL retry queue is fed by its source's dead-letter exchange too, but it is a stage of a retry chain
      // (its messages go back by themselves), not a DLQ; unless its name says it is one.
      .filter((q) => (sources.has(q.name) && !isRetryStage(topo, q.name)) || pattern.test(q.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    // The management API's counts lag by a stats interval: a passive declare gives the live ready count.
    const live = new Map<string, number>();
    const liveDepth = async (name: string): Promise<number | undefined> => {
      if (!live.has(name)) {
        const ch = await this.connection.channel();
        const ok = await ch.checkQueue(name).catch(() => undefined);
        if (ok) live.set(name, ok.messageCount);
        await ch.close().catch(() => undefined);
      }
      return live.get(name);
    };
    const rows: DlqSummaryRow[] = [];
    for (const q of dlqs) {
      const oldest = q.head_message_timestamp ? q.head_message_timestamp * 1000 : undefined;
      const row: DlqSummaryRow = {
        name: q.name,
        kind: 'rabbitmq' as const,
        recognisedBy: sources.has(q.name) ? 'dead-letter exchange' : 'name pattern',
        depth: Math.max((await liveDepth(q.name)) ?? 0, q.messages ?? 0),
        oldestTimestamp: oldest,
        oldestAgeMs: oldest === undefined ? undefined : now - oldest,
        sources: [...(sources.get(q.name) ?? [])].sort(),
      };
      // list takes no message (that would requeue them): depth and TTL per stage; dlq stats reads them.
      const chain = await this.stagesInfo(topo, q.name, 0, liveDepth);
      if (chain.length > 0) row.retryChain = chain;
      rows.push(row);
    }
    return rows;
  }

  async retryChain(dlq: string, sample: number): Promise<RetryStage[]> {
    const topo = await this.topology();
    const depth = async (name: string): Promise<number | undefined> => {
      const ch = await this.connection.channel();
      const ok = await ch.checkQueue(name).catch(() => undefined);
      await ch.close().catch(() => undefined);
      return ok?.messageCount;
    };
    return this.stagesInfo(topo, dlq, sample, depth);
  }

  /**
   * The TTL retry queues of the DLQ's source queues (its dead-letter sources, and the queue its name is made
   * from: `orders` for `orders.dlq`), each with its depth and TTL; with `sample` > 0, from up to that many of
   * its messages (taken and requeued, as peek does) the attempts (x-death count of the source queue) and the
   * due times (the x-death time of its dead-lettering into the stage + the stage's TTL).
   */
  private async stagesInfo(
    topo: Topology,
    dlq: string,
    sample: number,
    depthOf: (name: string) => Promise<number | undefined>,
  ): Promise<RetryStage[]> {
    const chainSources = new Set(topo.sources.get(dlq) ?? []);
    const named = sourceFromDlqName(dlq);
    if (named && topo.byName.has(named)) chainSources.add(named);
    const out: RetryStage[] = [];
    const now = Date.now();
    for (const source of [...chainSources].sort()) {
      for (const stage of retryStagesOf(topo, source)) {
        const ttlMs = ttlOf(topo.byName.get(stage)!)!;
        const depth = (await depthOf(stage)) ?? topo.byName.get(stage)?.messages ?? 0;
        // Every message of a queue with one TTL waits for it: the broker dead-letters it back when it is due.
        const row: RetryStage = { topic: stage, depth, sampled: 0, notYetDue: sample > 0 ? 0 : depth, ttlMs };
        if (sample > 0 && depth > 0) {
          for await (const m of this.browse(stage, { limit: sample })) {
            row.sampled++;
            const byQueue = m.origin.deathsByQueue ?? {};
            const attempts =
              byQueue[source] ?? retryStagesOf(topo, source).reduce((n, s) => n + (byQueue[s] ?? 0), 0);
            if (attempts > 0) row.maxAttempts = Math.max(row.maxAttempts ?? 0, attempts);
            // Its latest x-death entry is its dead-lettering out of the source into this stage. RabbitMQ keeps
            // one entry per queue and reason with the time of the first such death (and counts the others), so
            // on a first wait (count 1) it is due at that time + the TTL (x-death times have whole seconds).
            // Otherwise (a later round, or published into the stage by the application) the due time is
            // unknown, and it waits.
            const due =
              m.origin.topic === source && m.origin.deaths === 1 && m.origin.timestamp !== undefined
                ? m.origin.timestamp + ttlMs
                : undefined;
            if (due === undefined || due > now) row.notYetDue++;
            if (due !== undefined && due > now) row.nextDueAt = Math.min(row.nextDueAt ?? Infinity, due);
          }
        }
        out.push(row);
      }
    }
    return out;
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
      // The routing key of its latest death (x-death[0]: how it reached the queue it last died in), else the
      // one it was dead-lettered with.
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
      if (amqpReplyCode(error) === 404) throw this.notFound(queue);
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
    const { ch, ready } = await this.openOn(queue);
    let failure: unknown;
    const existing = new Map<string, boolean>();
    const exists = async (kind: 'queue' | 'exchange', name: string): Promise<boolean> => {
      const id = `${kind}\u0000${name}`;
      if (!existing.has(id)) {
        if (kind === 'exchange' && name === '') existing.set(id, true);
        else {
          const probe = await this.connection.channel();
          const check = kind === 'queue' ? probe.checkQueue(name) : probe.checkExchange(name);
          existing.set(
            id,
            await check.then(
              () => true,
              () => false,
            ),
          );
          await probe.close().catch(() => undefined);
        }
      }
      return existing.get(id)!;
    };
    const byExchange = !options.to && options.route === 'exchange';
    /** Copies (and DLQ acks) of the open transaction, by target, to take out of the counts if it fails. */
    let chunk: string[] = [];
    let chunkStartedAt = Date.now();
    let held = 0;
    let committedCopies = 0;
    const commit = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const done = chunk;
      chunk = [];
      setTestPauseDetail(() => ({ committed: committedCopies, inTransaction: done.length }));
      testPause('rabbitmq:published');
      try {
        // (rabbitmq:committing, tx.commit on the wire and commit-ok not read, pauses in the socket layer:
        // src/brokers/rabbitmq/connection.ts.)
        await withTimeout(txCommit(ch), this.connection.timeoutMs, `tx.commit on ${queue}`);
      } catch (error) {
        // Not committed: the broker drops the transaction's copies and acks with the channel, and the
        // deliveries go back to the DLQ. Nothing was copied, nothing lost.
        for (const target of done)
          recordFailure(
            summary,
            target,
            `transaction of ${done.length} copies not committed: ${(error as Error).message}`,
          );
        throw error;
      }
      testPause('rabbitmq:committed');
      committedCopies += done.length;
      options.onProgress?.(summary);
    };
    let stopConsumer = async (): Promise<void> => undefined;
    try {
      if (!options.dryRun)
        await withTimeout(txSelect(ch), this.connection.timeoutMs, `tx.select on ${queue}`);
      // A consumer (basic.get costs a round trip per message). Every delivery is held until acked in a committed
      // transaction, or requeued at the end, so none comes round twice; at most the messages ready at the
      // start are taken. The prefetch window must hold the messages left in the DLQ (an ack counts against it
      // until its transaction commits).
      await ch.prefetch(Math.min(Math.max(ready, 1), PREFETCH_LIMIT));
      const deliveries = new DeliveryQueue();
      const { consumerTag } =
        ready > 0
          ? await ch.consume(queue, (m) => deliveries.push(m), { noAck: false })
          : { consumerTag: '' };
      stopConsumer = async () => {
        const tag = consumerTag;
        stopConsumer = async () => undefined;
        if (tag) await ch.cancel(tag).catch(() => undefined);
        held += deliveries.drain().length;
      };
      for (let i = 1; i <= ready; i++) {
        if (options.signal?.aborted) break;
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
        // --route exchange: the exchange and routing keys of the first publish (x-death), not the queue.
        const route = decision.action === 'replay' && byExchange ? originalRoute(message) : undefined;
        if (decision.action === 'replay' && byExchange && !route) {
          decision = {
            action: 'fail',
            reason: `${queue} #${i}: no exchange and routing keys in its x-death headers (use --route queue or --to)`,
          };
        } else if (decision.action === 'replay' && route) {
          decision = { action: 'replay', target: route.label };
          if (!(await exists('exchange', route.exchange)))
            decision = {
              action: 'fail',
              reason: `${queue} #${i}: exchange "${route.exchange}" does not exist`,
            };
        } else if (decision.action === 'replay' && !(await exists('queue', decision.target))) {
          decision = {
            action: 'fail',
            reason: `${queue} #${i}: target queue "${decision.target}" does not exist`,
          };
        }
        if (decision.action === 'replay') await options.pacer.take(options.signal);
        record(summary, message, decision, options.planLimit);
        if (decision.action !== 'replay' || options.dryRun) {
          held++; // left in the DLQ: requeued at the end
          options.onProgress?.(summary);
          continue;
        }
        const props: Options.Publish = {
          ...(msg.properties as Options.Publish),
          headers: { ...(msg.properties.headers ?? {}), ...markHeaders(message, options.jobId) },
          messageId: RabbitDlq.copyMessageId(msg, message),
          persistent: msg.properties.deliveryMode === 2 || msg.properties.deliveryMode === undefined,
        };
        // Default exchange, routing key = queue: exactly that queue, not every binding of the first hop. With
        // --route exchange: the original exchange, first routing key, the others as CC (sender-selected
        // distribution), so each bound queue gets one copy, as on the first publish.
        if (route && route.routingKeys.length > 1) props.CC = route.routingKeys.slice(1);
        ch.publish(
          route ? route.exchange : '',
          route ? route.routingKeys[0]! : decision.target,
          msg.content,
          props,
        );
        ch.ack(msg); // in the same transaction as its copy
        if (chunk.length === 0) chunkStartedAt = Date.now();
        chunk.push(decision.target);
        if (chunk.length >= CHUNK_MESSAGES || Date.now() - chunkStartedAt > CHUNK_MS) await commit();
      }
      await stopConsumer();
      await commit();
    } catch (error) {
      failure = error;
    } finally {
      await stopConsumer();
      if (chunk.length > 0) {
        // Stopped before this transaction was committed: its copies are not made (rolled back with the channel).
        for (const target of chunk)
          recordFailure(summary, target, 'stopped before its transaction was committed');
        chunk = [];
      }
      // Everything still unacked goes back when the channel closes (a transaction not committed is rolled back
      // with it); the deliveries left in the DLQ are requeued in one frame first (nack multiple from tag 0).
      if (held > 0 && failure === undefined) {
        ch.nackAll(true);
        if (!options.dryRun) await txCommit(ch).catch(() => undefined);
      }
      await ch.close().catch(() => undefined);
    }
    summary.interrupted = Boolean(options.signal?.aborted);
    if (held > 0 && !options.dryRun)
      summary.notes.push(`${held} message(s) left in ${queue} were requeued (marked redelivered)`);
    if (options.dryRun) summary.notes.push(REQUEUE_NOTE);
    finishSummary(summary, startedAt);
    if (failure) throw new ReplayFailedError(summary, failure);
    return summary;
  }

  async purge(queue: string, options: PurgeOptions): Promise<PurgeSummary> {
    refuseProtected('purge queue', { kind: 'rabbitmq', type: 'queue', name: queue });
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

/**
 * The exchange and routing keys of a dead letter's latest death (x-death[0]: how it reached the queue it last died
 * in; after a TTL retry hop, that hop's exchange; Spring AMQP's x-original-* when there is no x-death), as a
 * replay route.
 */
function originalRoute(
  message: DlqMessage,
): { exchange: string; routingKeys: string[]; label: string } | undefined {
  const exchange = message.origin.exchange;
  const keys = message.origin.routingKeys ?? [];
  if (exchange === undefined || keys.length === 0) return undefined;
  return {
    exchange,
    routingKeys: keys,
    label: `exchange "${exchange}" (routing keys ${keys.join(', ')})`,
  };
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

interface Topology {
  queues: QueueInfo[];
  byName: Map<string, QueueInfo>;
  /** Queue → the queues whose dead letters reach it. */
  sources: Map<string, Set<string>>;
  /** Queue → the queues its dead letters reach. */
  targets: Map<string, Set<string>>;
}

/** A queue's message TTL (argument or policy), in ms. */
function ttlOf(q: QueueInfo): number | undefined {
  const ttl = q.arguments?.['x-message-ttl'] ?? q.effective_policy_definition?.['message-ttl'];
  return typeof ttl === 'number' && ttl >= 0 ? ttl : undefined;
}

/**
 * A TTL retry queue of `source`: a queue with a message TTL whose dead letters go back to `source`, and that is
 * either fed by `source`'s own dead letters (the source rejects into it: a cycle) or by nothing (the application
 * publishes into it). A DLQ with a TTL that expires into a parking lot is neither.
 */
function isRetryStageOf(topo: Topology, stage: string, source: string): boolean {
  const q = topo.byName.get(stage);
  if (!q || stage === source || ttlOf(q) === undefined) return false;
  if (!topo.targets.get(stage)?.has(source)) return false;
  const feeders = topo.sources.get(stage);
  return !feeders || feeders.size === 0 || feeders.has(source);
}

function isRetryStage(topo: Topology, name: string): boolean {
  return [...(topo.targets.get(name) ?? [])].some((s) => isRetryStageOf(topo, name, s));
}

/** The retry queues of `source`, shortest TTL first. */
function retryStagesOf(topo: Topology, source: string): string[] {
  return [...(topo.sources.get(source) ?? [])]
    .filter((q) => isRetryStageOf(topo, q, source))
    .sort((a, b) => ttlOf(topo.byName.get(a)!)! - ttlOf(topo.byName.get(b)!)! || a.localeCompare(b));
}

/** The queue a DLQ's name is made from (`orders` for `orders.dlq`, `orders-dlq`, `dlq.orders`, `orders.dlx.queue`). */
function sourceFromDlqName(dlq: string): string | undefined {
  const match =
    /^(.+)[.-](?:dlq|DLQ)$/.exec(dlq) ?? /^dlq\.(.+)$/.exec(dlq) ?? /^(.+)\.dlx\.queue$/.exec(dlq);
  return match?.[1];
}
