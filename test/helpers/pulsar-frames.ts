import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeFrame,
  decodePayloadSection,
  encodeBatchPayload,
  encodeCommand,
  encodePayloadCommand,
  splitEntry,
  type Frame,
} from '../../src/brokers/pulsar/binary/frame';
import { CommandType, hasField, toNumber } from '../../src/brokers/pulsar/binary/proto';
import { LOCAL } from './brokers';

/**
 * Frames recorded from a real Pulsar broker, the way kafkajs tests its protocol against captured bytes: a raw
 * socket sends a fixed conversation (connect, lookup, produce a plain message and a batch, subscribe, read them
 * back, a refused subscribe, close) and keeps every byte the broker sends, cut into frames by their length
 * prefix only. `checkRecordedFrames` decodes them with mqctl's codec and checks them against what the
 * conversation sent and what Pulsar's protocol documents, never against the codec's own output.
 *
 * The fixture (test/fixtures/pulsar-frames/recorded.json) is rewritten with
 *   node dist/test/helpers/pulsar-frames.js --write
 * against the local broker (`npm run brokers:up`).
 */

export interface RecordedFrame {
  /** what the frame answers in the conversation */
  label: string;
  /** the frame after its 4-byte total size, as hex */
  hex: string;
}

export interface Recording {
  broker: string;
  recorded: string;
  topic: string;
  frames: RecordedFrame[];
}

export const FIXTURE = join(
  __dirname,
  '..',
  '..',
  '..',
  'test',
  'fixtures',
  'pulsar-frames',
  'recorded.json',
);

/** What the conversation sends: the checks compare the decoded frames with these. */
export const SENT = {
  plain: { payload: 'plain-payload', key: 'plain-key', properties: [{ key: 'origin', value: 'recorder' }] },
  batch: ['batch-0', 'batch-1', 'batch-2'].map((payload, i) => ({
    payload,
    key: `bk${i}`,
    properties: [{ key: 'index', value: String(i) }],
  })),
  producerName: 'mqctl-frame-recorder',
  subscription: 'recorder',
};

/** Reads whole frames off a socket, by their 4-byte length prefix alone (no decoding). */
class RawFrames {
  private buffer = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiter?: () => void;

  constructor(socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      while (this.buffer.length >= 4 && this.buffer.length >= 4 + this.buffer.readUInt32BE(0)) {
        const total = this.buffer.readUInt32BE(0);
        this.frames.push(this.buffer.subarray(4, 4 + total));
        this.buffer = this.buffer.subarray(4 + total);
      }
      this.waiter?.();
    });
  }

  /** The next frame that is not a PING (answered by the caller), within 10 s. */
  async next(what: string): Promise<Buffer> {
    const deadline = Date.now() + 10_000;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      assert.ok(left > 0, `no frame from the broker for ${what} within 10 s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.frames.shift()!;
  }
}

/** Records the conversation on `topic` (created by the broker on first use) at `serviceUrl`. */
export async function recordFrames(
  topic: string,
  serviceUrl = 'pulsar://127.0.0.1:6650',
): Promise<Recording> {
  const url = new URL(serviceUrl);
  const socket = connect({ host: url.hostname, port: Number(url.port || 6650) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const raw = new RawFrames(socket);
  const frames: RecordedFrame[] = [];
  const send = (buf: Buffer) => socket.write(buf);
  const expect = async (label: string) => {
    let frame = await raw.next(label);
    // a PING from the broker may come at any time: answer it, do not record it as the answer
    while (decodeFrame(frame).command.type === CommandType.PING) {
      send(encodeCommand({ type: CommandType.PONG, pong: {} }));
      frame = await raw.next(label);
    }
    frames.push({ label, hex: frame.toString('hex') });
  };
  try {
    send(
      encodeCommand({
        type: CommandType.CONNECT,
        connect: { clientVersion: 'mqctl-frame-recorder', protocolVersion: 19 },
      }),
    );
    await expect('connected');
    send(
      encodeCommand({ type: CommandType.PARTITIONED_METADATA, partitionMetadata: { topic, requestId: 1 } }),
    );
    await expect('partitioned-metadata-response');
    send(
      encodeCommand({ type: CommandType.LOOKUP, lookupTopic: { topic, requestId: 2, authoritative: false } }),
    );
    await expect('lookup-response');
    send(
      encodeCommand({
        type: CommandType.PRODUCER,
        producer: { topic, producerId: 1, requestId: 3, producerName: SENT.producerName },
      }),
    );
    await expect('producer-success');
    send(
      encodePayloadCommand(
        { type: CommandType.SEND, send: { producerId: 1, sequenceId: 0, numMessages: 1 } },
        {
          producerName: SENT.producerName,
          sequenceId: 0,
          publishTime: Date.now(),
          partitionKey: SENT.plain.key,
          properties: SENT.plain.properties,
        },
        Buffer.from(SENT.plain.payload),
      ),
    );
    await expect('send-receipt-plain');
    const batch = encodeBatchPayload(
      SENT.batch.map((r, i) => ({
        payload: Buffer.from(r.payload),
        key: r.key,
        properties: r.properties,
        sequenceId: 1 + i,
      })),
    );
    send(
      encodePayloadCommand(
        {
          type: CommandType.SEND,
          send: { producerId: 1, sequenceId: 1, numMessages: 3, highestSequenceId: 3 },
        },
        {
          producerName: SENT.producerName,
          sequenceId: 1,
          publishTime: Date.now(),
          numMessagesInBatch: 3,
          uncompressedSize: batch.length,
          highestSequenceId: 3,
        },
        batch,
      ),
    );
    await expect('send-receipt-batch');
    send(
      encodeCommand({
        type: CommandType.SUBSCRIBE,
        subscribe: {
          topic,
          subscription: SENT.subscription,
          subType: 0, // Exclusive
          consumerId: 1,
          requestId: 4,
          initialPosition: 1, // Earliest
          durable: true,
        },
      }),
    );
    await expect('subscribe-success');
    send(encodeCommand({ type: CommandType.FLOW, flow: { consumerId: 1, messagePermits: 10 } }));
    await expect('message-plain');
    await expect('message-batch');
    send(
      encodeCommand({
        type: CommandType.SUBSCRIBE,
        subscribe: { topic, subscription: SENT.subscription, subType: 0, consumerId: 2, requestId: 5 },
      }),
    );
    await expect('subscribe-error-consumer-busy');
    send(encodeCommand({ type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: 1, requestId: 6 } }));
    await expect('close-producer-success');
    return {
      broker: await brokerVersion(),
      recorded: new Date().toISOString().slice(0, 10),
      topic,
      frames,
    };
  } finally {
    socket.destroy();
  }
}

async function brokerVersion(): Promise<string> {
  const r = await fetch(`${LOCAL.pulsar.adminUrl}/admin/v2/brokers/version`);
  return `Apache Pulsar ${(await r.text()).trim()} standalone`;
}

function frame(recording: Recording, label: string): Frame {
  const f = recording.frames.find((x) => x.label === label);
  assert.ok(f, `no recorded frame "${label}"`);
  return decodeFrame(Buffer.from(f.hex, 'hex'));
}

/** Decodes every recorded frame and checks it against the conversation and the protocol's documented values. */
export function checkRecordedFrames(recording: Recording): void {
  const { topic } = recording;
  const connected = frame(recording, 'connected').command;
  assert.equal(connected.type, CommandType.CONNECTED);
  assert.match(connected.connected?.serverVersion ?? '', /^Pulsar Server/);
  assert.equal(
    connected.connected?.protocolVersion,
    19,
    'the broker speaks the version the client asked for',
  );
  // maxMessageSize is sent by brokers since 2.4; the standalone's default is 5 MiB plus Pulsar's 10 KiB padding
  assert.ok(hasField(connected.connected!, 'maxMessageSize'));
  assert.ok((connected.connected?.maxMessageSize ?? 0) >= 5 * 1024 * 1024);

  const meta = frame(recording, 'partitioned-metadata-response').command;
  assert.equal(meta.type, CommandType.PARTITIONED_METADATA_RESPONSE);
  assert.equal(toNumber(meta.partitionMetadataResponse?.requestId), 1);
  assert.equal(meta.partitionMetadataResponse?.partitions, 0, 'a non-partitioned topic');
  assert.equal(meta.partitionMetadataResponse?.response, 0, 'Success');

  const lookup = frame(recording, 'lookup-response').command;
  assert.equal(lookup.type, CommandType.LOOKUP_RESPONSE);
  assert.equal(toNumber(lookup.lookupTopicResponse?.requestId), 2);
  assert.equal(lookup.lookupTopicResponse?.response, 1, 'Connect: this broker serves the topic');
  assert.equal(lookup.lookupTopicResponse?.brokerServiceUrl, 'pulsar://127.0.0.1:6650');

  const producer = frame(recording, 'producer-success').command;
  assert.equal(producer.type, CommandType.PRODUCER_SUCCESS);
  assert.equal(toNumber(producer.producerSuccess?.requestId), 3);
  assert.equal(producer.producerSuccess?.producerName, SENT.producerName);
  assert.equal(toNumber(producer.producerSuccess?.lastSequenceId), -1, 'no message from this producer yet');
  // The field whose default once broke mqctl (proto2 default true when absent): this broker sends it, true
  // (ready at once; false only for a producer waiting for exclusive access).
  assert.equal(producer.producerSuccess?.producerReady, true);

  const receipts = ['send-receipt-plain', 'send-receipt-batch'].map((l) => frame(recording, l).command);
  for (const [i, r] of receipts.entries()) {
    assert.equal(r.type, CommandType.SEND_RECEIPT);
    assert.equal(toNumber(r.sendReceipt?.producerId), 1);
    assert.equal(toNumber(r.sendReceipt?.sequenceId), i === 0 ? 0 : 1);
    assert.ok(r.sendReceipt?.messageId, 'a receipt carries the stored message id');
    assert.ok(toNumber(r.sendReceipt.messageId.ledgerId) >= 0);
  }
  assert.equal(toNumber(receipts[1]!.sendReceipt?.highestSequenceId), 3, 'the batch is acknowledged up to 3');
  assert.equal(
    toNumber(receipts[1]!.sendReceipt?.messageId?.entryId),
    toNumber(receipts[0]!.sendReceipt?.messageId?.entryId) + 1,
    'the batch is the entry after the plain message',
  );

  const subscribed = frame(recording, 'subscribe-success').command;
  assert.equal(subscribed.type, CommandType.SUCCESS);
  assert.equal(toNumber(subscribed.success?.requestId), 4);

  // The messages, with the broker's checksum verified over the recorded bytes.
  const plain = frame(recording, 'message-plain');
  assert.equal(plain.command.type, CommandType.MESSAGE);
  assert.equal(toNumber(plain.command.message?.consumerId), 1);
  assert.deepEqual(
    [
      toNumber(plain.command.message?.messageId?.ledgerId),
      toNumber(plain.command.message?.messageId?.entryId),
    ],
    [
      toNumber(receipts[0]!.sendReceipt?.messageId?.ledgerId),
      toNumber(receipts[0]!.sendReceipt?.messageId?.entryId),
    ],
  );
  assert.ok(plain.rest, 'a MESSAGE carries its payload section');
  const plainSection = decodePayloadSection(plain.rest, true);
  assert.equal(plainSection.metadata.producerName, SENT.producerName);
  assert.ok(toNumber(plainSection.metadata.publishTime) > Date.parse('2026-01-01'));
  assert.deepEqual(
    splitEntry(plainSection).map((r) => ({
      payload: r.payload.toString(),
      key: r.key,
      properties: r.properties.map((p) => ({ key: p.key, value: p.value })),
      batchIndex: r.batchIndex,
    })),
    [{ ...SENT.plain, batchIndex: -1 }],
  );

  const batch = frame(recording, 'message-batch');
  assert.equal(batch.command.type, CommandType.MESSAGE);
  assert.ok(batch.rest);
  const batchSection = decodePayloadSection(batch.rest, true);
  assert.equal(batchSection.metadata.numMessagesInBatch, 3);
  assert.deepEqual(
    splitEntry(batchSection).map((r) => ({
      payload: r.payload.toString(),
      key: r.key,
      properties: r.properties.map((p) => ({ key: p.key, value: p.value })),
      batchIndex: r.batchIndex,
    })),
    SENT.batch.map((r, i) => ({ ...r, batchIndex: i })),
  );

  const busy = frame(recording, 'subscribe-error-consumer-busy').command;
  assert.equal(busy.type, CommandType.ERROR);
  assert.equal(toNumber(busy.error?.requestId), 5);
  assert.equal(busy.error?.error, 5, 'ServerError.ConsumerBusy: the subscription is exclusive');
  assert.ok((busy.error?.message ?? '').length > 0);

  const closed = frame(recording, 'close-producer-success').command;
  assert.equal(closed.type, CommandType.SUCCESS);
  assert.equal(toNumber(closed.success?.requestId), 6);
  assert.ok(topic.startsWith('persistent://'));
}

export function readRecording(): Recording {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Recording;
}

if (require.main === module && process.argv.includes('--write')) {
  const topic = `persistent://public/default/mqctl-frame-recorder-${Date.now().toString(36)}`;
  void recordFrames(topic)
    .then(async (recording) => {
      checkRecordedFrames(recording);
      // the fixture names a stable topic; the recorder's own is deleted
      await fetch(`${LOCAL.pulsar.adminUrl}/admin/v2/${topic.replace('://', '/')}?force=true`, {
        method: 'DELETE',
      });
      writeFileSync(FIXTURE, `${JSON.stringify(recording, null, 2)}\n`);
      process.stdout.write(
        `${recording.frames.length} frames from ${recording.broker} written to ${FIXTURE}\n`,
      );
    })
    .catch((error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    });
}
