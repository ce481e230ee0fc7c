import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeApiVersionsResponse,
  encodeApiVersionsRequest,
  metadataVersionName,
} from '../../src/brokers/kafka/api-versions';

function uvarint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
function compactString(s: string): number[] {
  return [...uvarint(s.length + 1), ...Buffer.from(s)];
}
function int16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

describe('Kafka ApiVersions v3', () => {
  it('encodes a request with the size prefix, api key 18 and version 3', () => {
    const req = encodeApiVersionsRequest(7);
    assert.equal(req.readInt32BE(0), req.length - 4);
    assert.equal(req.readInt16BE(4), 18);
    assert.equal(req.readInt16BE(6), 3);
    assert.equal(req.readInt32BE(8), 7);
  });

  it('decodes supported and finalized features from the tagged fields', () => {
    const feature = (name: string, a: number, b: number) => [
      ...compactString(name),
      ...int16(a),
      ...int16(b),
      0,
    ];
    const supported = [
      ...uvarint(3),
      ...feature('metadata.version', 7, 27),
      ...feature('kraft.version', 0, 1),
    ];
    const finalized = [...uvarint(2), ...feature('metadata.version', 26, 26)];
    const body = Buffer.from([
      ...int16(0), // error
      ...uvarint(2), // one api key
      ...int16(18),
      ...int16(0),
      ...int16(4),
      0,
      0,
      0,
      0,
      0, // throttle
      ...uvarint(2), // two tagged fields
      0,
      ...uvarint(supported.length),
      ...supported,
      2,
      ...uvarint(finalized.length),
      ...finalized,
    ]);
    const decoded = decodeApiVersionsResponse(body);
    assert.equal(decoded.apiKeyCount, 1);
    assert.deepEqual(decoded.supportedFeatures['metadata.version'], { min: 7, max: 27 });
    assert.equal(decoded.finalizedFeatures['metadata.version'], 26);
    assert.equal(decoded.release, '4.1');
    assert.equal(metadataVersionName(26), '4.1-IV0');
  });
});
