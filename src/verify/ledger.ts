/**
 * The bookkeeping of a verify run: for every record (producer, sequence number) what the producer heard
 * from the broker and how often a consumer received it. From that, at any moment, the counts the report
 * gives: lost (acknowledged, never received), unconfirmed (never acknowledged nor refused: delivered or
 * not), duplicated, reordered, refused, and the outage windows (no acknowledgements / no deliveries while
 * some were due). Pure: no clocks of its own, no I/O; times are passed in (µs since the run started).
 */

const UNSENT = 0;
const SENT = 1;
const ACKED = 2;
const REFUSED = 3;

/** Bucket width of the timeline the outage windows are computed from. */
export const TIMELINE_BUCKET_MS = 100;

export interface AnomalyExample {
  producer: number;
  seq: number;
  /** where the broker kept it (partition@offset, delivery tag, message id), when known */
  positions?: string[];
  detail?: string;
}

export interface OutageWindow {
  kind: 'acks' | 'deliveries';
  /** seconds since the run started */
  from: number;
  to: number;
  seconds: number;
}

export interface VerifyCounts {
  sent: number;
  acknowledged: number;
  refused: number;
  /** refused by the broker and still delivered (the refusal was not the last word) */
  refusedDelivered: number;
  /** distinct records received at least once */
  received: number;
  /** deliveries in total (received + duplicate deliveries) */
  deliveries: number;
  lost: number;
  unconfirmed: number;
  unconfirmedDelivered: number;
  unconfirmedNotDelivered: number;
  /** records received more than once */
  duplicated: number;
  /** deliveries beyond the first */
  duplicateDeliveries: number;
  /** duplicated records the broker had acknowledged exactly once (the duplicate is not a producer retry the client saw) */
  duplicatedAckedOnce: number;
  /** duplicated records found at two different positions (stored twice), where positions are comparable */
  duplicatedStoredTwice: number;
  /**
   * duplicated records delivered again from the same position (Kafka partition@offset): the consumer read
   * the one stored copy twice (a rewind to its last committed offset after a rebalance or a coordinator
   * move), which says nothing about the producer settings under test
   */
  duplicatedRedelivered: number;
  /** first receipts that came after a higher sequence number of the same producer */
  reordered: number;
  /** records on the topic that are not this run's (other runs, other tools) */
  foreign: number;
}

export interface VerifyReport extends VerifyCounts {
  examples: {
    lost: AnomalyExample[];
    unconfirmed: AnomalyExample[];
    refused: AnomalyExample[];
    duplicated: AnomalyExample[];
    reordered: AnomalyExample[];
  };
  outages: OutageWindow[];
}

interface Bucket {
  sent: number;
  settled: number;
  acked: number;
  firstReceipts: number;
}

export class VerifyLedger {
  private readonly state: Uint8Array[];
  private readonly receipts: Uint8Array[];
  private readonly firstPosition: Array<Array<string | undefined>>;
  private readonly maxSeq: number[];
  private readonly timeline: Bucket[] = [];
  private readonly counts = {
    sent: 0,
    acked: 0,
    refused: 0,
    received: 0,
    deliveries: 0,
    duplicateDeliveries: 0,
    reordered: 0,
    foreign: 0,
  };
  private readonly refusals = new Map<number, string>();
  private readonly duplicated: Array<{ producer: number; seq: number; positions: string[] }> = [];
  private readonly reorderedExamples: AnomalyExample[] = [];
  private readonly duplicatedSet = new Set<number>();

  constructor(
    readonly producers: number,
    /** records per producer this run can send at most */
    readonly capacity: number,
    readonly maxExamples = 5,
  ) {
    this.state = Array.from({ length: producers }, () => new Uint8Array(capacity));
    this.receipts = Array.from({ length: producers }, () => new Uint8Array(capacity));
    this.firstPosition = Array.from({ length: producers }, () => new Array<string | undefined>(capacity));
    this.maxSeq = new Array<number>(producers).fill(-1);
  }

  private bucket(tUs: number): Bucket {
    const i = Math.max(0, Math.floor(tUs / (TIMELINE_BUCKET_MS * 1000)));
    while (this.timeline.length <= i) this.timeline.push({ sent: 0, settled: 0, acked: 0, firstReceipts: 0 });
    return this.timeline[i]!;
  }

  private key(producer: number, seq: number): number {
    return seq * this.producers + producer;
  }

  private known(producer: number, seq: number): boolean {
    return producer >= 0 && producer < this.producers && seq >= 0 && seq < this.capacity;
  }

  sent(producer: number, seq: number, tUs: number): void {
    if (!this.known(producer, seq) || this.state[producer]![seq] !== UNSENT) return;
    this.state[producer]![seq] = SENT;
    this.counts.sent++;
    this.bucket(tUs).sent++;
  }

  /** The broker acknowledged (no error) or refused (error) the record. Later settlements are ignored. */
  settled(producer: number, seq: number, tUs: number, error?: string): void {
    if (!this.known(producer, seq) || this.state[producer]![seq] !== SENT) return;
    const b = this.bucket(tUs);
    b.settled++;
    if (error === undefined) {
      this.state[producer]![seq] = ACKED;
      this.counts.acked++;
      b.acked++;
    } else {
      this.state[producer]![seq] = REFUSED;
      this.counts.refused++;
      if (this.refusals.size < this.maxExamples) this.refusals.set(this.key(producer, seq), error);
    }
  }

  /** A consumer received this record (a record of another run or tool: `foreign`). */
  received(producer: number, seq: number, tUs: number, position?: string): void {
    this.counts.deliveries++;
    if (!this.known(producer, seq)) {
      this.counts.foreign++;
      return;
    }
    const receipts = this.receipts[producer]!;
    const before = receipts[seq]!;
    if (before < 255) receipts[seq] = before + 1;
    if (before === 0) {
      this.counts.received++;
      this.bucket(tUs).firstReceipts++;
      this.firstPosition[producer]![seq] = position;
      if (seq < this.maxSeq[producer]!) {
        this.counts.reordered++;
        if (this.reorderedExamples.length < this.maxExamples)
          this.reorderedExamples.push({
            producer,
            seq,
            positions: position === undefined ? undefined : [position],
            detail: `received after seq ${this.maxSeq[producer]} of the same producer`,
          });
      } else {
        this.maxSeq[producer] = seq;
      }
      return;
    }
    this.counts.duplicateDeliveries++;
    const key = this.key(producer, seq);
    if (!this.duplicatedSet.has(key)) {
      this.duplicatedSet.add(key);
      const first = this.firstPosition[producer]![seq];
      this.duplicated.push({ producer, seq, positions: [first ?? '?', position ?? '?'] });
    }
  }

  /** Records sent and neither acknowledged nor refused yet. */
  get outstanding(): number {
    return this.counts.sent - this.counts.acked - this.counts.refused;
  }

  get live(): { sent: number; acknowledged: number; refused: number; received: number; missing: number } {
    return {
      sent: this.counts.sent,
      acknowledged: this.counts.acked,
      refused: this.counts.refused,
      received: this.counts.received,
      missing: this.missingAcknowledged(),
    };
  }

  /** Acknowledged records not received yet (the run waits for these at the end). */
  missingAcknowledged(): number {
    let missing = 0;
    for (let p = 0; p < this.producers; p++) {
      const state = this.state[p]!;
      const receipts = this.receipts[p]!;
      for (let s = 0; s < this.capacity; s++) if (state[s] === ACKED && receipts[s] === 0) missing++;
    }
    return missing;
  }

  report(outageThresholdMs: number): VerifyReport {
    const c = {
      lost: 0,
      unconfirmed: 0,
      unconfirmedDelivered: 0,
      refusedDelivered: 0,
      duplicatedAckedOnce: 0,
      duplicatedStoredTwice: 0,
      duplicatedRedelivered: 0,
    };
    const examples: VerifyReport['examples'] = {
      lost: [],
      unconfirmed: [],
      refused: [],
      duplicated: [],
      reordered: this.reorderedExamples,
    };
    const room = (list: AnomalyExample[]) => list.length < this.maxExamples;
    for (let p = 0; p < this.producers; p++) {
      const state = this.state[p]!;
      const receipts = this.receipts[p]!;
      for (let s = 0; s < this.capacity; s++) {
        const st = state[s]!;
        const got = receipts[s]!;
        const position = this.firstPosition[p]![s];
        if (st === ACKED && got === 0) {
          c.lost++;
          if (room(examples.lost))
            examples.lost.push({ producer: p, seq: s, detail: 'acknowledged, never received' });
        } else if (st === SENT) {
          c.unconfirmed++;
          if (got > 0) c.unconfirmedDelivered++;
          if (room(examples.unconfirmed))
            examples.unconfirmed.push({
              producer: p,
              seq: s,
              positions: position === undefined ? undefined : [position],
              detail: got > 0 ? 'never acknowledged, delivered' : 'never acknowledged, not delivered',
            });
        } else if (st === REFUSED) {
          if (got > 0) c.refusedDelivered++;
          if (room(examples.refused))
            examples.refused.push({
              producer: p,
              seq: s,
              detail: `${this.refusals.get(this.key(p, s)) ?? 'refused'}${got > 0 ? ' (delivered anyway)' : ''}`,
            });
        }
      }
    }
    for (const d of this.duplicated) {
      if (this.state[d.producer]![d.seq] === ACKED) c.duplicatedAckedOnce++;
      // Where the broker kept each delivery: Kafka `p0@1234`, Pulsar `ledger:entry:batchIndex` (a redelivery
      // note after it is not part of the place). RabbitMQ delivery tags say nothing about storage.
      const place = (x: string | undefined) =>
        x === undefined ? undefined : /^(p\d+@\d+|\d+:\d+:-?\d+)(?:$|\s)/.exec(x)?.[1];
      const [a, b] = d.positions.map(place);
      const comparable = a !== undefined && b !== undefined;
      if (comparable && a !== b) c.duplicatedStoredTwice++;
      if (comparable && a === b) c.duplicatedRedelivered++;
      if (room(examples.duplicated))
        examples.duplicated.push({
          producer: d.producer,
          seq: d.seq,
          positions: d.positions,
          detail: `received ${this.receipts[d.producer]![d.seq]} times`,
        });
    }
    return {
      sent: this.counts.sent,
      acknowledged: this.counts.acked,
      refused: this.counts.refused,
      refusedDelivered: c.refusedDelivered,
      received: this.counts.received,
      deliveries: this.counts.deliveries - this.counts.foreign,
      lost: c.lost,
      unconfirmed: c.unconfirmed,
      unconfirmedDelivered: c.unconfirmedDelivered,
      unconfirmedNotDelivered: c.unconfirmed - c.unconfirmedDelivered,
      duplicated: this.duplicated.length,
      duplicateDeliveries: this.counts.duplicateDeliveries,
      duplicatedAckedOnce: c.duplicatedAckedOnce,
      duplicatedStoredTwice: c.duplicatedStoredTwice,
      duplicatedRedelivered: c.duplicatedRedelivered,
      reordered: this.counts.reordered,
      foreign: this.counts.foreign,
      examples,
      outages: this.outages(outageThresholdMs),
    };
  }

  /**
   * Windows of at least `thresholdMs` with no acknowledgement while records were outstanding (acks), or
   * with no first receipt while acknowledged records were still unreceived (deliveries).
   */
  outages(thresholdMs: number): OutageWindow[] {
    const windows: OutageWindow[] = [];
    const minBuckets = Math.max(1, Math.ceil(thresholdMs / TIMELINE_BUCKET_MS));
    const scan = (kind: OutageWindow['kind'], quiet: (i: number) => boolean) => {
      let start = -1;
      const close = (end: number) => {
        if (start >= 0 && end - start >= minBuckets)
          windows.push({
            kind,
            from: (start * TIMELINE_BUCKET_MS) / 1000,
            to: (end * TIMELINE_BUCKET_MS) / 1000,
            seconds: ((end - start) * TIMELINE_BUCKET_MS) / 1000,
          });
        start = -1;
      };
      for (let i = 0; i < this.timeline.length; i++) {
        if (quiet(i)) {
          if (start < 0) start = i;
        } else close(i);
      }
      close(this.timeline.length);
    };
    // cumulative counts at the start of each bucket
    let sent = 0;
    let settled = 0;
    let acked = 0;
    let firsts = 0;
    const before: Array<{ outstanding: number; unreceived: number }> = [];
    for (const b of this.timeline) {
      before.push({ outstanding: sent - settled, unreceived: acked - firsts });
      sent += b.sent;
      settled += b.settled;
      acked += b.acked;
      firsts += b.firstReceipts;
    }
    // quiet: nothing settled (received) in the bucket while something was due in it
    const t = this.timeline;
    scan('acks', (i) => t[i]!.settled === 0 && before[i]!.outstanding + t[i]!.sent > 0);
    scan('deliveries', (i) => t[i]!.firstReceipts === 0 && before[i]!.unreceived + t[i]!.acked > 0);
    return windows.sort((a, b) => a.from - b.from || a.kind.localeCompare(b.kind));
  }
}
