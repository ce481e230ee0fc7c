/**
 * The rate check's observer for Pulsar and RabbitMQ, in a process of its own (forked by perf-common's
 * observeRecords): it subscribes, says `ready`, and notes each record's arrival time (epoch ms on this
 * process' clock) and mqctl-ts stamp. Asked to `collect`, it waits for the expected count and then 2 s of
 * silence (a late duplicate would still be counted), replies with what it saw and exits.
 *
 * Why a process and not a subscriber beside the producer: in one process the observer's 5,000 deliveries a
 * second (and the 60,000 notes it keeps) share the producer's event loop and heap; its work and the garbage
 * collections it causes delayed the producer's own schedule, which is the thing under test.
 */
import { connect } from '../../src/brokers';
import { createPerfConsumer } from '../../src/brokers/perf';
import type { BrokerKind } from '../../src/config/types';
import { localContext } from '../integration/perf-common';

export interface ObserverStart {
  kind: BrokerKind;
  topic: string;
  group?: string;
}

export type ObserverReply =
  { type: 'ready' } | { type: 'seen'; atMs: number[]; stamps: string[] } | { type: 'error'; message: string };

/** Sends one reply; `last` closes the channel once it is written (a 60,000-entry reply takes a while). */
const reply = (message: ObserverReply, last = false) =>
  process.send!(message, undefined, {}, () => {
    if (last) process.disconnect();
  });

async function main(start: ObserverStart): Promise<void> {
  const atMs: number[] = [];
  const stamps: string[] = [];
  const connection = connect(localContext(start.kind), { timeoutMs: 10_000 });
  const reader = await createPerfConsumer(connection, {
    topic: start.topic,
    from: 'earliest',
    prefetch: 1000,
    group: start.group,
  });
  await reader.start((_bytes, stamp) => {
    atMs.push(performance.timeOrigin + performance.now());
    stamps.push(stamp === undefined ? '' : String(stamp));
  });
  process.on('message', (message: { type: 'collect'; expected: number; timeoutMs: number }) => {
    if (message.type !== 'collect') return;
    void (async () => {
      const deadline = Date.now() + message.timeoutMs;
      while (atMs.length < message.expected && Date.now() < deadline) await sleep(50);
      // quiet for 2 s: a duplicate delivered late would still be counted
      for (let last = -1; atMs.length !== last && Date.now() < deadline;) {
        last = atMs.length;
        await sleep(2000);
      }
      await reader.close();
      await connection.close();
      reply({ type: 'seen', atMs, stamps }, true);
    })().catch((error: Error) => {
      reply({ type: 'error', message: error.message }, true);
    });
  });
  reply({ type: 'ready' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The test process gone (killed, or its file timed out): nothing is left running with a subscription open.
process.once('disconnect', () => process.exit(0));

process.once('message', (start: ObserverStart) => {
  main(start).catch((error: Error) => {
    reply({ type: 'error', message: error.message }, true);
  });
});
