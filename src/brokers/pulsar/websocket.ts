import type { ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';
import {
  AuthError,
  ExitCode,
  MqctlError,
  NotFoundError,
  UnavailableError,
  errorForExitCode,
} from '../../core/errors';
import { httpStatusRow } from '../http';
import { tlsFailure } from '../tls';
import { parsePulsarTopic } from './topic-name';

/**
 * Pulsar's WebSocket API as a data path in pure JavaScript
 * (ws://host:8080/ws/v2/{producer|consumer|reader}/persistent/tenant/ns/topic[/subscription]).
 * Payloads travel base64-encoded; message ids are opaque base64 strings.
 */
export interface PulsarWsOptions {
  adminUrl: string;
  token?: string;
  timeoutMs: number;
  tls?: ConnectionOptions;
  /**
   * Checks the token where a refusal is a refusal (the admin API), once, before the first socket: Pulsar's
   * WebSocket handler (4.2) serves a token its provider refuses as the anonymous role, when one is configured.
   */
  checkToken?: () => Promise<void>;
}

export interface PulsarOutgoingMessage {
  payload: Buffer;
  key?: string;
  properties?: Record<string, string>;
  /** Event time in ms since the epoch. */
  eventTime?: number;
  /** Delayed delivery: the broker holds the message from Shared subscriptions this long (ms). */
  deliverAfterMs?: number;
}

export interface PulsarIncomingMessage {
  messageId: string;
  payload: Buffer;
  key?: string;
  properties: Record<string, string>;
  publishTime: string;
  eventTime?: string;
  redeliveryCount: number;
  /** Delayed messages (admin peek only): when the broker delivers it (ISO time). */
  deliverAtTime?: string;
}

type Params = Record<string, string | number | boolean | undefined>;

/**
 * The header naming the authentication provider. Without it Pulsar tries every provider and, when all refuse,
 * serves the request as its anonymous role (if one is configured): a forged or expired token would pass.
 */
export const PULSAR_AUTH_METHOD_HEADER = 'X-Pulsar-Auth-Method-Name';

export class PulsarWebSocketClient {
  readonly baseUrl: string;
  /** Every socket this client opened, so closing the connection never leaves one keeping the process alive. */
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly options: PulsarWsOptions) {
    this.baseUrl = options.adminUrl.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws/v2';
  }

  url(
    kind: 'producer' | 'consumer' | 'reader',
    topic: string,
    subscription?: string,
    params: Params = {},
  ): string {
    const t = parsePulsarTopic(topic);
    const path = `${this.baseUrl}/${kind}/${t.restPath}${subscription ? `/${encodeURIComponent(subscription)}` : ''}`;
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, String(v));
    const qs = query.toString();
    return qs ? `${path}?${qs}` : path;
  }

  /**
   * Opens a socket. `attach` runs as soon as the socket object exists: Pulsar may send the first messages
   * in the same TCP chunk as the upgrade response, and `ws` emits them right after 'open', before any
   * handler added later would see them.
   */
  private tokenChecked?: Promise<void>;

  private async open(url: string, what: string, attach: (ws: WebSocket) => void): Promise<WebSocket> {
    if (this.options.token && this.options.checkToken) {
      this.tokenChecked ??= this.options.checkToken();
      await this.tokenChecked.catch((error: Error) => {
        throw error instanceof MqctlError && error.exitCode === ExitCode.AUTH
          ? new AuthError(`${what}: ${error.message}`, { hint: error.hint })
          : error;
      });
    }
    const headers: Record<string, string> = {};
    if (this.options.token) {
      headers.Authorization = `Bearer ${this.options.token}`;
      headers[PULSAR_AUTH_METHOD_HEADER] = 'token';
    }
    const ws = new WebSocket(url, {
      headers,
      handshakeTimeout: this.options.timeoutMs,
      perMessageDeflate: false,
      ...(this.options.tls ?? {}),
    });
    this.sockets.add(ws);
    ws.once('close', () => this.sockets.delete(ws));
    attach(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(
          new UnavailableError(
            `${what}: Pulsar WebSocket API did not answer within ${this.options.timeoutMs} ms`,
          ),
        );
      }, this.options.timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          ws.terminate();
          reject(wsStatusError(res.statusCode ?? 0, body, what));
        });
      });
      ws.once('error', (error: Error & { code?: string }) => {
        clearTimeout(timer);
        reject(
          tlsFailure(error, `${what}: Pulsar WebSocket API at ${this.baseUrl}`) ??
            new UnavailableError(
              `${what}: cannot reach the Pulsar WebSocket API at ${this.baseUrl} (${error.code ?? error.message})`,
              {
                hint: 'is the broker running with webSocketServiceEnabled=true, and --url right? (the address comes from flags, MQCTL_* variables or the context: mqctl context list)',
              },
            ),
        );
      });
    });
    return ws;
  }

  /** Terminates every socket still open. */
  closeAll(): void {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
  }

  async producer(topic: string, params: Params = {}): Promise<PulsarWsProducer> {
    let producer: PulsarWsProducer | undefined;
    await this.open(this.url('producer', topic, undefined, params), `producer on ${topic}`, (ws) => {
      producer = new PulsarWsProducer(ws, topic, this.options.timeoutMs);
    });
    return producer!;
  }

  async consumer(topic: string, subscription: string, params: Params = {}): Promise<PulsarWsConsumer> {
    let consumer: PulsarWsConsumer | undefined;
    await this.open(
      this.url('consumer', topic, subscription, params),
      `consumer ${subscription} on ${topic}`,
      (ws) => {
        consumer = new PulsarWsConsumer(ws);
      },
    );
    return consumer!;
  }

  /** A reader: non-durable, never acks on a subscription (inspection without consuming). */
  async reader(topic: string, params: Params = {}): Promise<PulsarWsConsumer> {
    let reader: PulsarWsConsumer | undefined;
    await this.open(this.url('reader', topic, undefined, params), `reader on ${topic}`, (ws) => {
      reader = new PulsarWsConsumer(ws);
    });
    return reader!;
  }
}

function wsStatusError(status: number, body: string, what: string): MqctlError {
  const reason =
    body
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200) || `HTTP ${status}`;
  const { exit, hint } = httpStatusRow(status);
  if (exit === ExitCode.AUTH) return new AuthError(`${what}: refused by Pulsar (${reason})`, { hint });
  if (exit === ExitCode.NOT_FOUND) return new NotFoundError(`${what}: not found (${reason})`);
  return errorForExitCode(exit, `${what}: Pulsar WebSocket API answered HTTP ${status} (${reason})`, {
    hint,
  });
}

interface Pending {
  resolve: (messageId: string) => void;
  reject: (error: Error) => void;
}

/** Pipelined producer: each send carries a context id; the broker's receipt resolves it. */
export class PulsarWsProducer {
  private nextContext = 1;
  private readonly pending = new Map<string, Pending>();
  private closed?: Error;

  constructor(
    private readonly ws: WebSocket,
    readonly topic: string,
    private readonly timeoutMs: number,
  ) {
    ws.on('message', (data) => this.onReceipt(data.toString()));
    ws.on('close', () => this.failAll(new UnavailableError(`producer on ${topic}: WebSocket closed`)));
    ws.on('error', (error) => this.failAll(new UnavailableError(`producer on ${topic}: ${error.message}`)));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves with the message id once the broker has persisted the message. */
  send(message: PulsarOutgoingMessage): Promise<string> {
    if (this.closed) return Promise.reject(this.closed);
    const context = String(this.nextContext++);
    const body: Record<string, unknown> = { payload: message.payload.toString('base64'), context };
    if (message.key !== undefined) body.key = message.key;
    if (message.properties && Object.keys(message.properties).length > 0)
      body.properties = message.properties;
    if (message.eventTime !== undefined) body.eventTime = message.eventTime;
    if (message.deliverAfterMs !== undefined) body.deliverAfterMs = message.deliverAfterMs;
    return new Promise((resolve, reject) => {
      this.pending.set(context, { resolve, reject });
      this.ws.send(JSON.stringify(body), (error) => {
        if (error) {
          this.pending.delete(context);
          reject(new UnavailableError(`producer on ${this.topic}: ${error.message}`));
        }
      });
    });
  }

  private onReceipt(text: string): void {
    let receipt: { result?: string; messageId?: string; context?: string; errorMsg?: string };
    try {
      receipt = JSON.parse(text);
    } catch {
      return;
    }
    if (!receipt.context) return;
    const pending = this.pending.get(receipt.context);
    if (!pending) return;
    this.pending.delete(receipt.context);
    if (receipt.result === 'ok' && receipt.messageId) pending.resolve(receipt.messageId);
    else
      pending.reject(
        new MqctlError(
          `send to ${this.topic} failed: ${receipt.errorMsg ?? receipt.result ?? 'unknown error'}`,
        ),
      );
  }

  private failAll(error: Error): void {
    this.closed ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /** Waits (bounded) for outstanding receipts, then closes. */
  async close(): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline && !this.closed)
      await new Promise((r) => setTimeout(r, 10));
    this.closed ??= new MqctlError('producer closed');
    this.ws.close();
  }
}

/** Consumer or reader: messages arrive as an async queue; ack/nack by message id. */
export class PulsarWsConsumer {
  private readonly queue: PulsarIncomingMessage[] = [];
  private waiters: Array<(m: PulsarIncomingMessage | undefined) => void> = [];
  private ended = false;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', () => this.end());
    ws.on('error', () => this.end());
  }

  private onMessage(text: string): void {
    let raw: {
      messageId?: string;
      payload?: string;
      key?: string;
      properties?: Record<string, string>;
      publishTime?: string;
      eventTime?: string;
      redeliveryCount?: number;
    };
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    if (!raw.messageId) return;
    const message: PulsarIncomingMessage = {
      messageId: raw.messageId,
      payload: Buffer.from(raw.payload ?? '', 'base64'),
      key: raw.key,
      properties: raw.properties ?? {},
      publishTime: raw.publishTime ?? '',
      eventTime: raw.eventTime,
      redeliveryCount: raw.redeliveryCount ?? 0,
    };
    const waiter = this.waiters.shift();
    if (waiter) waiter(message);
    else this.queue.push(message);
  }

  private end(): void {
    this.ended = true;
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }

  /** The next message, or undefined after `waitMs` with none (or when the socket closed). */
  receive(waitMs: number): Promise<PulsarIncomingMessage | undefined> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter = (m: PulsarIncomingMessage | undefined) => {
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  get buffered(): number {
    return this.queue.length;
  }

  ack(messageId: string): void {
    this.ws.send(JSON.stringify({ messageId }));
  }

  nack(messageId: string): void {
    this.ws.send(JSON.stringify({ type: 'negativeAcknowledge', messageId }));
  }

  /** Pull mode (`pullMode=true`): ask for N more messages. */
  permit(count: number): void {
    this.ws.send(JSON.stringify({ type: 'permit', permitMessages: count }));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.ws.terminate();
          resolve();
        }, 2000);
        this.ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        this.ws.close();
      });
    }
  }
}
