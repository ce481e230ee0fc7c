import * as amqp from 'amqplib';
import { AuthError, MqctlError, UnavailableError } from '../../cli/errors';
import { describeTarget, secretOf } from '../../config/resolve';
import type { RabbitContext, ResolvedContext } from '../../config/types';
import { withTimeout } from '../../util/timeout';
import { HttpJsonClient, basicAuth } from '../http';
import { tlsOptions } from '../tls';
import type { BrokerConnectionBase, ClusterInfo, ConnectOptions } from '../types';

export type AmqpConnection = amqp.ChannelModel;
export type AmqpChannel = amqp.Channel;
export type AmqpConfirmChannel = amqp.ConfirmChannel;

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
    const username = ctx.username ?? (url.username ? decodeURIComponent(url.username) : 'guest');
    const password =
      secretOf(ctx.password, ctx.passwordEnv) ?? (url.password ? decodeURIComponent(url.password) : 'guest');
    url.username = encodeURIComponent(username);
    url.password = encodeURIComponent(password);
    url.pathname = `/${encodeURIComponent(this.vhost)}`;
    this.amqpUrl = url.toString();
    this.management = new HttpJsonClient({
      baseUrl: ctx.managementUrl,
      timeoutMs: options.timeoutMs,
      authorization: basicAuth(username, password),
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
      ).catch((error: unknown) => {
        throw mapAmqpError(error, this.target);
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
        'erlang version': overview.erlang_version ?? '-',
        'management version': overview.management_version ?? '-',
        queues: overview.object_totals?.queues ?? 0,
        connections: overview.object_totals?.connections ?? 0,
        'messages total': overview.queue_totals?.messages ?? 0,
      },
    };
  }

  async close(): Promise<void> {
    const closers = this.closers.splice(0).reverse();
    await Promise.allSettled(closers.map((fn) => withTimeout(fn(), 5000, 'close').catch(() => undefined)));
  }
}

export function mapAmqpError(error: unknown, target: string): MqctlError {
  if (error instanceof MqctlError) return error;
  const err = error as Error & { code?: string | number };
  const message = err.message ?? String(error);
  if (/ACCESS_REFUSED|403|username or password/i.test(message)) {
    return new AuthError(`RabbitMQ at ${target} refused the login: ${message.split('\n')[0]}`, {
      hint: 'check the user name and password',
    });
  }
  if (/NOT_ALLOWED|vhost/i.test(message) && /vhost|virtual host/i.test(message)) {
    return new AuthError(`RabbitMQ at ${target}: ${message.split('\n')[0]}`, {
      hint: "check --vhost and the user's permissions",
    });
  }
  if (
    /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|ECONNRESET|socket|closed/i.test(message) ||
    typeof err.code === 'string'
  ) {
    return new UnavailableError(
      `cannot reach RabbitMQ at ${target} (${err.code ?? message.split('\n')[0]})`,
      {
        hint: 'is the broker running and the URL right? (local: npm run brokers:up rabbitmq)',
      },
    );
  }
  return new MqctlError(`RabbitMQ error: ${message.split('\n')[0]}`);
}
