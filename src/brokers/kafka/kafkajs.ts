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

install(REPLACED.groupMessagesPerPartition, groupMessagesPerPartition);
install(REPLACED.record, encodeRecord);

export * from 'kafkajs';
