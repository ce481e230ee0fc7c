import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { redact, redactValue } from '../../core/redact';
import { testPause, testPauseArmed } from '../../core/test-pause';
import {
  Kafka,
  logLevel,
  tolerantAdmin,
  withInternalTopicFlags,
  type Admin,
  type KafkaConfig,
  type SASLOptions,
  type LogEntry,
} from './kafkajs';
import { describeTarget, secretOf } from '../../config/resolve';
import type { KafkaContext, ResolvedContext } from '../../config/types';
import { withTimeout } from '../../util/timeout';
import { tlsOptions } from '../tls';
import type { BrokerConnectionBase, ClusterInfo, ConnectOptions } from '../contracts/connection';
import { fetchKafkaApiVersions, metadataVersionName, splitHostPort } from './api-versions';
import { mapKafkaError } from './errors';

/**
 * The Kafka side of mqctl's broker layer: the one place that configures kafkajs. Capabilities (topics,
 * lag, dlq, perf) get their admin/producer/consumer clients from here, so timeouts, TLS and SASL are
 * set the same way everywhere.
 */
export class KafkaConnection implements BrokerConnectionBase {
  readonly kind = 'kafka' as const;
  readonly target: string;
  readonly contextName: string;
  readonly timeoutMs: number;
  readonly kafka: Kafka;
  readonly settings: KafkaContext;
  private adminClient?: Promise<Admin>;
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(ctx: ResolvedContext & KafkaContext, options: ConnectOptions) {
    this.settings = ctx;
    this.target = describeTarget(ctx);
    this.contextName = ctx.name;
    this.timeoutMs = options.timeoutMs;
    this.kafka = new Kafka(kafkaConfig(ctx, options));
  }

  /** Runs a kafkajs call under the deadline, mapping its errors to exit codes. */
  async call<T>(what: string, fn: () => Promise<T>, subject?: string): Promise<T> {
    try {
      return await withTimeout(fn(), this.timeoutMs + 1000, `${what} on Kafka at ${this.target}`);
    } catch (error) {
      throw mapKafkaError(error, this.target, subject);
    }
  }

  /** A connected admin client, shared by every caller of this connection. */
  admin(): Promise<Admin> {
    if (!this.adminClient) {
      // metadata read tolerantly: a partition without a leader is data (offline), not an error of every call
      const admin = tolerantAdmin(this.kafka.admin({ retry: { retries: 1, maxRetryTime: this.timeoutMs } }));
      this.adminClient = this.call('connect', async () => {
        await admin.connect();
        return admin;
      });
      this.adminClient.catch(() => undefined);
      this.closers.push(async () => {
        await admin.disconnect();
      });
    }
    return this.adminClient;
  }

  /**
   * Every topic's name, and the ones the broker's Metadata answer flags internal (kafkajs' listTopics drops
   * the flag): one Metadata request, as admin.listTopics. Adapters refuse changes to the flagged ones
   * (contracts/protected.ts).
   */
  async listTopics(subject?: string): Promise<{ names: string[]; internal: ReadonlySet<string> }> {
    const admin = await this.admin();
    const { value, internal } = await withInternalTopicFlags(() =>
      this.call('list topics', () => admin.listTopics(), subject),
    );
    return { names: value, internal };
  }

  /** Register cleanup for clients a capability created (producers, consumers). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async clusterInfo(): Promise<ClusterInfo> {
    const admin = await this.admin();
    const cluster = await this.call('describe cluster', () => admin.describeCluster());
    const versions = await fetchKafkaApiVersions(this.settings, this.timeoutMs).catch(() => undefined);
    const details: ClusterInfo['details'] = {};
    const level = versions?.metadataVersionLevel;
    if (level !== undefined)
      details.metadataVersion = `${metadataVersionName(level) ?? 'unknown'} (level ${level})`;
    // Finalized feature levels keyed by the broker's own feature names (`group.version`...): a broker-named map,
    // kept as given (docs/output.md).
    const features: Record<string, number> = {};
    for (const [name, level] of Object.entries(versions?.finalizedFeatures ?? {})) {
      if (name !== 'metadata.version') features[name] = level;
    }
    if (Object.keys(features).length > 0) details.features = features;
    if (versions) details.apiKeys = versions.apiKeyCount;
    const controller = cluster.brokers.find((b) => b.nodeId === cluster.controller);
    const [reachable, replicaIds] = await Promise.all([
      Promise.all(cluster.brokers.map((b) => probeTcp(b.host, b.port, PROBE_TIMEOUT_MS))),
      this.replicaNodeIds(admin),
    ]);
    const live = new Set(cluster.brokers.map((b) => b.nodeId));
    const addresses = new Set(cluster.brokers.map((b) => `${b.host}:${b.port}`));
    const nodes: ClusterInfo['nodes'] = cluster.brokers.map((b, i) => ({
      id: String(b.nodeId),
      address: `${b.host}:${b.port}`,
      role: b.nodeId === cluster.controller ? 'broker, controller' : 'broker',
      // registered and not fenced, yet its port refuses: killed moments ago (fenced after its session timeout)
      state: reachable[i] ? 'up' : 'unreachable',
    }));
    // Brokers the metadata no longer lists (fenced or gone) that still hold replicas: down.
    for (const id of replicaIds) {
      if (!live.has(id)) nodes.push({ id: String(id), address: 'unknown', role: 'broker', state: 'down' });
    }
    // Bootstrap addresses that are no live broker's and refuse connections: a node that is down (its id is
    // not known from here: the metadata lists only live brokers).
    const bootstrapDown = await Promise.all(
      this.settings.brokers
        .filter((address) => !addresses.has(address))
        .map(async (address) => {
          const [host, port] = splitHostPort(address);
          return (await probeTcp(host, Number(port), PROBE_TIMEOUT_MS)) ? undefined : address;
        }),
    );
    for (const address of bootstrapDown) {
      if (address) nodes.push({ id: '-', address, role: 'bootstrap address', state: 'unreachable' });
    }
    const down = nodes.filter((n) => n.id !== '-' && n.state !== 'up').length;
    if (down > 0) details.nodesDown = down;
    const bootstrapUnreachable = nodes.filter((n) => n.id === '-').length;
    if (bootstrapUnreachable > 0) details.bootstrapUnreachable = bootstrapUnreachable;
    return {
      kind: 'kafka',
      context: this.contextName,
      target: this.target,
      clusterId: cluster.clusterId,
      version: versions?.release,
      nodes: nodes.sort((a, b) => nodeOrder(a.id) - nodeOrder(b.id)),
      controller: controller
        ? `${controller.nodeId} (${controller.host}:${controller.port})`
        : cluster.controller === null
          ? undefined
          : String(cluster.controller),
      dataPath: 'kafkajs',
      endpoints: { bootstrap: this.target },
      details: {
        ...details,
        security: `${this.settings.tls?.enabled ? 'SSL' : 'PLAINTEXT'}${this.settings.sasl ? ` + SASL/${this.settings.sasl.mechanism.toUpperCase()}` : ''}`,
      },
    };
  }

  /** Every broker id that holds a replica of some partition (one Metadata request for all topics). */
  private async replicaNodeIds(admin: Admin): Promise<number[]> {
    const { topics } = await this.call('fetch topic metadata', () => admin.fetchTopicMetadata());
    const ids = new Set<number>();
    for (const t of topics) for (const p of t.partitions) for (const r of p.replicas) ids.add(r);
    return [...ids].sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    const closers = this.closers.splice(0).reverse();
    await Promise.allSettled(
      closers.map((fn) => withTimeout(fn(), 5000, 'disconnect').catch(() => undefined)),
    );
  }
}

/** How long `cluster info` waits for a broker's port to accept a connection. */
const PROBE_TIMEOUT_MS = 2000;

/** Whether host:port accepts a TCP connection within the timeout (a killed broker refuses at once). */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Node ids in number order; a bootstrap address without an id ('-') last. */
function nodeOrder(id: string): number {
  const n = Number(id);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

export function kafkaSasl(ctx: KafkaContext): SASLOptions | undefined {
  if (!ctx.sasl) return undefined;
  const password = secretOf(ctx.sasl.password, ctx.sasl.passwordEnv) ?? '';
  return { mechanism: ctx.sasl.mechanism, username: ctx.sasl.username, password } as SASLOptions;
}

/**
 * kafkajs's log, as mqctl prints it: nothing without --debug (kafkajs logs what it recovers from on its own,
 * such as "consumer crashed: The coordinator is loading" on a fresh broker; only what the user must act on
 * reaches stderr, as mqctl's own one-line error), every entry redacted with --debug.
 */
export function kafkajsLogCreator(debug: boolean | undefined): NonNullable<KafkaConfig['logCreator']> {
  return () => (entry: LogEntry) => {
    if (!debug) return;
    const { message, ...extra } = entry.log;
    const where = entry.namespace ? `kafkajs ${entry.namespace}` : 'kafkajs';
    process.stderr.write(`${redact(`[${where}] ${message} ${JSON.stringify(redactValue(extra))}`)}\n`);
  };
}

function kafkaConfig(ctx: KafkaContext & { name: string }, options: ConnectOptions): KafkaConfig {
  const tls = tlsOptions(ctx.tls);
  return {
    clientId: ctx.clientId ?? 'mqctl',
    brokers: ctx.brokers,
    ssl: tls ?? false,
    sasl: kafkaSasl(ctx),
    connectionTimeout: Math.min(options.timeoutMs, 10_000),
    authenticationTimeout: options.timeoutMs,
    requestTimeout: Math.max(options.timeoutMs, 1000),
    retry: {
      retries: 2,
      initialRetryTime: 100,
      maxRetryTime: Math.max(500, Math.floor(options.timeoutMs / 3)),
    },
    logLevel: options.debug ? logLevel.INFO : logLevel.NOTHING,
    logCreator: kafkajsLogCreator(options.debug),
    ...(testPauseArmed('kafka:committing') ? { socketFactory: pauseAfterEndTxnSockets() } : {}),
  };
}

/** Kafka protocol api key of EndTxn (the transaction commit or abort). */
const END_TXN_API_KEY = 26;

/**
 * Test-only (MQCTL_TEST_PAUSE_AT=kafka:committing, see src/core/test-pause.ts): kafkajs's own socket set-up,
 * with a write that freezes the process once an EndTxn request is flushed to the kernel: the broker gets the
 * commit, the process never reads its answer. kafkajs writes each request as one buffer (size, api key, ...).
 */
function pauseAfterEndTxnSockets(): NonNullable<KafkaConfig['socketFactory']> {
  return ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === END_TXN_API_KEY) {
        const done = rest.find((r) => typeof r === 'function') as ((e?: Error) => void) | undefined;
        const encoding = rest.find((r) => typeof r === 'string');
        return write(chunk, encoding ?? 'binary', (error?: Error) => {
          done?.(error);
          testPause('kafka:committing');
        });
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    return socket;
  };
}
