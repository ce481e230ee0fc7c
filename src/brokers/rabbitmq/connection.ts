import * as amqp from 'amqplib';
import { testPause, testPauseArmed } from '../../core/test-pause';
import { describeTarget, secretOf } from '../../config/resolve';
import type { RabbitContext, ResolvedContext } from '../../config/types';
import { withTimeout } from '../../util/timeout';
import { HttpJsonClient, basicAuth } from '../http';
import { tlsOptions } from '../tls';
import type { BrokerConnectionBase, ClusterInfo, ConnectOptions } from '../contracts/connection';
import { mapAmqpError } from './errors';

export type AmqpConnection = amqp.ChannelModel;
export type AmqpChannel = amqp.Channel;
export type AmqpConfirmChannel = amqp.ConfirmChannel;

/**
 * AMQP 0-9-1 transactions (tx.select / tx.commit). amqplib speaks them (its generated protocol table has the
 * methods) but its channel model offers no call for them: these go through the channel's own `rpc`, as its
 * confirm.select does. Method ids from the AMQP 0-9-1 spec: class tx (90), select 10/11, commit 20/21.
 */
const TX_SELECT = (90 << 16) | 10;
const TX_SELECT_OK = (90 << 16) | 11;
const TX_COMMIT = (90 << 16) | 20;
const TX_COMMIT_OK = (90 << 16) | 21;
type RpcChannel = { rpc(method: number, fields: object, expect: number): Promise<unknown> };

/** A tx.commit method frame after its type and channel: size 4, class 90, method 20, frame end. */
const TX_COMMIT_FRAME = Buffer.from([0, 0, 0, 4, 0, 90, 0, 20, 0xce]);

/**
 * Test-only (MQCTL_TEST_PAUSE_AT=rabbitmq:committing, see src/core/test-pause.ts): the connection's socket
 * writes freeze the process once a write holding a tx.commit frame is flushed to the kernel: the broker gets
 * the commit, the process never reads commit-ok. (amqplib queues frames through its own multiplexer, so
 * nothing above the socket knows when the frame left.)
 */
function pauseAfterTxCommit(conn: AmqpConnection): AmqpConnection {
  const stream = (conn as unknown as { connection: { stream: { write: (...args: unknown[]) => boolean } } })
    .connection.stream;
  const write = stream.write.bind(stream);
  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    if (Buffer.isBuffer(chunk) && chunk.includes(TX_COMMIT_FRAME)) {
      const done = rest.find((r) => typeof r === 'function') as ((e?: Error) => void) | undefined;
      return write(chunk, (error?: Error) => {
        done?.(error);
        testPause('rabbitmq:committing');
      });
    }
    return write(chunk, ...rest);
  };
  return conn;
}

/** Puts the channel in transaction mode: its publishes and acks apply only at txCommit. */
export async function txSelect(ch: AmqpChannel): Promise<void> {
  await (ch as unknown as RpcChannel).rpc(TX_SELECT, {}, TX_SELECT_OK);
}

/** Commits the channel's transaction: resolves once the broker answered commit-ok (copies confirmed). */
export async function txCommit(ch: AmqpChannel): Promise<void> {
  await (ch as unknown as RpcChannel).rpc(TX_COMMIT, {}, TX_COMMIT_OK);
}

interface Overview {
  rabbitmq_version?: string;
  erlang_version?: string;
  cluster_name?: string;
  node?: string;
  management_version?: string;
  product_name?: string;
  queue_totals?: { messages?: number };
  object_totals?: { queues?: number; exchanges?: number; connections?: number; consumers?: number };
}

interface NodeStatus {
  name: string;
  running?: boolean;
  type?: string;
  mem_used?: number;
  uptime?: number;
}

/**
 * RabbitMQ in mqctl: the management HTTP API for listing and stats, AMQP 0-9-1 (amqplib) for declaring,
 * publishing and consuming. Credentials come from the AMQP URL unless given separately.
 */
export class RabbitConnection implements BrokerConnectionBase {
  readonly kind = 'rabbitmq' as const;
  readonly target: string;
  readonly contextName: string;
  readonly timeoutMs: number;
  readonly settings: RabbitContext;
  readonly management: HttpJsonClient;
  readonly vhost: string;
  private amqpConnection?: Promise<AmqpConnection>;
  private readonly closers: Array<() => Promise<void>> = [];
  private readonly amqpUrl: string;

  constructor(ctx: ResolvedContext & RabbitContext, options: ConnectOptions) {
    this.settings = ctx;
    this.target = describeTarget(ctx);
    this.contextName = ctx.name;
    this.timeoutMs = options.timeoutMs;
    this.vhost = ctx.vhost ?? '/';
    const url = new URL(ctx.url);
    const explicitPassword = secretOf(ctx.password, ctx.passwordEnv);
    const username = ctx.username ?? (url.username ? decodeURIComponent(url.username) : 'guest');
    const password = explicitPassword ?? (url.password ? decodeURIComponent(url.password) : 'guest');
    url.username = encodeURIComponent(username);
    url.password = encodeURIComponent(password);
    url.pathname = `/${encodeURIComponent(this.vhost)}`;
    this.amqpUrl = url.toString();
    // Credentials written into the management URL are the management API's (the HTTP client would drop
    // them silently); --username / --password still win.
    const management = new URL(ctx.managementUrl);
    const managementUser =
      ctx.username ?? (management.username ? decodeURIComponent(management.username) : username);
    const managementPassword =
      explicitPassword ?? (management.password ? decodeURIComponent(management.password) : password);
    management.username = '';
    management.password = '';
    this.management = new HttpJsonClient({
      baseUrl: management.toString().replace(/\/$/, ''),
      timeoutMs: options.timeoutMs,
      authorization: basicAuth(managementUser, managementPassword),
      service: 'RabbitMQ management API',
      tls: tlsOptions(ctx.tls),
    });
    this.closers.push(() => this.management.close());
  }

  /** The vhost, encoded for management API paths (/api/queues/%2F/name). */
  get vhostPath(): string {
    return encodeURIComponent(this.vhost);
  }

  /** One shared AMQP connection, opened on first use. */
  amqp(): Promise<AmqpConnection> {
    if (!this.amqpConnection) {
      const socketOptions = {
        timeout: this.timeoutMs,
        ...(tlsOptions(this.settings.tls) ?? {}),
        clientProperties: { connection_name: 'mqctl' },
      };
      this.amqpConnection = withTimeout(
        amqp.connect(this.amqpUrl, socketOptions),
        this.timeoutMs,
        `AMQP connect to ${this.target}`,
      )
        .then((conn) => (testPauseArmed('rabbitmq:committing') ? pauseAfterTxCommit(conn) : conn))
        .catch((error: unknown) => {
          throw mapAmqpError(error, this.target, this.vhost);
        });
      this.amqpConnection.catch(() => undefined);
      this.closers.push(async () => {
        const conn = await this.amqpConnection?.catch(() => undefined);
        await conn?.close().catch(() => undefined);
      });
    }
    return this.amqpConnection;
  }

  /** A fresh channel (a failed passive declare closes its channel, so callers take one per risky call). */
  async channel(): Promise<AmqpChannel> {
    const conn = await this.amqp();
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    return ch;
  }

  async confirmChannel(): Promise<AmqpConfirmChannel> {
    const conn = await this.amqp();
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => undefined);
    return ch;
  }

  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async clusterInfo(): Promise<ClusterInfo> {
    const [overview, nodes] = await Promise.all([
      this.management.get<Overview>('/api/overview'),
      this.management.get<NodeStatus[]>('/api/nodes'),
    ]);
    let amqpState = 'ok';
    try {
      await this.amqp();
    } catch (error) {
      amqpState = `unreachable: ${(error as Error).message}`;
    }
    return {
      kind: 'rabbitmq',
      context: this.contextName,
      target: this.target,
      clusterName: overview.cluster_name,
      version: overview.rabbitmq_version,
      nodes: nodes.map((n) => ({
        id: n.name,
        address: n.name,
        role: n.type ?? 'disc',
        state: n.running === false ? 'stopped' : 'running',
        version: overview.rabbitmq_version,
      })),
      dataPath: `amqp 0-9-1 (amqplib) ${amqpState === 'ok' ? 'ok' : amqpState}`,
      endpoints: { amqp: this.target, management: this.settings.managementUrl },
      details: {
        vhost: this.vhost,
        erlangVersion: overview.erlang_version ?? '-',
        managementVersion: overview.management_version ?? '-',
        queues: overview.object_totals?.queues ?? 0,
        connections: overview.object_totals?.connections ?? 0,
        messagesTotal: overview.queue_totals?.messages ?? 0,
      },
    };
  }

  /**
   * Drops the AMQP socket without a clean close (a crashed client, for fault tests): the broker sees the
   * connection die, requeues what was unacknowledged and forgets what was sent with automatic ack.
   */
  destroy(): void {
    void this.amqpConnection
      ?.then((conn) => {
        type Underlying = {
          on(event: string, fn: () => void): void;
          stream?: { destroy(error?: Error): void };
        };
        const underlying = (conn as unknown as { connection?: Underlying }).connection;
        // the dying connection reports errors (socket error, heartbeat): nobody listens to a crashed client
        conn.on('error', () => undefined);
        underlying?.on('error', () => undefined);
        // destroy with an error: amqplib listens for 'error'/'end' on its socket, not for a bare 'close'
        underlying?.stream?.destroy(new Error('connection dropped (fault test)'));
      })
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    const closers = this.closers.splice(0).reverse();
    await Promise.allSettled(closers.map((fn) => withTimeout(fn(), 5000, 'close').catch(() => undefined)));
  }
}
