/**
 * The one door to kafkajs. Every module of mqctl's Kafka layer imports kafkajs from here, so the two
 * replacements below are in Node's module cache before kafkajs loads its producer.
 *
 * kafkajs 2.2.4 is its last release (the project is unmaintained); profiling `mqctl perf produce` (300,000
 * records of 100 bytes, unthrottled) showed its producer spending most of its CPU in two places:
 *
 * - `groupMessagesPerPartition` builds each partition's list with `[...current, message]` inside a reduce:
 *   quadratic in the records per partition (17 % of CPU time, plus GC). The upstream fix
 *   (tulios/kafkajs#1576) was never released.
 * - the v2 record encoder allocates a zero-filled 512-byte Encoder per record and per header, and one small
 *   Buffer per varint (19 % in Buffer allocation, 16 % GC).
 *
 * Both are replaced with versions that produce the same output (a test compares them with the originals
 * byte for byte): a linear grouping, and a record encoder that sizes the record once and writes it into
 * one buffer.
 */
import Module from 'node:module';
import { AsyncLocalStorage } from 'node:async_hooks';

/** The kafkajs release the replacements were written and byte-compared against (pinned in package.json). */
export const PINNED_KAFKAJS_VERSION = '2.2.4';

/**
 * kafkajs modules that bind the replaced ones when they load (`require` at their top): if either is in the
 * module cache before this file runs, kafkajs already holds the originals and installing does nothing.
 */
const BINDERS = ['kafkajs/src/producer/sendMessages', 'kafkajs/src/protocol/recordBatch/v0/index'];

/** How often kafkajs called each replacement in this process (tests check the running producer uses them). */
export const replacementCalls = { groupMessagesPerPartition: 0, encodeRecord: 0 };

type Partitioner = (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;

export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: Partitioner;
}): Record<number, unknown[]> {
  replacementCalls.groupMessagesPerPartition++;
  if (partitionMetadata.length === 0) return {};
  const result: Record<number, unknown[]> = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition];
    if (current) current.push(message);
    else result[partition] = [message];
  }
  return result;
}

type HeaderValue = Buffer | string | null | undefined;

interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, HeaderValue | HeaderValue[]>;
}

// kafkajs' Encoder: the record batch reads `.buf`, `.offset` and `.buffer` of what a record returns
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Encoder = require('kafkajs/src/protocol/encoder') as { prototype: object };

const zigZag32 = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;

function sizeOfUVarInt(v: number): number {
  let bytes = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    bytes++;
  }
  return bytes;
}

function writeUVarInt(buf: Buffer, offset: number, v: number): number {
  while (v >= 128) {
    buf[offset++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[offset++] = v;
  return offset;
}

/** 64-bit zig-zag of a JavaScript number (kafkajs throws on a fractional delta; here it truncates). */
function zigZag64(n: number): number {
  const t = Number.isFinite(n) ? Math.trunc(n) : 0;
  return t >= 0 ? t * 2 : -t * 2 - 1;
}

interface Field {
  /** varint-prefixed bytes: null/undefined is length -1 */
  bytes?: Buffer;
  text?: string;
  length: number;
}

function field(value: Buffer | string | null | undefined | number): Field {
  if (value == null) return { length: -1 };
  if (Buffer.isBuffer(value)) return { bytes: value, length: value.length };
  const text = String(value);
  return { text, length: Buffer.byteLength(text, 'utf8') };
}

const sizeOfField = (f: Field): number => sizeOfUVarInt(zigZag32(f.length)) + Math.max(0, f.length);

function writeField(buf: Buffer, offset: number, f: Field): number {
  offset = writeUVarInt(buf, offset, zigZag32(f.length));
  if (f.bytes) {
    f.bytes.copy(buf, offset);
    return offset + f.length;
  }
  if (f.text !== undefined) {
    buf.write(f.text, offset, f.length, 'utf8');
    return offset + f.length;
  }
  return offset;
}

/**
 * One v2 record (Length, Attributes, TimestampDelta, OffsetDelta, Key, Value, Headers) encoded into a
 * single buffer, returned as a kafkajs Encoder holding it.
 */
export function encodeRecord({
  offsetDelta = 0,
  timestampDelta = 0,
  key,
  value,
  headers = {},
}: RecordInput): { buf: Buffer; offset: number } {
  replacementCalls.encodeRecord++;
  const headerFields: Array<[Field, Field]> = [];
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (Array.isArray(v)) for (const each of v) headerFields.push([field(name), field(each)]);
    else headerFields.push([field(name), field(v)]);
  }
  const keyField = field(key);
  const valueField = field(value);
  const ts = zigZag64(timestampDelta);
  const od = zigZag32(offsetDelta);
  let body = 1 + sizeOfUVarInt(ts) + sizeOfUVarInt(od) + sizeOfField(keyField) + sizeOfField(valueField);
  body += sizeOfUVarInt(zigZag32(headerFields.length));
  for (const [k, v] of headerFields) body += sizeOfField(k) + sizeOfField(v);
  const total = sizeOfUVarInt(zigZag32(body)) + body;
  const buf = Buffer.allocUnsafe(total);
  let o = writeUVarInt(buf, 0, zigZag32(body));
  buf[o++] = 0; // attributes: none are used in v2 records
  o = writeUVarInt(buf, o, ts);
  o = writeUVarInt(buf, o, od);
  o = writeField(buf, o, keyField);
  o = writeField(buf, o, valueField);
  o = writeUVarInt(buf, o, zigZag32(headerFields.length));
  for (const [k, v] of headerFields) {
    o = writeField(buf, o, k);
    o = writeField(buf, o, v);
  }
  const encoder = Object.create(Encoder.prototype) as { buf: Buffer; offset: number };
  encoder.buf = buf;
  encoder.offset = o;
  return encoder;
}

/** Paths of the kafkajs modules this file replaces (exported for the test that compares them). */
export const REPLACED = {
  groupMessagesPerPartition: require.resolve('kafkajs/src/producer/groupMessagesPerPartition'),
  record: require.resolve('kafkajs/src/protocol/recordBatch/record/v0'),
};

function install(path: string, exports: unknown): void {
  const cache = (Module as unknown as { _cache: Record<string, NodeJS.Module> })._cache;
  if (cache[path]?.exports === exports) return;
  const mod = new Module(path, module) as NodeJS.Module & { filename: string; loaded: boolean };
  mod.filename = path;
  mod.loaded = true;
  mod.exports = exports;
  cache[path] = mod;
}

/**
 * Fails loudly instead of silently running kafkajs' originals: another kafkajs release (whose modules the
 * replacements were not compared with), or kafkajs loaded before this file (it binds the originals at load).
 */
export function checkKafkajsLoad(
  version: string,
  cache: Record<string, NodeJS.Module | undefined>,
  resolve: (id: string) => string,
): void {
  if (version !== PINNED_KAFKAJS_VERSION) {
    throw new Error(
      `kafkajs ${version} is installed, but mqctl's kafkajs replacements were verified against ${PINNED_KAFKAJS_VERSION}: reinstall mqctl so npm installs the kafkajs its package.json pins exactly (${PINNED_KAFKAJS_VERSION})`,
    );
  }
  for (const binder of BINDERS) {
    const path = resolve(binder);
    const replaced = [REPLACED.groupMessagesPerPartition, REPLACED.record];
    const ours = [groupMessagesPerPartition, encodeRecord];
    if (cache[path] && replaced.some((r, i) => cache[r]?.exports !== ours[i])) {
      throw new Error(
        `kafkajs was loaded before src/brokers/kafka/kafkajs.ts (${binder} is already loaded), so its replacements would do nothing: import kafkajs only through src/brokers/kafka/kafkajs`,
      );
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const KAFKAJS_VERSION = (require('kafkajs/package.json') as { version: string }).version;
checkKafkajsLoad(
  KAFKAJS_VERSION,
  (Module as unknown as { _cache: Record<string, NodeJS.Module> })._cache,
  (id) => require.resolve(id),
);
install(REPLACED.groupMessagesPerPartition, groupMessagesPerPartition);
install(REPLACED.record, encodeRecord);

/**
 * kafkajs' RequestQueue, after every response, schedules its next pending-queue check at
 * `throttledUntil - Date.now()` ms even when nothing is pending and nothing is throttled (`throttledUntil`
 * is -1): a negative delay, which Node turns into 1 ms, so every idle connection wakes up every millisecond
 * until it closes, and Node 24 prints a `TimeoutNegativeWarning` on stderr (tulios/kafkajs#1751, unreleased
 * fixes #1755/#1768). The replacement schedules a check only when one can do something: requests are
 * pending (then at the throttle's end, or after kafkajs' own check interval) or a throttle is in force.
 */
interface RequestQueueLike {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
}
export const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;
export function scheduleCheckPendingRequests(this: RequestQueueLike): void {
  if (this.throttleCheckTimeoutId) return;
  const throttledFor = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && throttledFor <= 0) return;
  const delay = throttledFor > 0 ? throttledFor : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: { scheduleCheckPendingRequests?: unknown };
};
if (typeof RequestQueue.prototype.scheduleCheckPendingRequests !== 'function') {
  throw new Error(
    `kafkajs ${KAFKAJS_VERSION}: RequestQueue.scheduleCheckPendingRequests is gone; mqctl's fix for its idle 1 ms timer loop no longer applies (reinstall mqctl so npm installs the kafkajs its package.json pins, ${PINNED_KAFKAJS_VERSION})`,
  );
}
RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;

/**
 * kafkajs' Metadata response parser (every version it speaks uses v0's) throws the first partition error it
 * finds. On a cluster with a dead broker a partition whose replicas are all down has no leader: the broker
 * answers LEADER_NOT_AVAILABLE for that one partition, and kafkajs turned the whole answer into an error, so
 * every admin command that reads the metadata of all topics (`topic list`, `cluster info`) or of that topic
 * (`topic describe`, the very command that should show the offline partition) exited 69 after its retries.
 * Inside `withPartitionErrorsTolerated` (every call of mqctl's admin client: `tolerantAdmin`) the answer is kept as the broker gave it (leader -1, the
 * error code on the partition) for the partition errors that describe an unavailable replica; topic errors
 * and every other partition error still throw, and outside it (producers, consumers, which retry on these
 * errors until a leader is elected) nothing changes.
 */
const toleratedMetadata = new AsyncLocalStorage<boolean>();
/** LEADER_NOT_AVAILABLE, REPLICA_NOT_AVAILABLE, LISTENER_NOT_FOUND (the leader has no listener of this name). */
export const TOLERATED_PARTITION_ERRORS: ReadonlySet<number> = new Set([5, 9, 72]);

/** Runs `fn` with kafkajs' Metadata parser keeping partitions that have no leader or a replica down. */
export function withPartitionErrorsTolerated<T>(fn: () => T): T {
  return toleratedMetadata.run(true, fn);
}

/**
 * An admin client whose every call reads metadata tolerantly. kafkajs' admin refreshes the metadata of every
 * topic it has seen (and `describeCluster` reads all topics), so one offline partition anywhere failed later,
 * unrelated calls of the same client too; scoping each call is the only way to cover them all. Producers and
 * consumers are never wrapped.
 */
export function tolerantAdmin<T extends object>(admin: T): T {
  return new Proxy(admin, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        withPartitionErrorsTolerated(() => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

type MetadataData = {
  topicMetadata: Array<{
    topic?: string;
    isInternal?: boolean;
    partitionMetadata: Array<{ partitionErrorCode: number }>;
  }>;
};
type MetadataParse = (data: MetadataData) => Promise<MetadataData>;

export function tolerantMetadataParse(original: MetadataParse): MetadataParse {
  return async (data) => {
    if (!toleratedMetadata.getStore()) return original(data);
    // the original checks everything else: hand it the answer with the tolerated codes cleared
    await original({
      ...data,
      topicMetadata: data.topicMetadata.map((t) => ({
        ...t,
        partitionMetadata: t.partitionMetadata.map((p) =>
          TOLERATED_PARTITION_ERRORS.has(p.partitionErrorCode) ? { ...p, partitionErrorCode: 0 } : p,
        ),
      })),
    });
    return data;
  };
}

/**
 * Kafka's Metadata answer (v1 on) flags the broker's internal topics (`is_internal`); kafkajs decodes the flag
 * but its admin API drops it (`listTopics` and `fetchTopicMetadata` return names and partitions only). Inside
 * `withInternalTopicFlags` every Metadata answer kafkajs parses adds its flagged topics to the returned set.
 */
const internalTopicFlags = new AsyncLocalStorage<Set<string>>();

export async function withInternalTopicFlags<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; internal: ReadonlySet<string> }> {
  const internal = new Set<string>();
  const value = await internalTopicFlags.run(internal, fn);
  return { value, internal };
}

export function noteInternalTopics(parse: MetadataParse): MetadataParse {
  return (data) => {
    const flagged = internalTopicFlags.getStore();
    if (flagged) for (const t of data.topicMetadata) if (t.isInternal && t.topic) flagged.add(t.topic);
    return parse(data);
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const metadataV0 = require('kafkajs/src/protocol/requests/metadata/v0/response') as { parse: MetadataParse };
const originalMetadataParse = metadataV0.parse;
const tolerantParse = noteInternalTopics(tolerantMetadataParse(originalMetadataParse));
// v1-v6 export v0's parser under their own module objects (kafkajs' request table requires them per call)
for (let version = 0; version <= 6; version++) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const response = require(`kafkajs/src/protocol/requests/metadata/v${version}/response`) as {
    parse: MetadataParse;
  };
  if (response.parse === originalMetadataParse) response.parse = tolerantParse;
}
if (metadataV0.parse !== tolerantParse) {
  throw new Error(
    `kafkajs ${KAFKAJS_VERSION}: its Metadata response parser moved; mqctl's reading of clusters with offline partitions no longer applies (reinstall mqctl so npm installs the kafkajs its package.json pins, ${PINNED_KAFKAJS_VERSION})`,
  );
}

/** The subset of kafkajs' internal Cluster used here: batched ListOffsets and Fetch per leader. */
export interface RawCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(opts: { nodeId: string }): Promise<RawBroker>;
  fetchTopicsOffset(
    topics: Array<{ topic: string; partitions: Array<{ partition: number }>; fromBeginning?: boolean }>,
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  findGroupCoordinator(opts: { groupId: string }): Promise<RawBroker>;
}

/** A request as kafkajs' connection sends it: the request encoder and the response decoder/parser. */
export interface RawProtocolRequest<T> {
  request: unknown;
  response: { decode(raw: Buffer): Promise<T>; parse(decoded: T): Promise<T> };
  requestTimeout?: number;
}

export interface RawBroker {
  /** the broker's connections (kafkajs sends Fetch on a connection of its own, the others on another) */
  connectionPool: {
    send<T>(request: RawProtocolRequest<T>): Promise<T>;
    /** connects the connection a request of this api key uses (not safe to call concurrently: each call of a disconnected one opens a socket) */
    getConnectionByRequest(request: { request: { apiKey: number } }): Promise<unknown>;
  };
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    retentionTime?: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  }): Promise<{ responses: Array<{ partitions: Array<{ partition: number; errorCode: number }> }> }>;
  offsetFetch(request: {
    groupId: string;
    topics: Array<{ topic: string; partitions: Array<{ partition: number }> }>;
  }): Promise<{
    responses: Array<{
      topic: string;
      partitions: Array<{ partition: number; offset: string; errorCode?: number }>;
    }>;
  }>;
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{
      topic: string;
      partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }>;
    }>;
  }): Promise<{
    responses: Array<{
      topicName: string;
      partitions: Array<{
        partition: number;
        errorCode: number;
        messages: Array<{ offset: string; timestamp: string; isControlRecord?: boolean }>;
      }>;
    }>;
  }>;
}

/**
 * kafkajs keeps its Cluster factory under a private symbol; mqctl's lag reader needs the Cluster's batched
 * ListOffsets (one request per leader). The private reach lives here, in the one door to kafkajs, and returns
 * undefined (callers fall back to the admin API) when a kafkajs upgrade moves it.
 */
export function createPrivateCluster(kafka: object, options: object): RawCluster | undefined {
  const fields = kafka as Record<symbol, unknown>;
  const symbol = Object.getOwnPropertySymbols(fields).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const create = symbol ? (fields[symbol] as ((o: object) => RawCluster) | undefined) : undefined;
  return typeof create === 'function' ? create(options) : undefined;
}

/**
 * kafkajs' Fetch v4 request encoder (replica id, max wait, min/max bytes, isolation level, per partition its
 * offset and max bytes). `perf consume` sends it with a response decoder of its own (perf-fetch.ts), which
 * counts records in place instead of building a JS object per record. v4 is the oldest Fetch Kafka 4 serves.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const fetchRequestV4 = require('kafkajs/src/protocol/requests/fetch/v4/request') as (args: {
  replicaId: number;
  maxWaitTime: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  topics: Array<{
    topic: string;
    partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }>;
  }>;
}) => unknown;

export * from 'kafkajs';
