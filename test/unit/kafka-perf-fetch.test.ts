import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// the door first: it installs mqctl's record encoder before kafkajs' batch encoder loads
import '../../src/brokers/kafka/kafkajs';
import { decodeFetchV4, deliverRecordSet, nextOffsetOf } from '../../src/brokers/kafka/perf-fetch';

/* eslint-disable @typescript-eslint/no-require-imports */
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (o: object) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: number | string): unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

interface Rec {
  value: Buffer;
  key?: Buffer;
  stamp?: string;
}

/** A v2 record batch encoded by kafkajs itself (what a producer would write). */
async function batch(
  baseOffset: number,
  records: Rec[],
  opts: { compression?: number; transactional?: boolean; producerId?: number } = {},
): Promise<Buffer> {
  const encoded = await RecordBatch({
    firstOffset: Long.fromValue(baseOffset),
    lastOffsetDelta: records.length - 1,
    compression: opts.compression ?? 0,
    transactional: opts.transactional ?? false,
    producerId: Long.fromValue(opts.producerId ?? -1),
    records: records.map((r, i) =>
      Record({
        offsetDelta: i,
        timestampDelta: i,
        key: r.key ?? null,
        value: r.value,
        headers: r.stamp === undefined ? {} : { 'mqctl-ts': r.stamp, other: 'x' },
      }),
    ),
  });
  return encoded.buffer;
}

/** A Fetch v4 response body (after the correlation id) holding one partition. */
function response(partition: number, records: Buffer, aborted: Array<[number, number]> = []): Buffer {
  const topic = Buffer.from('t');
  const head = Buffer.alloc(4 + 4 + 2 + topic.length + 4 + 4 + 2 + 8 + 8 + 4);
  let at = 0;
  at = head.writeInt32BE(0, at); // throttle
  at = head.writeInt32BE(1, at); // topics
  at = head.writeInt16BE(topic.length, at);
  at += topic.copy(head, at);
  at = head.writeInt32BE(1, at); // partitions
  at = head.writeInt32BE(partition, at);
  at = head.writeInt16BE(0, at);
  at = head.writeBigInt64BE(999n, at); // high watermark
  at = head.writeBigInt64BE(999n, at); // last stable offset
  head.writeInt32BE(aborted.length, at);
  const txns = Buffer.alloc(16 * aborted.length);
  aborted.forEach(([pid, first], i) => {
    txns.writeBigInt64BE(BigInt(pid), 16 * i);
    txns.writeBigInt64BE(BigInt(first), 16 * i + 8);
  });
  const size = Buffer.alloc(4);
  size.writeInt32BE(records.length);
  return Buffer.concat([head, txns, size, records]);
}

function collect(): {
  seen: Array<[number, number | string | undefined]>;
  on: (b: number, s?: string | number) => void;
} {
  const seen: Array<[number, number | string | undefined]> = [];
  return { seen, on: (b, s) => seen.push([b, s]) };
}

describe('Kafka direct fetch decoder (perf consume)', () => {
  it('counts kafkajs-encoded records in place: value bytes, stamps as numbers, records before the fetch offset skipped', async () => {
    const recs: Rec[] = [
      { value: Buffer.alloc(100, 1), stamp: '1764633600123456' },
      { value: Buffer.alloc(300, 2), key: Buffer.from('k1'), stamp: '1764633600123457' },
      { value: Buffer.alloc(0) },
      { value: Buffer.alloc(20_000, 3), stamp: '1764633600123459' },
    ];
    const set = Buffer.concat([
      await batch(100, recs),
      await batch(104, [{ value: Buffer.alloc(5), stamp: '7' }]),
    ]);
    const [p] = decodeFetchV4(response(2, set));
    assert.equal(p!.partition, 2);
    assert.equal(p!.errorCode, 0);
    assert.equal(p!.highWatermark, 999);
    assert.equal(nextOffsetOf(p!.records, 100), 105);
    const all = collect();
    assert.equal(deliverRecordSet(p!, 100, all.on), 105);
    assert.deepEqual(all.seen, [
      [100, 1764633600123456],
      [300, 1764633600123457],
      [0, undefined],
      [20_000, 1764633600123459],
      [5, 7],
    ]);
    const later = collect();
    deliverRecordSet(p!, 102, later.on);
    assert.deepEqual(
      later.seen.map(([b]) => b),
      [0, 20_000, 5],
    );
  });

  it('a partial batch at the end of a fetch is neither counted nor passed', async () => {
    const whole = await batch(0, [{ value: Buffer.alloc(10) }, { value: Buffer.alloc(10) }]);
    const next = await batch(2, [{ value: Buffer.alloc(10) }]);
    const set = Buffer.concat([whole, next.subarray(0, next.length - 3)]);
    assert.equal(nextOffsetOf(set, 0), 2);
    const c = collect();
    assert.equal(deliverRecordSet(decodeFetchV4(response(0, set))[0]!, 0, c.on), 2);
    assert.equal(c.seen.length, 2);
  });

  it('gzip batches are inflated and counted', async () => {
    const recs = Array.from({ length: 50 }, (_, i) => ({
      value: Buffer.alloc(100, i),
      stamp: String(1000 + i),
    }));
    const set = await batch(10, recs, { compression: 1 });
    const c = collect();
    assert.equal(deliverRecordSet(decodeFetchV4(response(0, set))[0]!, 10, c.on), 60);
    assert.equal(c.seen.length, 50);
    assert.equal(c.seen[49]![1], 1049);
  });

  it('read_committed: a batch of an aborted transaction is skipped, other producers are not', async () => {
    const aborted = await batch(0, [{ value: Buffer.alloc(1) }, { value: Buffer.alloc(1) }], {
      transactional: true,
      producerId: 7,
    });
    const committed = await batch(2, [{ value: Buffer.alloc(2) }], { transactional: true, producerId: 8 });
    const plain = await batch(3, [{ value: Buffer.alloc(3) }]);
    const c = collect();
    const set = Buffer.concat([aborted, committed, plain]);
    deliverRecordSet(decodeFetchV4(response(0, set, [[7, 0]]))[0]!, 0, c.on);
    assert.deepEqual(
      c.seen.map(([b]) => b),
      [2, 3],
    );
  });
});
