import type { ConnectionOptions } from 'node:tls';
import { MqctlError } from '../../../core/errors';
import { parsePulsarTopic } from '../topic-name';
import { PulsarBinaryConnection } from './connection';
import {
  type ConsumerSettings,
  PartitionConsumer,
  type ErrorListener,
  type RecordListener,
} from './consumer';
import { serverError } from './errors';
import { type OutgoingRecord, PartitionProducer, type ProducerSettings, type SendSink } from './producer';
import { CommandType, LookupType } from './proto';

export interface PulsarBinaryClientOptions {
  /** pulsar://host:6650 or pulsar+ssl://host:6651 */
  serviceUrl: string;
  token?: string;
  tls?: ConnectionOptions;
  timeoutMs: number;
}

const MAX_REDIRECTS = 10;

/**
 * mqctl's own Pulsar binary-protocol client (the perf data path): a pool of broker connections, topic
 * lookup (PARTITIONED_METADATA, then LOOKUP following redirects) and producers/consumers that span
 * every partition of a partitioned topic.
 */
export class PulsarBinaryClient {
  private readonly pool = new Map<string, Promise<PulsarBinaryConnection>>();
  private readonly producers = new Set<PulsarBinaryProducer>();
  private readonly consumers = new Set<PulsarBinaryConsumer>();
  private nextProducerId = 1;
  private nextConsumerId = 1;
  private closed = false;

  constructor(readonly options: PulsarBinaryClientOptions) {}

  private get secure(): boolean {
    return this.options.serviceUrl.startsWith('pulsar+ssl://');
  }

  /** A pooled connection to `url` (through the service URL when `proxyTo` names the real broker). */
  connection(url = this.options.serviceUrl, proxyTo?: string): Promise<PulsarBinaryConnection> {
    if (this.closed) return Promise.reject(new MqctlError('Pulsar binary client closed'));
    const key = proxyTo ? `${url} -> ${proxyTo}` : url;
    let connection = this.pool.get(key);
    if (!connection) {
      connection = PulsarBinaryConnection.open({
        url,
        token: this.options.token,
        tls: this.options.tls,
        timeoutMs: this.options.timeoutMs,
        proxyToBrokerUrl: proxyTo,
      });
      this.pool.set(key, connection);
      connection.then(
        (c) => c.onClose(() => this.pool.get(key) === connection && this.pool.delete(key)),
        () => this.pool.delete(key),
      );
    }
    return connection;
  }

  /** How many broker connections the pool holds (open or opening). */
  get connectionCount(): number {
    return this.pool.size;
  }

  /** Partitions of a partitioned topic; 0 for a non-partitioned one. */
  async partitions(topic: string): Promise<number> {
    const full = parsePulsarTopic(topic).full;
    const connection = await this.connection();
    const requestId = connection.newRequestId();
    const answer = await connection.request(
      requestId,
      { type: CommandType.PARTITIONED_METADATA, partitionMetadata: { topic: full, requestId } },
      `partitions of ${full}`,
    );
    const r = answer.partitionMetadataResponse!;
    if (r.response === 1) throw serverError(r.error, r.message, `partitions of ${full}`, connection.url);
    return r.partitions;
  }

  /** The connection to the broker that owns `topic` (one partition or a non-partitioned topic). */
  async lookup(topic: string): Promise<PulsarBinaryConnection> {
    let connection = await this.connection();
    let authoritative = false;
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const requestId = connection.newRequestId();
      const answer = await connection.request(
        requestId,
        { type: CommandType.LOOKUP, lookupTopic: { topic, requestId, authoritative } },
        `lookup of ${topic}`,
      );
      const r = answer.lookupTopicResponse!;
      if (r.response === LookupType.Failed)
        throw serverError(r.error, r.message, `lookup of ${topic}`, connection.url);
      const brokerUrl = (this.secure && r.brokerServiceUrlTls) || r.brokerServiceUrl;
      if (!brokerUrl) throw new MqctlError(`lookup of ${topic}: Pulsar at ${connection.url} named no broker`);
      // proxy_through_service_url: keep talking to the address that answered. A broker that names itself
      // (standalone does, with the flag set) keeps this very connection; a Pulsar proxy gets a connection
      // of its own that asks it to forward to that broker (CONNECT.proxy_to_broker_url).
      const next = !r.proxyThroughServiceUrl
        ? await this.connection(brokerUrl)
        : sameAddress(connection.url, brokerUrl)
          ? connection
          : await this.connection(connection.url, brokerUrl);
      if (r.response === LookupType.Connect) return next;
      connection = next;
      authoritative = r.authoritative;
    }
    throw new MqctlError(`lookup of ${topic}: more than ${MAX_REDIRECTS} redirects`);
  }

  private async partitionTopics(topic: string): Promise<string[]> {
    const full = parsePulsarTopic(topic).full;
    const n = await this.partitions(full);
    return n > 0 ? Array.from({ length: n }, (_, i) => `${full}-partition-${i}`) : [full];
  }

  async createProducer(topic: string, settings: ProducerSettings): Promise<PulsarBinaryProducer> {
    const topics = await this.partitionTopics(topic);
    const partitions: PartitionProducer[] = [];
    try {
      for (const t of topics) {
        const connection = await this.lookup(t);
        partitions.push(await PartitionProducer.create(connection, t, this.nextProducerId++, settings));
      }
    } catch (error) {
      await Promise.allSettled(partitions.map((p) => p.close()));
      throw error;
    }
    const producer = new PulsarBinaryProducer(parsePulsarTopic(topic).full, partitions, settings, () =>
      this.producers.delete(producer),
    );
    this.producers.add(producer);
    return producer;
  }

  async subscribe(
    topic: string,
    subscription: string,
    settings: ConsumerSettings,
  ): Promise<PulsarBinaryConsumer> {
    const topics = await this.partitionTopics(topic);
    const partitions: PartitionConsumer[] = [];
    try {
      for (const t of topics) {
        const connection = await this.lookup(t);
        partitions.push(
          await PartitionConsumer.subscribe(connection, t, subscription, this.nextConsumerId++, settings),
        );
      }
    } catch (error) {
      await Promise.allSettled(partitions.map((p) => p.close()));
      throw error;
    }
    const consumer = new PulsarBinaryConsumer(parsePulsarTopic(topic).full, partitions, () =>
      this.consumers.delete(consumer),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  /** Closes producers and consumers (bounded), then every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.allSettled([...this.producers, ...this.consumers].map((x) => x.close()));
    this.closed = true;
    const connections = await Promise.allSettled([...this.pool.values()]);
    this.pool.clear();
    for (const c of connections) if (c.status === 'fulfilled') c.value.close();
  }
}

function sameAddress(a: string, b: string): boolean {
  const host = (u: URL) => (u.hostname === 'localhost' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, ''));
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && host(x) === host(y) && x.port === y.port;
  } catch {
    return a === b;
  }
}

/** Java's String.hashCode, the Java client's default key hashing ("JavaStringHash"). */
function javaStringHash(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(31, h) + key.charCodeAt(i)) | 0;
  return h;
}

/**
 * A producer over every partition. Keyed records go to hash(key) mod partitions; others round robin:
 * with batching, like the Java client, the partition changes once per batching window (so batches
 * fill); without, per record.
 */
export class PulsarBinaryProducer {
  onReady?: () => void;
  private nextPartition = 0;
  private closing?: Promise<void>;

  constructor(
    readonly topic: string,
    readonly partitions: PartitionProducer[],
    private readonly settings: ProducerSettings,
    private readonly onClosed: () => void,
  ) {
    for (const p of partitions) p.onReady = () => this.onReady?.();
  }

  get pending(): number {
    let n = 0;
    for (const p of this.partitions) n += p.pending;
    return n;
  }

  /** True while any partition holds `maxPending` unacknowledged records. */
  blocked(): boolean {
    for (const p of this.partitions) if (p.blocked) return true;
    return false;
  }

  send(record: OutgoingRecord, sink: SendSink, index: number): void {
    const n = this.partitions.length;
    let partition = 0;
    if (n > 1) {
      if (record.key !== undefined) partition = Math.abs(javaStringHash(record.key) % n);
      else if (this.settings.batching)
        partition = Math.floor(Date.now() / Math.max(1, this.settings.batchDelayMs)) % n;
      else partition = this.nextPartition = (this.nextPartition + 1) % n;
    }
    this.partitions[partition]!.send(record, sink, index);
  }

  async flush(timeoutMs: number): Promise<void> {
    await Promise.all(this.partitions.map((p) => p.flush(timeoutMs)));
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled(this.partitions.map((p) => p.close())).then(() => this.onClosed());
    return this.closing;
  }
}

/** A consumer over every partition; records from all of them reach one listener. */
export class PulsarBinaryConsumer {
  private closing?: Promise<void>;

  constructor(
    readonly topic: string,
    readonly partitions: PartitionConsumer[],
    private readonly onClosed: () => void,
  ) {}

  /** Sets the listeners and grants the first permits. */
  start(onRecord: RecordListener, onError?: ErrorListener): void {
    for (const p of this.partitions) {
      p.onRecord = onRecord;
      p.onError = onError;
      p.start();
    }
  }

  /**
   * A crash, for fault tests: delivery and acknowledgements stop now (the process "hangs"); after `hangMs`
   * every connection of the consumer drops without a clean close, so the broker redelivers what was not
   * acknowledged to the next consumer.
   */
  async kill(hangMs: number): Promise<void> {
    for (const p of this.partitions) p.freeze();
    await new Promise((resolve) => setTimeout(resolve, hangMs));
    for (const p of this.partitions) p.abort();
    this.closing ??= Promise.resolve().then(() => this.onClosed());
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled(this.partitions.map((p) => p.close())).then(() => this.onClosed());
    return this.closing;
  }
}
