import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { KafkaContext } from '../../config/types';
import { tlsOptions } from '../tls';

/**
 * Kafka reports no version string over the protocol. ApiVersions v3 (KIP-584) carries the features each
 * broker supports and the cluster has finalized; the highest `metadata.version` a broker supports names
 * the release of its binary (the finalized level is the operator-chosen floor). kafkajs does not expose
 * these tagged fields, so this one request is made on a plain socket, before any SASL handshake (which
 * Kafka allows for ApiVersions).
 */
export interface KafkaApiVersions {
  apiKeyCount: number;
  supportedFeatures: Record<string, { min: number; max: number }>;
  finalizedFeatures: Record<string, number>;
  metadataVersionLevel?: number;
  /** e.g. "4.1" from the highest supported metadata.version level. */
  release?: string;
}

/** metadata.version feature levels → release, from Kafka's MetadataVersion enum. */
const METADATA_VERSION_RELEASES: Array<[number, string]> = [
  [1, '3.0-IV1'],
  [2, '3.1-IV0'],
  [3, '3.2-IV0'],
  [4, '3.3-IV0'],
  [5, '3.3-IV1'],
  [6, '3.3-IV2'],
  [7, '3.3-IV3'],
  [8, '3.4-IV0'],
  [9, '3.5-IV0'],
  [10, '3.5-IV1'],
  [11, '3.5-IV2'],
  [12, '3.6-IV0'],
  [13, '3.6-IV1'],
  [14, '3.6-IV2'],
  [15, '3.7-IV0'],
  [16, '3.7-IV1'],
  [17, '3.7-IV2'],
  [18, '3.7-IV3'],
  [19, '3.7-IV4'],
  [20, '3.8-IV0'],
  [21, '3.9-IV0'],
  [22, '4.0-IV0'],
  [23, '4.0-IV1'],
  [24, '4.0-IV2'],
  [25, '4.0-IV3'],
  [26, '4.1-IV0'],
  [27, '4.1-IV1'],
  [28, '4.2-IV0'],
  [29, '4.2-IV1'],
  [30, '4.3-IV0'],
  [31, '4.4-IV0'],
  [32, '4.4-IV1'],
  [33, '4.4-IV2'],
  [34, '4.5-IV0'],
];

export function metadataVersionName(level: number): string | undefined {
  return METADATA_VERSION_RELEASES.find(([l]) => l === level)?.[1];
}

class Reader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}
  int16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  int64(): bigint {
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf[this.offset++]!;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  compactString(): string {
    const len = this.uvarint() - 1;
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }
  skip(n: number): void {
    this.offset += n;
  }
  get atEnd(): boolean {
    return this.offset >= this.buf.length;
  }
}

function uvarint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

function compactString(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  return Buffer.concat([uvarint(body.length + 1), body]);
}

export function encodeApiVersionsRequest(correlationId: number, clientId = 'mqctl'): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt16BE(18, 0); // ApiVersions
  header.writeInt16BE(3, 2);
  header.writeInt32BE(correlationId, 4);
  const client = Buffer.from(clientId, 'utf8');
  const clientLen = Buffer.alloc(2);
  clientLen.writeInt16BE(client.length, 0);
  const body = Buffer.concat([
    header,
    clientLen,
    client,
    uvarint(0), // header tagged fields
    compactString('mqctl'),
    compactString('0.1.0'),
    uvarint(0), // body tagged fields
  ]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Decodes an ApiVersions v3 response body (after the 4-byte size and the 4-byte correlation id). */
export function decodeApiVersionsResponse(body: Buffer): KafkaApiVersions {
  const r = new Reader(body);
  const errorCode = r.int16();
  if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
  const apiCount = r.uvarint() - 1;
  for (let i = 0; i < apiCount; i++) {
    r.skip(6);
    skipTaggedFields(r);
  }
  r.int32(); // throttle
  const supportedFeatures: KafkaApiVersions['supportedFeatures'] = {};
  const finalizedFeatures: KafkaApiVersions['finalizedFeatures'] = {};
  const tagCount = r.atEnd ? 0 : r.uvarint();
  for (let t = 0; t < tagCount; t++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const start = r.offset;
    if (tag === 0) {
      const n = r.uvarint() - 1;
      for (let i = 0; i < n; i++) {
        const name = r.compactString();
        const min = r.int16();
        const max = r.int16();
        skipTaggedFields(r);
        supportedFeatures[name] = { min, max };
      }
    } else if (tag === 2) {
      const n = r.uvarint() - 1;
      for (let i = 0; i < n; i++) {
        const name = r.compactString();
        const max = r.int16();
        r.int16();
        skipTaggedFields(r);
        finalizedFeatures[name] = max;
      }
    } else if (tag === 1) {
      r.int64();
    }
    r.offset = start + size;
  }
  const supportedMax = supportedFeatures['metadata.version']?.max;
  const release =
    supportedMax === undefined ? undefined : metadataVersionName(supportedMax)?.replace(/-IV\d+$/, '');
  return {
    apiKeyCount: apiCount,
    supportedFeatures,
    finalizedFeatures,
    metadataVersionLevel: finalizedFeatures['metadata.version'],
    release: release ?? (supportedMax !== undefined ? `metadata.version level ${supportedMax}` : undefined),
  };
}

function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

export function fetchKafkaApiVersions(ctx: KafkaContext, timeoutMs: number): Promise<KafkaApiVersions> {
  const [host, portText] = splitHostPort(ctx.brokers[0]!);
  return new Promise((resolve, reject) => {
    const tls = tlsOptions(ctx.tls);
    const socket: Socket = tls
      ? tlsConnect({ host, port: Number(portText), servername: host, ...tls })
      : netConnect({ host, port: Number(portText) });
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error('ApiVersions timed out')), timeoutMs);
    const finish = (error?: Error, result?: KafkaApiVersions) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(result!);
    };
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(encodeApiVersionsRequest(1)));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 4) return;
      const size = buffer.readInt32BE(0);
      if (buffer.length < 4 + size) return;
      try {
        finish(undefined, decodeApiVersionsResponse(buffer.subarray(8, 4 + size)));
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('error', (error) => finish(error));
  });
}

/** `host:port` (IPv6 in brackets) → [host, port text]. */
export function splitHostPort(address: string): [string, string] {
  const idx = address.lastIndexOf(':');
  return [address.slice(0, idx).replace(/^\[|\]$/g, ''), address.slice(idx + 1)];
}
