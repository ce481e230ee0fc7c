import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PerfChunk, PerfProducerDriver, PerfProducerOptions } from '../../brokers/perf';
import { MqctlError } from '../../core/errors';
import type { ResolvedContext } from '../../config/types';
import { epochUsOf } from '../clock';

/**
 * The client's own thread, like the Java producer's Sender thread: the open-loop generator hands records
 * over (a postMessage, a few microseconds) and a worker thread runs the broker client — encoding, sockets,
 * acknowledgements — on its own event loop. The client's CPU bursts and garbage collection then delay
 * acknowledgements (service latency, as in kafka-producer-perf-test) instead of the schedule (send delay).
 * Measured on Kafka at 50,000 msg/s: see docs/perf.md.
 */
export interface IoThreadInput {
  ctx: ResolvedContext;
  timeoutMs: number;
  options: PerfProducerOptions;
}

/** Records [from, to) of chunk `id` settled at epoch microseconds `ackEpochUs` (error: the message). */
export type Settlement = [id: number, from: number, to: number, ackEpochUs: number, error?: string];

export type IoToMain =
  | { type: 'ready'; description: string; maxOutstanding?: number }
  | { type: 'settled'; list: Settlement[] }
  | { type: 'blocked'; blocked: boolean }
  | { type: 'closed' }
  | { type: 'error'; message: string; exitCode: number };

export type MainToIo = { type: 'send'; id: number; records: PerfChunk['records'] } | { type: 'close' };

interface Open {
  chunk: PerfChunk;
  remaining: number;
}

export class IoThreadProducer implements PerfProducerDriver {
  description = '';
  maxOutstanding?: number;
  onReady?: () => void;
  onFailure?: (error: Error) => void;
  private readonly open = new Map<number, Open>();
  private nextId = 0;
  private unsettled = 0;
  private isBlocked = false;
  private failure?: Error;
  private closed?: Promise<void>;

  private constructor(private readonly worker: Worker) {}

  /** Starts the thread, which connects and opens the broker's producer (creating the topic if asked). */
  static async start(input: IoThreadInput): Promise<IoThreadProducer> {
    const worker = new Worker(join(__dirname, 'client-worker.js'), { workerData: input });
    const producer = new IoThreadProducer(worker);
    let started = false;
    // after start, a dead thread ends the run (onFailure); before, it fails the start
    const fail = (error: Error) => {
      const first = !producer.failure;
      producer.failure ??= error;
      producer.settleAll(producer.failure);
      if (first && started) producer.onFailure?.(producer.failure);
    };
    try {
      await new Promise<void>((resolve, reject) => {
        worker.on('message', (m: IoToMain) => {
          if (m.type === 'ready') {
            producer.description = `${m.description}; client on its own thread`;
            producer.maxOutstanding = m.maxOutstanding;
            started = true;
            resolve();
          } else if (m.type === 'error') {
            fail(new MqctlError(m.message, m.exitCode));
            reject(producer.failure);
          } else producer.handle(m);
        });
        worker.on('error', (error) => {
          fail(error);
          reject(error);
        });
        worker.on('exit', () => {
          if (producer.closed) return;
          fail(new MqctlError('the producer thread exited', 1));
          reject(producer.failure);
        });
      });
    } catch (error) {
      // a thread that failed to start may still hold a connected client: end it, or it keeps the process alive
      await worker.terminate();
      throw error;
    }
    return producer;
  }

  private handle(m: IoToMain): void {
    switch (m.type) {
      case 'settled':
        for (const [id, from, to, ackEpochUs, error] of m.list) {
          const open = this.open.get(id);
          if (!open) continue;
          // the thread's clock has another origin: its epoch reading maps back onto this thread's monotonic clock
          const ackUs = ackEpochUs - epochUsOf(0);
          open.chunk.settleRange(from, to, error === undefined ? undefined : new Error(error), ackUs);
          this.unsettled -= to - from;
          open.remaining -= to - from;
          if (open.remaining <= 0) this.open.delete(id);
        }
        break;
      case 'blocked':
        this.isBlocked = m.blocked;
        if (!m.blocked) this.onReady?.();
        break;
      default:
        break;
    }
  }

  private settleAll(error: Error): void {
    for (const [id, open] of this.open) {
      // settle what is left; indexes already settled are not settled twice because the chunk is dropped
      open.chunk.settleRange(open.chunk.records.length - open.remaining, open.chunk.records.length, error);
      this.unsettled -= open.remaining;
      this.open.delete(id);
    }
  }

  send(chunk: PerfChunk): void {
    const n = chunk.records.length;
    if (n === 0) return;
    if (this.failure) {
      chunk.settleRange(0, n, this.failure);
      return;
    }
    const id = this.nextId++;
    this.open.set(id, { chunk, remaining: n });
    this.unsettled += n;
    this.worker.postMessage({ type: 'send', id, records: chunk.records } satisfies MainToIo);
  }

  blocked(): boolean {
    return this.isBlocked;
  }

  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unsettled > 0 && !this.failure && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      const exited = new Promise<void>((resolve) => {
        this.worker.once('exit', () => resolve());
        this.worker.on('message', (m: IoToMain) => {
          if (m.type === 'closed') resolve();
        });
      });
      this.worker.postMessage({ type: 'close' } satisfies MainToIo);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      await this.worker.terminate();
    })();
    return this.closed;
  }
}
