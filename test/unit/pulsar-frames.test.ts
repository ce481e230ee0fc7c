import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFrame, decodePayloadSection } from '../../src/brokers/pulsar/binary/frame';
import { checkRecordedFrames, readRecording } from '../helpers/pulsar-frames';

describe('Pulsar binary codec against frames recorded from a real broker (test/fixtures/pulsar-frames)', () => {
  const recording = readRecording();

  it(`decodes the ${recording.frames.length} recorded frames of ${recording.broker} as the conversation and the protocol say`, () => {
    assert.ok(recording.frames.length >= 11, `${recording.frames.length} frames`);
    checkRecordedFrames(recording);
  });

  it('refuses a recorded message whose bytes were changed (the broker-computed CRC32C)', () => {
    const f = recording.frames.find((x) => x.label === 'message-batch')!;
    const bytes = Buffer.from(f.hex, 'hex');
    bytes[bytes.length - 1] ^= 0x01; // one bit of the last record's payload
    const { rest } = decodeFrame(bytes);
    assert.throws(() => decodePayloadSection(rest!, true), /checksum mismatch/);
  });
});
