import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { encodeRecord, groupMessagesPerPartition, REPLACED } from '../../src/brokers/kafka/kafkajs';

/** kafkajs' own implementation of a module mqctl replaced, compiled fresh from its file. */
function original<T>(path: string): T {
  const m = new Module(path, module) as NodeJS.Module & {
    filename: string;
    paths: string[];
    _compile(code: string, file: string): void;
  };
  m.filename = path;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    dirname(path),
  );
  m._compile(readFileSync(path, 'utf8'), path);
  return m.exports as T;
}

/** A deterministic PRNG so a failure is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('kafkajs replacements', () => {
  it('are the modules kafkajs loads', () => {
    const cache = (Module as unknown as { _cache: Record<string, NodeJS.Module> })._cache;
    assert.equal(cache[REPLACED.groupMessagesPerPartition]?.exports, groupMessagesPerPartition);
    assert.equal(cache[REPLACED.record]?.exports, encodeRecord);
  });

  it('encode every record byte for byte like kafkajs 2.2.4', () => {
    type Rec = Parameters<typeof encodeRecord>[0];
    const kafkajsRecord = original<(r: Rec) => { buffer: Buffer }>(REPLACED.record);
    const random = rng(42);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const sizes = [0, 1, 63, 64, 127, 128, 300, 8191, 8192, 16383, 16384, 70_000];
    const cases: Rec[] = [
      {},
      { key: null, value: null },
      { key: 'k', value: 'v', headers: { a: 'b' } },
      {
        key: 'ключ ✓',
        value: Buffer.from('värde'),
        headers: { 'mqctl-ts': '1732400000000000', x: ['1', '22'] },
      },
      { offsetDelta: 0, timestampDelta: -5, value: Buffer.alloc(100) },
      { offsetDelta: 2 ** 31 - 1, timestampDelta: 2 ** 40, value: Buffer.alloc(1) },
    ];
    for (let i = 0; i < 2000; i++) {
      const headers: Record<string, string | Buffer | Array<string | Buffer>> = {};
      const n = pick([0, 0, 1, 3]);
      for (let h = 0; h < n; h++) {
        headers[`h${h}-${pick(['', 'ü', 'long-header-name'.repeat(9)])}`] = pick([
          () => String(Math.floor(random() * 1e16)),
          () => bytes(pick(sizes.slice(0, 6))),
          () => [String(h), bytes(3)],
        ])();
      }
      cases.push({
        offsetDelta: Math.floor(random() * 100_000),
        timestampDelta: Math.floor((random() - 0.2) * 10 ** pick([1, 3, 6, 12])),
        key: pick([null, undefined, `key-${i}`, bytes(pick(sizes.slice(0, 5)))]),
        value: pick([null, `v${i}`, bytes(pick(sizes))]),
        headers,
      });
    }
    for (const c of cases) {
      const ours = encodeRecord(c) as unknown as { buffer: Buffer };
      assert.deepEqual(ours.buffer, kafkajsRecord(c).buffer, JSON.stringify(c).slice(0, 200));
    }
  });

  it('group messages per partition exactly as kafkajs does, in send order', () => {
    type Args = Parameters<typeof groupMessagesPerPartition>[0];
    const kafkajsGroup = original<(a: Args) => Record<number, unknown[]>>(REPLACED.groupMessagesPerPartition);
    const random = rng(7);
    const partitionMetadata = [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }];
    const messages = Array.from({ length: 3000 }, (_, i) => ({
      value: `m${i}`,
      p: Math.floor(random() * 3),
    }));
    const partitioner = ({ message }: { message: unknown }) => (message as { p: number }).p;
    const args = { topic: 't', partitionMetadata, messages, partitioner };
    const ours = groupMessagesPerPartition(args);
    assert.deepEqual(ours, kafkajsGroup(args));
    assert.equal(Object.values(ours).flat().length, 3000);
    assert.deepEqual(groupMessagesPerPartition({ ...args, partitionMetadata: [] }), {});
  });
});
