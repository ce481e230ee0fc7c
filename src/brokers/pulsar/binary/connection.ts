import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { AuthError, MqctlError, UnavailableError } from '../../../core/errors';
import { serverError } from './errors';
import { tlsFailure } from '../../tls';
import { DEFAULT_MAX_FRAME, encodeCommand, type Frame, FrameReader } from './frame';
import { CommandType, type DecodedCommand, ServerError, toNumber, type Uint64 } from './proto';

export const CLIENT_VERSION = 'mqctl';
export const PROTOCOL_VERSION = 19;

export interface BinaryConnectionOptions {
  /** pulsar://host:port or pulsar+ssl://host:port */
  url: string;
  token?: string;
  /** TLS options from the context (CA, client certificate, verification); used for pulsar+ssl:// */
  tls?: ConnectionOptions;
  timeoutMs: number;
  /** ask a Pulsar proxy at `url` to forward this connection to that broker */
  proxyToBrokerUrl?: string;
}

/** What a producer or consumer registered on a connection receives. */
export interface CommandHandler {
  onCommand(frame: Frame): void;
  /** the connection closed or failed: fail everything outstanding */
  onConnectionClosed(error: Error): void;
}

interface PendingRequest {
  what: string;
  resolve: (command: DecodedCommand) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One TCP (or TLS) connection to a Pulsar broker: the CONNECT handshake, request/response matching by
 * request id (each with the connection's timeout), PING→PONG, and dispatch of SEND_RECEIPT / MESSAGE /
 * CLOSE_* to the producer or consumer that owns the id.
 */
export class PulsarBinaryConnection {
  readonly url: string;
  serverVersion = '';
  maxMessageSize = 5 * 1024 * 1024;
  private readonly socket: Socket;
  private readonly reader = new FrameReader(DEFAULT_MAX_FRAME);
  private nextRequestId = 1;
  private readonly requests = new Map<number, PendingRequest>();
  readonly producers = new Map<number, CommandHandler>();
  readonly consumers = new Map<number, CommandHandler>();
  private closedError?: Error;
  private readonly closeListeners: Array<(error: Error) => void> = [];
  private drainWaiters: Array<() => void> = [];

  private constructor(
    socket: Socket,
    readonly options: BinaryConnectionOptions,
  ) {
    this.socket = socket;
    this.url = options.url;
  }

  /** Connects and completes CONNECT/CONNECTED within the timeout. */
  static async open(options: BinaryConnectionOptions): Promise<PulsarBinaryConnection> {
    const url = new URL(options.url);
    const secure = url.protocol === 'pulsar+ssl:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (secure ? 6651 : 6650));
    const socket: Socket = secure
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(options.tls ?? {}) })
      : netConnect({ host, port });
    socket.setNoDelay(true);
    const connection = new PulsarBinaryConnection(socket, options);
    await connection.handshake(secure ? 'secureConnect' : 'connect');
    return connection;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  onClose(listener: (error: Error) => void): void {
    this.closeListeners.push(listener);
  }

  private handshake(connectEvent: 'connect' | 'secureConnect'): Promise<void> {
    const { timeoutMs, url } = this.options;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          this.destroy(error);
          reject(error);
        } else resolve();
      };
      const timer = setTimeout(
        () =>
          finish(
            new UnavailableError(`cannot connect to Pulsar at ${url}: no answer within ${timeoutMs} ms`, {
              hint: 'is the broker running and --url right? (the address comes from flags, MQCTL_* variables or the context: mqctl context list)',
            }),
          ),
        timeoutMs,
      );
      this.socket.once('error', (error: NodeJS.ErrnoException) =>
        finish(
          tlsFailure(error, `Pulsar at ${url}`) ??
            new UnavailableError(`cannot connect to Pulsar at ${url} (${error.code ?? error.message})`, {
              hint: 'is the broker running and --url right? (the address comes from flags, MQCTL_* variables or the context: mqctl context list)',
            }),
        ),
      );
      this.socket.once('close', () =>
        finish(new UnavailableError(`Pulsar at ${url} closed the connection during the handshake`)),
      );
      this.socket.once(connectEvent, () => {
        const connect: Record<string, unknown> = {
          clientVersion: CLIENT_VERSION,
          protocolVersion: PROTOCOL_VERSION,
        };
        if (this.options.token) {
          connect.authMethodName = 'token';
          connect.authData = Buffer.from(this.options.token);
        }
        if (this.options.proxyToBrokerUrl) connect.proxyToBrokerUrl = this.options.proxyToBrokerUrl;
        this.socket.write(encodeCommand({ type: CommandType.CONNECT, connect }));
      });
      // until CONNECTED, the only frames that matter are CONNECTED and ERROR
      this.handshakeHandler = (command) => {
        if (command.type === CommandType.CONNECTED && command.connected) {
          this.serverVersion = command.connected.serverVersion;
          if (command.connected.maxMessageSize > 0) this.maxMessageSize = command.connected.maxMessageSize;
          this.handshakeHandler = undefined;
          this.socket.removeAllListeners('error');
          this.socket.removeAllListeners('close');
          this.socket.on('error', (error: NodeJS.ErrnoException) =>
            this.destroy(
              new UnavailableError(`connection to Pulsar at ${url} failed (${error.code ?? error.message})`),
            ),
          );
          this.socket.on('close', () =>
            this.destroy(new UnavailableError(`Pulsar at ${url} closed the connection`)),
          );
          this.socket.on('drain', () => {
            const waiters = this.drainWaiters;
            this.drainWaiters = [];
            for (const w of waiters) w();
          });
          finish();
        } else if (command.type === CommandType.ERROR && command.error) {
          const e = command.error;
          finish(
            e.error === ServerError.AuthenticationError || e.error === ServerError.AuthorizationError
              ? new AuthError(`Pulsar at ${url} refused the connection: ${e.message}`, {
                  hint: 'check the token (--token, or the context token / tokenEnv)',
                })
              : serverError(e.error, e.message, 'connect', url),
          );
        }
      };
      this.socket.on('data', (data: Buffer) => this.onData(data));
    });
  }

  private handshakeHandler?: (command: DecodedCommand) => void;

  private onData(data: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(data);
    } catch (error) {
      this.destroy(new MqctlError(`Pulsar at ${this.url}: ${(error as Error).message}`));
      return;
    }
    for (const frame of frames) {
      if (this.handshakeHandler) this.handshakeHandler(frame.command);
      else this.dispatch(frame);
    }
  }

  private dispatch(frame: Frame): void {
    const c = frame.command;
    switch (c.type) {
      case CommandType.PING:
        this.write(encodeCommand({ type: CommandType.PONG, pong: {} }));
        return;
      case CommandType.PONG:
        return;
      case CommandType.SEND_RECEIPT:
        this.producers.get(toNumber(c.sendReceipt?.producerId))?.onCommand(frame);
        return;
      case CommandType.SEND_ERROR:
        this.producers.get(toNumber(c.sendError?.producerId))?.onCommand(frame);
        return;
      case CommandType.CLOSE_PRODUCER:
        this.producers.get(toNumber(c.closeProducer?.producerId))?.onCommand(frame);
        return;
      case CommandType.MESSAGE:
        this.consumers.get(toNumber(c.message?.consumerId))?.onCommand(frame);
        return;
      case CommandType.CLOSE_CONSUMER:
        this.consumers.get(toNumber(c.closeConsumer?.consumerId))?.onCommand(frame);
        return;
      case CommandType.REACHED_END_OF_TOPIC:
        this.consumers.get(toNumber(c.reachedEndOfTopic?.consumerId))?.onCommand(frame);
        return;
      default: {
        const requestId = responseRequestId(c);
        if (requestId === undefined) return;
        const pending = this.requests.get(requestId);
        if (!pending) return;
        // a producer the broker is still preparing answers twice; the second (ready) one counts
        if (c.type === CommandType.PRODUCER_SUCCESS && c.producerSuccess?.producerReady === false) return;
        this.requests.delete(requestId);
        clearTimeout(pending.timer);
        if (c.type === CommandType.ERROR && c.error)
          pending.reject(serverError(c.error.error, c.error.message, pending.what, this.url));
        else pending.resolve(c);
      }
    }
  }

  newRequestId(): number {
    return this.nextRequestId++;
  }

  /**
   * Sends a command that carries `requestId` and waits (bounded by the timeout) for its answer.
   * An ERROR answer rejects with the mapped mqctl error.
   */
  request(requestId: number, command: object, what: string): Promise<DecodedCommand> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(requestId);
        reject(
          new UnavailableError(
            `${what}: Pulsar at ${this.url} did not answer within ${this.options.timeoutMs} ms`,
          ),
        );
      }, this.options.timeoutMs);
      this.requests.set(requestId, { what, resolve, reject, timer });
      this.write(encodeCommand(command));
    });
  }

  /** Writes a frame; false when the socket's buffer is full (wait with `drained()`). */
  write(frame: Buffer): boolean {
    if (this.closedError) return false;
    return this.socket.write(frame);
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Resolves when the socket's write buffer has drained (or the connection closed). */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.closedError) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  private destroy(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    this.socket.destroy();
    for (const pending of this.requests.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.requests.clear();
    for (const handler of [...this.producers.values(), ...this.consumers.values()])
      handler.onConnectionClosed(error);
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    for (const listener of this.closeListeners) listener(error);
  }

  /** Closes the socket (producers and consumers are expected to have sent their CLOSE first). */
  close(): void {
    this.destroy(new UnavailableError(`connection to Pulsar at ${this.url} closed`));
  }
}

function responseRequestId(c: DecodedCommand): number | undefined {
  const id: Uint64 | undefined =
    c.success?.requestId ??
    c.error?.requestId ??
    c.producerSuccess?.requestId ??
    c.partitionMetadataResponse?.requestId ??
    c.lookupTopicResponse?.requestId;
  return id === undefined ? undefined : toNumber(id);
}
