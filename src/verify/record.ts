/**
 * The contents of a verify record: which run, which producer, which sequence number. Written as ASCII at
 * the start of the value (`mqv1|<run>|<producer>|<seq>|`) and padded to the record size, so a reader can
 * tell this run's records from anything else on the topic without headers (every broker keeps the value).
 */

const PREFIX = 'mqv1|';

export interface RecordIdentity {
  run: string;
  producer: number;
  seq: number;
}

export function encodeRecord(id: RecordIdentity, size: number): Buffer {
  const head = `${PREFIX}${id.run}|${id.producer}|${id.seq}|`;
  const value = Buffer.alloc(Math.max(size, head.length), '.');
  value.write(head, 0, 'ascii');
  return value;
}

/** The identity of a verify record, or undefined for anything else (another tool's record, garbage). */
export function decodeRecord(value: Buffer | undefined): RecordIdentity | undefined {
  if (!value || value.length < PREFIX.length + 6) return undefined;
  if (value.toString('ascii', 0, PREFIX.length) !== PREFIX) return undefined;
  const head = value.toString('ascii', PREFIX.length, Math.min(value.length, PREFIX.length + 80));
  const parts = head.split('|');
  if (parts.length < 4) return undefined;
  const producer = Number(parts[1]);
  const seq = Number(parts[2]);
  if (!parts[0] || !Number.isInteger(producer) || !Number.isInteger(seq) || producer < 0 || seq < 0)
    return undefined;
  return { run: parts[0], producer, seq };
}
