import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors';

export type KeyPattern = 'none' | 'random' | 'seq';

/**
 * Payloads and keys for generated records. Like kafka-producer-perf-test, a fixed-size payload is one
 * random buffer reused for every record (the broker sees incompressible bytes, the generator allocates
 * nothing per record); `--payload-file` picks a random line per record.
 */
export class PayloadSource {
  private readonly payloads: Buffer[];

  constructor(recordSize: number | undefined, payloadFile: string | undefined, delimiter = '\n') {
    if (payloadFile) {
      let text: string;
      try {
        text = readFileSync(payloadFile, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read --payload-file ${payloadFile}: ${(error as Error).message}`);
      }
      this.payloads = text
        .split(delimiter)
        .filter((line) => line.length > 0)
        .map((line) => Buffer.from(line, 'utf8'));
      if (this.payloads.length === 0) throw new UsageError(`--payload-file ${payloadFile} has no payloads`);
    } else {
      const size = recordSize ?? 100;
      if (!Number.isInteger(size) || size < 0)
        throw new UsageError('--record-size must be a whole number ≥ 0');
      this.payloads = [randomBytes(size)];
    }
  }

  get maxSize(): number {
    return this.payloads.reduce((n, p) => Math.max(n, p.length), 0);
  }

  get averageSize(): number {
    return this.payloads.reduce((n, p) => n + p.length, 0) / this.payloads.length;
  }

  next(): Buffer {
    if (this.payloads.length === 1) return this.payloads[0]!;
    return this.payloads[Math.floor(Math.random() * this.payloads.length)]!;
  }
}

/**
 * Keys: none, random within a key space, or a sequence. With `--shard I/N` this process only uses the
 * keys k where k mod N = I, so N shards together cover the key space once.
 */
export class KeySource {
  constructor(
    readonly pattern: KeyPattern,
    readonly keySpace: number,
    readonly shardIndex = 0,
    readonly shardCount = 1,
  ) {}

  key(localIndex: number): string | undefined {
    switch (this.pattern) {
      case 'none':
        return undefined;
      case 'seq':
        return String(localIndex * this.shardCount + this.shardIndex);
      case 'random': {
        const perShard = Math.max(1, Math.floor(this.keySpace / this.shardCount));
        return String(Math.floor(Math.random() * perShard) * this.shardCount + this.shardIndex);
      }
    }
  }
}

/** Parses `--shard I/N` (0 ≤ I < N). */
export function parseShard(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) {
    throw new UsageError(`invalid --shard "${text}"`, { hint: 'use I/N with 0 ≤ I < N, e.g. 0/4' });
  }
  return { index, count };
}
