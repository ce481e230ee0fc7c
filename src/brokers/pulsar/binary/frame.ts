import { inflateSync } from 'node:zlib';
import { crc32c } from './crc32c';
import {
  BaseCommand,
  CompressionType,
  type DecodedCommand,
  type DecodedMessageMetadata,
  decodeMessage,
  hasField,
  type KeyValue,
  MessageMetadata,
  SingleMessageMetadata,
} from './proto';

/**
 * Pulsar binary protocol framing (all integers big-endian):
 *   simple command:  [totalSize u32][commandSize u32][BaseCommand]
 *   payload command: [totalSize u32][commandSize u32][BaseCommand]
 *                    [magic 0x0e01 u16][CRC32C u32][metadataSize u32][MessageMetadata][payload]
 * totalSize counts every byte after itself; the CRC32C covers metadataSize, metadata and payload.
 * A broker may put [magic 0x0e02 u16][size u32][BrokerEntryMetadata] before the checksum magic
 * (only to clients that ask for it; skipped here all the same).
 */
export const MAGIC_CRC32C = 0x0e01;
export const MAGIC_BROKER_ENTRY_METADATA = 0x0e02;
/** The broker's default maxMessageSize (5 MiB) until CONNECTED says otherwise. */
export const DEFAULT_MAX_FRAME = 5 * 1024 * 1024 + 64 * 1024;

export function encodeCommand(command: object): Buffer {
  const cmd = BaseCommand.encode(command).finish();
  const frame = Buffer.allocUnsafe(8 + cmd.length);
  frame.writeUInt32BE(4 + cmd.length, 0);
  frame.writeUInt32BE(cmd.length, 4);
  frame.set(cmd, 8);
  return frame;
}

export function encodePayloadCommand(command: object, metadata: object, payload: Uint8Array): Buffer {
  const cmd = BaseCommand.encode(command).finish();
  const meta = MessageMetadata.encode(metadata).finish();
  const total = 4 + cmd.length + 2 + 4 + 4 + meta.length + payload.length;
  const frame = Buffer.allocUnsafe(4 + total);
  let o = frame.writeUInt32BE(total, 0);
  o = frame.writeUInt32BE(cmd.length, o);
  frame.set(cmd, o);
  o += cmd.length;
  o = frame.writeUInt16BE(MAGIC_CRC32C, o);
  const crcAt = o;
  o += 4;
  const checksummedFrom = o;
  o = frame.writeUInt32BE(meta.length, o);
  frame.set(meta, o);
  o += meta.length;
  frame.set(payload, o);
  frame.writeUInt32BE(crc32c(frame, 0, checksummedFrom, frame.length), crcAt);
  return frame;
}

/** One frame read off the wire: the command and, for MESSAGE, its raw metadata + payload section. */
export interface Frame {
  command: DecodedCommand;
  /** the bytes after the command (undefined for a simple command) */
  rest?: Buffer;
}

/**
 * Cuts a byte stream into frames. Chunks are kept in a list and joined once a whole frame is there,
 * so a 128 KiB batch arriving in many TCP segments is copied once, not once per segment.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly maxFrame = DEFAULT_MAX_FRAME) {}

  /** Feeds bytes; returns every complete frame. Throws on a frame larger than the limit. */
  push(data: Buffer): Frame[] {
    this.chunks.push(data);
    this.length += data.length;
    const frames: Frame[] = [];
    if (this.length < 4) return frames;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    let offset = 0;
    while (buf.length - offset >= 4) {
      const total = buf.readUInt32BE(offset);
      if (total > this.maxFrame || total < 4)
        throw new Error(`invalid Pulsar frame size ${total} (limit ${this.maxFrame})`);
      if (buf.length - offset < 4 + total) break;
      frames.push(decodeFrame(buf.subarray(offset + 4, offset + 4 + total)));
      offset += 4 + total;
    }
    if (offset === buf.length) {
      this.chunks = [];
      this.length = 0;
    } else {
      buf = buf.subarray(offset);
      this.chunks = [buf];
      this.length = buf.length;
    }
    return frames;
  }
}

/** `body` = everything after totalSize. */
export function decodeFrame(body: Buffer): Frame {
  const cmdSize = body.readUInt32BE(0);
  const command = decodeMessage('BaseCommand', body.subarray(4, 4 + cmdSize));
  const restAt = 4 + cmdSize;
  return restAt < body.length ? { command, rest: body.subarray(restAt) } : { command };
}

export interface PayloadSection {
  metadata: DecodedMessageMetadata;
  payload: Buffer;
}

/** Parses [magic][crc][metadataSize][metadata][payload] (after any broker entry metadata). */
export function decodePayloadSection(rest: Buffer, verifyChecksum = true): PayloadSection {
  let o = 0;
  if (rest.length >= 2 && rest.readUInt16BE(o) === MAGIC_BROKER_ENTRY_METADATA) {
    const size = rest.readUInt32BE(o + 2);
    o += 6 + size;
  }
  if (rest.length - o >= 2 && rest.readUInt16BE(o) === MAGIC_CRC32C) {
    const expected = rest.readUInt32BE(o + 2);
    o += 6;
    if (verifyChecksum) {
      const actual = crc32c(rest, 0, o, rest.length);
      if (actual !== expected)
        throw new Error(`checksum mismatch (expected ${expected.toString(16)}, got ${actual.toString(16)})`);
    }
  }
  const metaSize = rest.readUInt32BE(o);
  o += 4;
  const metadata = decodeMessage('MessageMetadata', rest.subarray(o, o + metaSize));
  return { metadata, payload: rest.subarray(o + metaSize) };
}

/** One record of a (possibly batched) entry, as the application sees it. */
export interface EntryRecord {
  payload: Buffer;
  key?: string;
  properties: KeyValue[];
  /** index inside the batch; -1 for an entry that is not a batch */
  batchIndex: number;
}

/** Whether the entry is a batch: the Java client's test is "num_messages_in_batch is present". */
export function isBatch(metadata: DecodedMessageMetadata): boolean {
  return hasField(metadata, 'numMessagesInBatch');
}

function uncompress(metadata: DecodedMessageMetadata, payload: Buffer): Buffer {
  switch (metadata.compression) {
    case CompressionType.NONE:
      return payload;
    case CompressionType.ZLIB:
      return inflateSync(payload);
    default:
      throw new Error(`compression type ${metadata.compression} is not supported by mqctl's binary client`);
  }
}

/** Splits an entry into its records (one for a plain message). */
export function splitEntry(section: PayloadSection): EntryRecord[] {
  const { metadata } = section;
  const payload = uncompress(metadata, section.payload);
  if (!isBatch(metadata)) {
    return [
      {
        payload,
        key: hasField(metadata, 'partitionKey') ? metadata.partitionKey : undefined,
        properties: metadata.properties,
        batchIndex: -1,
      },
    ];
  }
  const records: EntryRecord[] = [];
  let o = 0;
  for (let i = 0; i < metadata.numMessagesInBatch; i++) {
    const size = payload.readUInt32BE(o);
    o += 4;
    const single = decodeMessage('SingleMessageMetadata', payload.subarray(o, o + size));
    o += size;
    const body = payload.subarray(o, o + single.payloadSize);
    o += single.payloadSize;
    if (single.compactedOut) continue;
    records.push({
      payload: body,
      key: hasField(single, 'partitionKey') ? single.partitionKey : undefined,
      properties: single.properties,
      batchIndex: i,
    });
  }
  return records;
}

/** A record for a batch: SingleMessageMetadata is encoded when the record joins the batch. */
export interface BatchRecord {
  payload: Buffer;
  key?: string;
  properties: KeyValue[];
  sequenceId: number;
}

/** The SingleMessageMetadata of one record of a batch (its payload follows it in the batch). */
export function encodeSingleMetadata(
  payload: Uint8Array,
  key: string | undefined,
  properties: KeyValue[],
  sequenceId: number,
): Uint8Array {
  const single: Record<string, unknown> = { properties, payloadSize: payload.length, sequenceId };
  if (key !== undefined) single.partitionKey = key;
  return SingleMessageMetadata.encode(single).finish();
}

/**
 * Joins a batch: [singleMetadataSize u32][SingleMessageMetadata][payload] per record, in one buffer.
 * `parts` alternates metadata and payload; `bytes` is the batch's size (4 + metadata + payload per record).
 */
export function joinBatch(parts: Uint8Array[], bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let o = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const meta = parts[i]!;
    const payload = parts[i + 1]!;
    o = out.writeUInt32BE(meta.length, o);
    out.set(meta, o);
    o += meta.length;
    out.set(payload, o);
    o += payload.length;
  }
  return out;
}

/** A whole batch payload (what MessageMetadata with num_messages_in_batch describes). */
export function encodeBatchPayload(records: BatchRecord[]): Buffer {
  const parts: Uint8Array[] = [];
  let bytes = 0;
  for (const r of records) {
    const meta = encodeSingleMetadata(r.payload, r.key, r.properties, r.sequenceId);
    parts.push(meta, r.payload);
    bytes += 4 + meta.length + r.payload.length;
  }
  return joinBatch(parts, bytes);
}
