import { nameMatcher, validateRabbitName } from '../../topics/validate';
import type {
  ExchangeAdmin,
  ExchangeCreateResult,
  ExchangeCreateSpec,
  ExchangeRow,
} from '../contracts/exchanges';
import { partialFailure } from '../contracts/topics';
import { refuseProtected } from '../contracts/protected';
import type { RabbitConnection } from './connection';
import { RabbitVhost, type RawExchange } from './vhost';

/** RabbitMQ exchanges through the management HTTP API (PUT is an idempotent declare). */
export class RabbitExchangeAdmin implements ExchangeAdmin {
  readonly kind = 'rabbitmq' as const;
  private readonly vhostApi: RabbitVhost;

  constructor(connection: RabbitConnection) {
    this.vhostApi = new RabbitVhost(connection);
  }

  get vhost(): string {
    return this.vhostApi.vhost;
  }

  async listExchanges(options: { filter?: string; regex?: boolean }): Promise<ExchangeRow[]> {
    const api = this.vhostApi;
    const matches = nameMatcher(options.filter, options.regex);
    await api.requireVhost();
    const raw = await api.http.request<RawExchange[]>({ path: `/api/exchanges/${api.vh()}` });
    return raw
      .filter((e) => matches(e.name))
      .map((e) => ({
        name: e.name,
        vhost: e.vhost,
        type: e.type,
        durable: Boolean(e.durable),
        autoDelete: Boolean(e.auto_delete),
        internal: Boolean(e.internal),
        arguments: e.arguments ?? {},
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async createExchange(spec: ExchangeCreateSpec): Promise<ExchangeCreateResult> {
    validateRabbitName(spec.name, 'exchange');
    const result = {
      name: spec.name,
      vhost: this.vhost,
      type: spec.type,
      created: false,
      alreadyExisted: false,
      dryRun: spec.dryRun,
    };
    return this.vhostApi.declare('exchange', spec, result, () => this.vhostApi.rawExchange(spec.name), {
      type: spec.type,
      durable: spec.durable,
      auto_delete: spec.autoDelete,
      internal: spec.internal,
      arguments: spec.arguments,
    });
  }

  async requireExchanges(names: string[], action = 'delete exchange'): Promise<void> {
    const api = this.vhostApi;
    for (const name of names) refuseProtected(action, { kind: 'rabbitmq', type: 'exchange', name });
    const found = await Promise.all(names.map((n) => api.rawExchange(n)));
    const missing = names.filter((_, i) => !found[i]);
    if (missing.length > 0) {
      await api.requireVhost();
      throw api.exchangeNotFound(missing[0]!);
    }
  }

  async deleteExchanges(
    names: string[],
    options: { ifUnused?: boolean },
  ): Promise<Array<{ name: string; vhost: string; deleted: boolean }>> {
    const api = this.vhostApi;
    await this.requireExchanges(names);
    const done: Array<{ name: string; vhost: string; deleted: boolean }> = [];
    for (const name of names) {
      try {
        await api.http.request({
          method: 'DELETE',
          path: api.path('exchanges', name),
          query: { 'if-unused': options.ifUnused || undefined },
          subject: `exchange "${name}" in ${api.where}`,
        });
      } catch (error) {
        throw partialFailure(error, done, name);
      }
      done.push({ name, vhost: this.vhost, deleted: true });
    }
    return done;
  }
}
