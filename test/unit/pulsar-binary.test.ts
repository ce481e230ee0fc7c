import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PulsarBinaryConnection } from '../../src/brokers/pulsar/binary/connection';
import { crc32c } from '../../src/brokers/pulsar/binary/crc32c';
import {
  decodeFrame,
  decodePayloadSection,
  encodeBatchPayload,
  encodeCommand,
  encodePayloadCommand,
  type Frame,
  FrameReader,
  splitEntry,
} from '../../src/brokers/pulsar/binary/frame';
import { PartitionProducer, type ProducerSettings } from '../../src/brokers/pulsar/binary/producer';
import { CommandType, MessageMetadata, toNumber } from '../../src/brokers/pulsar/binary/proto';
import { waitFor } from '../helpers/wait';

describe('CRC32C (Castagnoli)', () => {
  it('matches the standard check value and the RFC 3720 vectors', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });

  it('continues across pieces and ranges (slicing-by-8 and the byte tail agree)', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff));
    const whole = crc32c(data);
    for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
      assert.equal(crc32c(data, crc32c(data, 0, 0, cut), cut), whole, `cut at ${cut}`);
    }
    assert.equal(crc32c(data, 0, 3, 20), crc32c(data.subarray(3, 20)));
  });
});

const props = (stamp: string) => [{ key: 'mqctl-ts', value: stamp }];

describe('Pulsar binary framing', () => {
  it('frames a simple command as [totalSize][commandSize][BaseCommand]', () => {
    const frame = encodeCommand({ type: CommandType.FLOW, flow: { consumerId: 7, messagePermits: 1000 } });
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    assert.equal(frame.readUInt32BE(4), frame.length - 8);
    const decoded = decodeFrame(frame.subarray(4));
    assert.equal(decoded.command.type, CommandType.FLOW);
    assert.equal(decoded.rest, undefined);
  });

  it('frames a payload command with magic 0x0e01 and a CRC32C over metadata size, metadata and payload', () => {
    const payload = Buffer.from('hello pulsar');
    const frame = encodePayloadCommand(
      { type: CommandType.SEND, send: { producerId: 1, sequenceId: 5, numMessages: 1 } },
      { producerName: 'p', sequenceId: 5, publishTime: 1_700_000_000_000, properties: props('42') },
      payload,
    );
    const { command, rest } = decodeFrame(frame.subarray(4));
    assert.equal(command.type, CommandType.SEND);
    assert.ok(rest);
    assert.equal(rest.readUInt16BE(0), 0x0e01);
    assert.equal(rest.readUInt32BE(2), crc32c(rest.subarray(6)));
    const section = decodePayloadSection(rest);
    assert.deepEqual(section.payload, payload);
    assert.equal(toNumber(section.metadata.sequenceId), 5);
    assert.equal(toNumber(section.metadata.publishTime), 1_700_000_000_000);
    const [record] = splitEntry(section);
    assert.equal(record!.batchIndex, -1, 'no num_messages_in_batch: not a batch');
    assert.deepEqual(
      record!.properties.map((p) => [p.key, p.value]),
      [['mqctl-ts', '42']],
    );

    const corrupt = Buffer.from(rest);
    corrupt[corrupt.length - 1] ^= 1;
    assert.throws(() => decodePayloadSection(corrupt), /checksum mismatch/);
  });

  it('cuts a stream into frames whatever the chunk boundaries', () => {
    const frames = [
      encodeCommand({ type: CommandType.PING, ping: {} }),
      encodePayloadCommand(
        { type: CommandType.SEND, send: { producerId: 1, sequenceId: 0 } },
        { producerName: 'p', sequenceId: 0, publishTime: 1 },
        Buffer.alloc(3000, 1),
      ),
      encodeCommand({ type: CommandType.PONG, pong: {} }),
    ];
    const stream = Buffer.concat(frames);
    for (const step of [1, 3, 4, 5, 64, 1000, stream.length]) {
      const reader = new FrameReader();
      const got: Frame[] = [];
      for (let o = 0; o < stream.length; o += step) got.push(...reader.push(stream.subarray(o, o + step)));
      assert.deepEqual(
        got.map((f) => f.command.type),
        [CommandType.PING, CommandType.SEND, CommandType.PONG],
        `chunks of ${step}`,
      );
      assert.equal(got[1]!.rest ? decodePayloadSection(got[1]!.rest).payload.length : -1, 3000);
    }
    assert.throws(() => new FrameReader(100).push(Buffer.from([0, 0, 1, 0, 0])), /invalid Pulsar frame size/);
  });

  it('encodes and decodes a batch: SingleMessageMetadata per record with properties, key and size', () => {
    const records = [
      { payload: Buffer.from('a'), properties: props('1'), sequenceId: 10 },
      { payload: Buffer.from('bb'), key: 'k2', properties: props('2'), sequenceId: 11 },
      { payload: Buffer.alloc(0), properties: [], sequenceId: 12 },
    ];
    const payload = encodeBatchPayload(records);
    const frame = encodePayloadCommand(
      {
        type: CommandType.SEND,
        send: { producerId: 1, sequenceId: 10, numMessages: 3, highestSequenceId: 12 },
      },
      { producerName: 'p', sequenceId: 10, publishTime: 1, numMessagesInBatch: 3, highestSequenceId: 12 },
      payload,
    );
    const split = splitEntry(decodePayloadSection(decodeFrame(frame.subarray(4)).rest!));
    assert.deepEqual(
      split.map((r) => [r.batchIndex, r.payload.toString(), r.key, r.properties.map((p) => p.value).join()]),
      [
        [0, 'a', undefined, '1'],
        [1, 'bb', 'k2', '2'],
        [2, '', undefined, ''],
      ],
    );
  });
});

/** A connection stand-in that keeps what the producer writes. */
function fakeConnection(): PulsarBinaryConnection & { frames: Buffer[] } {
  const frames: Buffer[] = [];
  return {
    frames,
    url: 'pulsar://fake:6650',
    maxMessageSize: 5 * 1024 * 1024,
    closed: false,
    producers: new Map(),
    write: (frame: Buffer) => frames.push(frame) > 0,
  } as unknown as PulsarBinaryConnection & { frames: Buffer[] };
}

function sentBatches(frames: Buffer[]): Array<{ sequenceId: number; numMessages: number; records: number }> {
  return frames.map((f) => {
    const { command, rest } = decodeFrame(f.subarray(4));
    return {
      sequenceId: toNumber(command.send?.sequenceId),
      numMessages: command.send?.numMessages ?? -1,
      records: splitEntry(decodePayloadSection(rest!)).length,
    };
  });
}

/** A command as the connection hands it over: encoded and decoded by the real codec. */
function frameOf(command: object): Frame {
  return decodeFrame(encodeCommand(command).subarray(4));
}

function receipt(sequenceId: number): Frame {
  return frameOf({ type: CommandType.SEND_RECEIPT, sendReceipt: { producerId: 1, sequenceId } });
}

const SETTINGS: ProducerSettings = {
  batching: true,
  batchDelayMs: 50,
  batchingMaxMessages: 1000,
  maxBatchBytes: 128 * 1024,
  maxPending: 5000,
};

describe('Pulsar binary producer batching', () => {
  it('flushes at batchingMaxMessages, after the batch delay, and settles a batch per receipt', async () => {
    const connection = fakeConnection();
    const producer = new PartitionProducer(connection, 't', 1, 'p', SETTINGS);
    const settled: Array<[number, Error | undefined]> = [];
    const sink = { settle: (i: number, e?: Error) => settled.push([i, e]) };
    const started = performance.now();
    for (let i = 0; i < 2500; i++)
      producer.send({ payload: Buffer.alloc(10), properties: props(String(i)) }, sink, i);
    assert.deepEqual(sentBatches(connection.frames), [
      { sequenceId: 0, numMessages: 1000, records: 1000 },
      { sequenceId: 1000, numMessages: 1000, records: 1000 },
    ]);
    assert.equal(producer.pending, 2500);
    // The rest goes when the batch delay (50 ms) has passed, not before.
    await waitFor('the third batch sent', () => connection.frames.length >= 3, {
      timeoutMs: 5000,
      intervalMs: 1,
    });
    const waited = performance.now() - started;
    assert.equal(sentBatches(connection.frames)[2]?.numMessages, 500, 'the delay sent the rest');
    assert.ok(waited >= 49, `the rest was sent after ${waited.toFixed(1)} ms, before the 50 ms batch delay`);
    producer.onCommand(receipt(0));
    assert.equal(settled.length, 1000);
    producer.onCommand(
      frameOf({
        type: CommandType.SEND_ERROR,
        sendError: { producerId: 1, sequenceId: 1000, error: 2, message: 'bookie down' },
      }),
    );
    assert.equal(settled.filter(([, e]) => e).length, 1000);
    assert.match(settled[1500]![1]!.message, /PersistenceError.*bookie down/);
    producer.onCommand(receipt(2000));
    assert.equal(settled.length, 2500);
    assert.equal(producer.pending, 0);
    assert.deepEqual(
      settled.map(([i]) => i),
      Array.from({ length: 2500 }, (_, i) => i),
    );
  });

  it('flushes at maxBatchBytes; without batching one SEND per record', () => {
    const connection = fakeConnection();
    const producer = new PartitionProducer(connection, 't', 1, 'p', { ...SETTINGS, maxBatchBytes: 10_000 });
    const sink = { settle: () => undefined };
    for (let i = 0; i < 100; i++) producer.send({ payload: Buffer.alloc(1000), properties: [] }, sink, i);
    const batches = sentBatches(connection.frames);
    assert.ok(batches.length >= 9 && batches.every((b) => b.numMessages <= 10), JSON.stringify(batches));
    producer.flushBatch();

    const single = fakeConnection();
    const unbatched = new PartitionProducer(single, 't', 1, 'p', { ...SETTINGS, batching: false });
    for (let i = 0; i < 3; i++)
      unbatched.send({ payload: Buffer.from([i]), key: `k${i}`, properties: [] }, sink, i);
    assert.equal(single.frames.length, 3);
    const section = decodePayloadSection(decodeFrame(single.frames[2]!.subarray(4)).rest!);
    assert.equal(Object.prototype.hasOwnProperty.call(section.metadata, 'numMessagesInBatch'), false);
    assert.equal(section.metadata.partitionKey, 'k2');
    assert.equal(MessageMetadata.verify(section.metadata), null);
  });

  it('is blocked at maxPending and calls onReady when a receipt makes room', () => {
    const connection = fakeConnection();
    const producer = new PartitionProducer(connection, 't', 1, 'p', {
      ...SETTINGS,
      batchingMaxMessages: 10,
      maxPending: 20,
    });
    let ready = 0;
    producer.onReady = () => ready++;
    const sink = { settle: () => undefined };
    for (let i = 0; i < 20; i++) producer.send({ payload: Buffer.alloc(1), properties: [] }, sink, i);
    assert.equal(producer.blocked, true);
    producer.onCommand(receipt(0));
    assert.equal(producer.blocked, false);
    assert.equal(ready, 1);
  });

  it('fails every outstanding record when the connection closes', () => {
    const connection = fakeConnection();
    const producer = new PartitionProducer(connection, 't', 1, 'p', SETTINGS);
    const errors: string[] = [];
    const sink = { settle: (_i: number, e?: Error) => e && errors.push(e.message) };
    for (let i = 0; i < 1500; i++) producer.send({ payload: Buffer.alloc(1), properties: [] }, sink, i);
    producer.onConnectionClosed(new Error('connection lost'));
    assert.equal(errors.length, 1500);
    assert.equal(producer.pending, 0);
    producer.send({ payload: Buffer.alloc(1), properties: [] }, sink, 0);
    assert.equal(errors.length, 1501, 'later sends fail at once');
  });
});
