import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../../brokers';
import { createPerfProducer, type PerfChunk } from '../../brokers/perf';
import { formatErrorLine } from '../../core/errors';
import { epochUsOf, nowUs } from '../clock';
import type { IoThreadInput, IoToMain, MainToIo, Settlement } from './client-main';

/** The producer thread of `IoThreadProducer`: the broker client on its own event loop. */
async function main(): Promise<void> {
  const port = parentPort!;
  const input = workerData as IoThreadInput;
  const connection = connect(input.ctx, { timeoutMs: input.timeoutMs });
  let pending: Settlement[] = [];
  let flushQueued = false;
  const flushSettlements = () => {
    flushQueued = false;
    const list = pending;
    pending = [];
    port.postMessage({ type: 'settled', list } satisfies IoToMain);
  };
  const settle = (id: number, from: number, to: number, error?: Error) => {
    pending.push(
      error ? [id, from, to, epochUsOf(nowUs()), error.message] : [id, from, to, epochUsOf(nowUs())],
    );
    if (!flushQueued) {
      flushQueued = true;
      // every acknowledgement of one I/O callback goes back in one message
      queueMicrotask(flushSettlements);
    }
  };
  try {
    const driver = await createPerfProducer(connection, input.options);
    let reportedBlocked = false;
    const reportBlocked = () => {
      const blocked = driver.blocked();
      if (blocked !== reportedBlocked) {
        reportedBlocked = blocked;
        port.postMessage({ type: 'blocked', blocked } satisfies IoToMain);
      }
    };
    driver.onReady = reportBlocked;
    port.on('message', (m: MainToIo) => {
      if (m.type === 'send') {
        const id = m.id;
        // structured cloning turns Buffers into Uint8Arrays (one copy per distinct payload): view them as Buffers
        const views = new Map<Uint8Array, Buffer>();
        const records = m.records;
        for (const r of records) {
          const raw = r.value as Uint8Array;
          let view = views.get(raw);
          if (!view) views.set(raw, (view = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)));
          r.value = view;
        }
        const chunk: PerfChunk = {
          records,
          settle: (index, error) => settle(id, index, index + 1, error),
          settleRange: (from, to, error) => settle(id, from, to, error),
        };
        driver.send(chunk);
        reportBlocked();
      } else if (m.type === 'close') {
        void (async () => {
          await driver.flush(2000);
          await driver.close().catch(() => undefined);
          await connection.close().catch(() => undefined);
          if (flushQueued) flushSettlements();
          port.postMessage({ type: 'closed' } satisfies IoToMain);
          port.close();
        })();
      }
    });
    port.postMessage({
      type: 'ready',
      description: driver.description,
      maxOutstanding: driver.maxOutstanding,
    } satisfies IoToMain);
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode ?? 1;
    port.postMessage({ type: 'error', message: formatErrorLine(error), exitCode } satisfies IoToMain);
    await connection.close().catch(() => undefined);
    port.close();
  }
}

void main();
