import { describeTarget, secretOf } from '../../config/resolve';
import type { PulsarContext, ResolvedContext } from '../../config/types';
import { HttpError, HttpJsonClient, basicAuth } from '../http';
import { tlsOptions } from '../tls';
import type { PulsarClientKind } from '../contracts/perf';
import type { BrokerConnectionBase, ClusterInfo, ConnectOptions } from '../contracts/connection';
import { PulsarBinaryClient } from './binary/client';
import { loadNativePulsar, type NativePulsarStatus } from './native';
import { PULSAR_AUTH_METHOD_HEADER, PulsarWebSocketClient } from './websocket';

/**
 * Pulsar in mqctl: the admin REST API (topics, subscriptions, stats), the broker's WebSocket API (pure
 * JavaScript; consume, DLQ) and, for perf, mqctl's own binary-protocol client on the service URL.
 */
export class PulsarConnection implements BrokerConnectionBase {
  readonly kind = 'pulsar' as const;
  readonly target: string;
  readonly contextName: string;
  readonly timeoutMs: number;
  readonly settings: PulsarContext;
  readonly admin: HttpJsonClient;
  readonly websocket: PulsarWebSocketClient;
  private readonly closers: Array<() => Promise<void>> = [];
  private binaryClient?: PulsarBinaryClient;
  private readonly token?: string;
  private readonly tls?: ReturnType<typeof tlsOptions>;

  constructor(ctx: ResolvedContext & PulsarContext, options: ConnectOptions) {
    this.settings = ctx;
    this.target = describeTarget(ctx);
    this.contextName = ctx.name;
    this.timeoutMs = options.timeoutMs;
    const token = secretOf(ctx.token, ctx.tokenEnv);
    const tls = tlsOptions(ctx.tls);
    this.token = token;
    this.tls = tls;
    // Credentials written into the admin URL (Pulsar's basic authentication) are sent, not dropped; a token wins.
    const admin = new URL(ctx.adminUrl);
    const basic = admin.username
      ? basicAuth(decodeURIComponent(admin.username), decodeURIComponent(admin.password))
      : undefined;
    admin.username = '';
    admin.password = '';
    this.admin = new HttpJsonClient({
      baseUrl: admin.toString().replace(/\/$/, ''),
      timeoutMs: options.timeoutMs,
      authorization: token ? `Bearer ${token}` : basic,
      // Named, so a refused token is refused, never served as the anonymous role (see HttpClientOptions).
      authHeaders: { [PULSAR_AUTH_METHOD_HEADER]: token ? 'token' : 'basic' },
      service: 'Pulsar admin API',
      tls,
    });
    this.websocket = new PulsarWebSocketClient({
      adminUrl: ctx.adminUrl,
      token,
      timeoutMs: options.timeoutMs,
      tls,
      checkToken: () => this.checkToken(),
    });
    this.closers.push(() => this.admin.close());
    this.closers.push(async () => this.websocket.closeAll());
  }

  /**
   * mqctl's binary-protocol client on the service URL (created on first use; its sockets close with
   * the connection).
   */
  get binary(): PulsarBinaryClient {
    if (!this.binaryClient) {
      const client = new PulsarBinaryClient({
        serviceUrl: this.settings.serviceUrl,
        token: this.token,
        tls: this.tls,
        timeoutMs: this.timeoutMs,
      });
      this.binaryClient = client;
      this.closers.push(() => client.close());
    }
    return this.binaryClient;
  }

  /**
   * Whether the broker authenticates the token: any answer but 401 means it did (403 only says the role may
   * not read the broker version).
   */
  private async checkToken(): Promise<void> {
    await this.admin.get('/admin/v2/brokers/version').catch((error: unknown) => {
      if (error instanceof HttpError && error.status === 401) throw error;
    });
  }

  /** The perf data path: `--pulsar-client`, else the context's `dataPath: websocket`, else binary. */
  perfClient(requested?: PulsarClientKind): { client: PulsarClientKind; reason: string } {
    if (requested) return { client: requested, reason: '--pulsar-client' };
    if (this.settings.dataPath === 'websocket')
      return { client: 'websocket', reason: 'chosen by the context' };
    return { client: 'binary', reason: 'default' };
  }

  /** Which data path consume/DLQ use, honouring the context's `dataPath` choice. */
  dataPath(): { path: 'native' | 'websocket'; reason: string } {
    const wanted = this.settings.dataPath ?? 'auto';
    if (wanted === 'websocket' || wanted === 'binary')
      return {
        path: 'websocket',
        reason: wanted === 'websocket' ? 'chosen by the context' : 'binary is perf only',
      };
    const native: NativePulsarStatus = loadNativePulsar();
    if (native.available) return { path: 'native', reason: `pulsar-client ${native.version ?? ''}`.trim() };
    return { path: 'websocket', reason: native.reason };
  }

  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async clusterInfo(): Promise<ClusterInfo> {
    const [version, clusters] = await Promise.all([
      this.admin.get<string>('/admin/v2/brokers/version'),
      this.admin.get<string[]>('/admin/v2/clusters'),
    ]);
    const clusterName = clusters[0];
    const [brokers, leader, health] = await Promise.all([
      clusterName
        ? this.admin.get<string[]>(`/admin/v2/brokers/${encodeURIComponent(clusterName)}`)
        : Promise.resolve([]),
      this.admin.request<{ brokerId?: string; serviceUrl?: string }>({
        path: '/admin/v2/brokers/leaderBroker',
        allow404: true,
      }),
      this.admin.get<string>('/admin/v2/brokers/health').then(
        (h) => String(h).trim(),
        (e: Error) => `not healthy: ${e.message}`,
      ),
    ]);
    const dataPath = this.dataPath();
    const leaderAddress = leader?.serviceUrl?.replace(/^https?:\/\//, '') ?? leader?.brokerId;
    return {
      kind: 'pulsar',
      context: this.contextName,
      target: this.target,
      clusterName,
      version: String(version).trim(),
      nodes: brokers.map((b) => ({
        id: b,
        address: b,
        role: leaderAddress && (b === leaderAddress || leader?.brokerId === b) ? 'broker, leader' : 'broker',
        state: health === 'ok' ? 'healthy' : undefined,
      })),
      controller: leaderAddress,
      dataPath: `${dataPath.path} (${dataPath.reason}); perf: ${this.perfClient().client === 'binary' ? `binary protocol (mqctl's client) on ${this.settings.serviceUrl}` : 'websocket'}`,
      endpoints: {
        service: this.settings.serviceUrl,
        admin: this.settings.adminUrl,
        websocket: this.websocket.baseUrl,
      },
      details: {
        clusters: clusters.join(','),
        health,
        auth: this.settings.token || this.settings.tokenEnv ? 'token' : 'none',
      },
    };
  }

  async close(): Promise<void> {
    const closers = this.closers.splice(0).reverse();
    await Promise.allSettled(closers.map((fn) => fn()));
  }
}
