import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors';
import { parseFault } from '../../src/verify/faults';
import { evaluateVerifyGates, parseVerifyGate } from '../../src/verify/gates';
import { VerifyLedger } from '../../src/verify/ledger';
import { decodeRecord, encodeRecord } from '../../src/verify/record';
import type { VerifyResult } from '../../src/verify/run';

const S = 1_000_000; // µs per second

describe('verify record contents', () => {
  it('round-trips run, producer and sequence number at the requested size', () => {
    const value = encodeRecord({ run: 'ab12cd34', producer: 3, seq: 41 }, 100);
    assert.equal(value.length, 100);
    assert.equal(value.toString('ascii', 0, 21), 'mqv1|ab12cd34|3|41|..');
    assert.deepEqual(decodeRecord(value), { run: 'ab12cd34', producer: 3, seq: 41 });
  });

  it('grows a record that the identity does not fit in, and ignores values that are not verify records', () => {
    assert.equal(encodeRecord({ run: 'r', producer: 0, seq: 123456 }, 4).toString(), 'mqv1|r|0|123456|');
    assert.equal(decodeRecord(Buffer.from('hello world, not ours')), undefined);
    assert.equal(decodeRecord(Buffer.from('mqv1|r|x|1|')), undefined);
    assert.equal(decodeRecord(undefined), undefined);
  });
});

describe('verify ledger', () => {
  it('counts lost (acknowledged, never received), unconfirmed (delivered or not) and refused records', () => {
    const l = new VerifyLedger(1, 6);
    for (let s = 0; s < 6; s++) l.sent(0, s, 0);
    l.settled(0, 0, 1000); // acked, received
    l.settled(0, 1, 1000); // acked, never received: lost
    l.settled(0, 2, 1000, 'NOT_ENOUGH_REPLICAS'); // refused
    // 3: never settled, delivered; 4: never settled, not delivered
    l.settled(0, 5, 1000); // acked, received
    l.received(0, 0, 2000, 'p0@0');
    l.received(0, 3, 2000, 'p0@1');
    l.received(0, 5, 2000, 'p0@2');
    const r = l.report(1000);
    assert.equal(r.sent, 6);
    assert.equal(r.acknowledged, 3);
    assert.equal(r.refused, 1);
    assert.equal(r.received, 3);
    assert.equal(r.lost, 1);
    assert.deepEqual(r.examples.lost, [{ producer: 0, seq: 1, detail: 'acknowledged, never received' }]);
    assert.equal(r.unconfirmed, 2);
    assert.equal(r.unconfirmedDelivered, 1);
    assert.equal(r.unconfirmedNotDelivered, 1);
    assert.equal(r.examples.refused[0]!.detail, 'NOT_ENOUGH_REPLICAS');
    assert.equal(r.duplicated, 0);
    assert.equal(r.reordered, 0);
  });

  it('Pulsar positions (ledger:entry:batch): the same entry again is a redelivery, another entry is stored twice; RabbitMQ tags compare to nothing', () => {
    const l = new VerifyLedger(1, 3);
    for (let s = 0; s < 3; s++) {
      l.sent(0, s, 0);
      l.settled(0, s, 10);
    }
    l.received(0, 0, 20, '136:4:0');
    l.received(0, 0, 30, '136:4:0'); // the new consumer got the unacknowledged entry again
    l.received(0, 1, 20, '136:4:1');
    l.received(0, 1, 30, '136:9:0 redelivery 1'); // a second entry holds it: stored twice
    l.received(0, 2, 20, 'tag 3');
    l.received(0, 2, 30, 'tag 9 redelivered'); // RabbitMQ: neither
    const r = l.report(1000);
    assert.equal(r.duplicated, 3);
    assert.equal(r.duplicatedRedelivered, 1);
    assert.equal(r.duplicatedStoredTwice, 1);
  });

  it('counts a record received twice once as duplicated, with both positions; stored twice when the offsets differ', () => {
    const l = new VerifyLedger(1, 3);
    for (let s = 0; s < 3; s++) {
      l.sent(0, s, 0);
      l.settled(0, s, 10);
    }
    l.received(0, 0, 20, 'p0@0');
    l.received(0, 1, 20, 'p0@1');
    l.received(0, 1, 30, 'p0@1'); // redelivered (same offset)
    l.received(0, 2, 30, 'p0@2');
    l.received(0, 2, 40, 'p0@3'); // stored twice (a second offset)
    l.received(0, 2, 50, 'p0@3');
    const r = l.report(1000);
    assert.equal(r.received, 3);
    assert.equal(r.deliveries, 6);
    assert.equal(r.duplicated, 2);
    assert.equal(r.duplicateDeliveries, 3);
    assert.equal(r.duplicatedAckedOnce, 2);
    assert.equal(r.duplicatedStoredTwice, 1);
    assert.equal(r.duplicatedRedelivered, 1);
    assert.deepEqual(
      r.examples.duplicated.map((e) => [e.seq, e.positions]),
      [
        [1, ['p0@1', 'p0@1']],
        [2, ['p0@2', 'p0@3']],
      ],
    );
    assert.equal(r.lost, 0);
  });

  it('counts a first receipt after a higher sequence number of the same producer as reordered, not across producers', () => {
    const l = new VerifyLedger(2, 4);
    for (const p of [0, 1])
      for (let s = 0; s < 4; s++) {
        l.sent(p, s, 0);
        l.settled(p, s, 1);
      }
    // producer 0: 0, 2, 1, 3 -> seq 1 reordered; producer 1: 3, 0, 1, 2 -> 0, 1, 2 reordered
    for (const s of [0, 2, 1, 3]) l.received(0, s, 5);
    for (const s of [3, 0, 1, 2]) l.received(1, s, 5);
    // records of another run are foreign, not part of any count
    l.received(-1, -1, 5, 'p0@99');
    const r = l.report(1000);
    assert.equal(r.reordered, 4);
    assert.equal(r.examples.reordered[0]!.detail, 'received after seq 2 of the same producer');
    assert.equal(r.foreign, 1);
    assert.equal(r.received, 8);
    assert.equal(r.deliveries, 8);
  });

  it('reports windows without acknowledgements or deliveries while some were due, and none below the threshold', () => {
    const l = new VerifyLedger(1, 100);
    // 0..1 s: sends and acks every 100 ms, received at once
    let seq = 0;
    for (let t = 0; t < 1 * S; t += 100_000) {
      l.sent(0, seq, t);
      l.settled(0, seq, t + 10_000);
      l.received(0, seq, t + 20_000);
      seq++;
    }
    // 1..3 s: sends go on, no acks (leader gone); 3 s: all acked at once; deliveries resume at 3.5 s
    const stalled: number[] = [];
    for (let t = 1 * S; t < 3 * S; t += 100_000) {
      l.sent(0, seq, t);
      stalled.push(seq++);
    }
    for (const s of stalled) l.settled(0, s, 3 * S);
    for (const s of stalled) l.received(0, s, 3.5 * S);
    const outages = l.outages(1000);
    // the 0.5 s without deliveries is below the 1 s threshold
    assert.deepEqual(outages, [{ kind: 'acks', from: 1, to: 3, seconds: 2 }]);
    assert.deepEqual(
      l.outages(400).map((w) => [w.kind, w.from, w.to]),
      [
        ['acks', 1, 3],
        ['deliveries', 3, 3.5],
      ],
    );
  });
});

describe('verify flags', () => {
  it('parses a fault: at, optional timeout, the rest after cmd= is the command', () => {
    assert.deepEqual(parseFault('at=20s cmd=docker kill rabbit-2'), {
      atMs: 20_000,
      command: 'docker kill rabbit-2',
      timeoutMs: 120_000,
    });
    assert.deepEqual(parseFault('at=1.5s timeout=30s cmd=sh -c "echo a=b"'), {
      atMs: 1500,
      command: 'sh -c "echo a=b"',
      timeoutMs: 30_000,
    });
    assert.throws(() => parseFault('at=20s'), UsageError);
    assert.throws(() => parseFault('cmd=true'), /no at=/);
    assert.throws(() => parseFault('when=3s cmd=true'), /unknown field when=/);
  });

  it('gates over verify counts: lost==0 fails at 1, passes at 0; unknown metrics are usage errors', () => {
    const gate = parseVerifyGate('lost==0');
    const result = (lost: number) => ({ lost, outages: [] }) as unknown as VerifyResult;
    assert.equal(evaluateVerifyGates([gate], result(0))[0]!.passed, true);
    const failed = evaluateVerifyGates([gate], result(1))[0]!;
    assert.equal(failed.passed, false);
    assert.equal(failed.message, 'lost = 1, wanted == 0');
    assert.throws(() => parseVerifyGate('p99<20ms'), /unknown metric|invalid gate/);
    assert.throws(() => parseVerifyGate('lost=0'), UsageError);
  });
});
