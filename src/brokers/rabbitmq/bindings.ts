import { NotFoundError, UsageError } from '../../core/errors';
import type { BindingAdmin, BindingRow, BindingSpec } from '../contracts/bindings';
import type { RabbitConnection } from './connection';
import { RabbitVhost, toBindingRow, type RawBinding } from './vhost';

/** RabbitMQ bindings (exchange → queue or exchange) through the management HTTP API. */
export class RabbitBindingAdmin implements BindingAdmin {
  readonly kind = 'rabbitmq' as const;
  private readonly vhostApi: RabbitVhost;

  constructor(connection: RabbitConnection) {
    this.vhostApi = new RabbitVhost(connection);
  }

  get vhost(): string {
    return this.vhostApi.vhost;
  }

  async listBindings(options: { source?: string; destination?: string }): Promise<BindingRow[]> {
    const api = this.vhostApi;
    await api.requireVhost();
    const raw = await api.http.request<RawBinding[]>({ path: `/api/bindings/${api.vh()}` });
    return raw
      .map(toBindingRow)
      .filter((b) => options.source === undefined || b.source === options.source)
      .filter((b) => options.destination === undefined || b.destination === options.destination)
      .sort(
        (a, b) =>
          a.source.localeCompare(b.source) ||
          a.destination.localeCompare(b.destination) ||
          a.routingKey.localeCompare(b.routingKey),
      );
  }

  private bindingPath(spec: BindingSpec): string {
    const d = spec.destinationType === 'queue' ? 'q' : 'e';
    return `/api/bindings/${this.vhostApi.vh()}/e/${encodeURIComponent(spec.source)}/${d}/${encodeURIComponent(spec.destination)}`;
  }

  private async requireEnds(spec: BindingSpec): Promise<void> {
    const api = this.vhostApi;
    if (spec.source === '') {
      throw new UsageError(
        'the default exchange ("") binds every queue by name implicitly; it takes no bindings',
        {
          hint: 'bind from a named exchange (--source)',
        },
      );
    }
    await api.requireVhost();
    if (!(await api.rawExchange(spec.source))) throw api.exchangeNotFound(spec.source);
    if (spec.destinationType === 'queue') {
      if (!(await api.rawQueue(spec.destination))) throw api.queueNotFound([spec.destination]);
    } else if (!(await api.rawExchange(spec.destination))) {
      throw api.exchangeNotFound(spec.destination);
    }
  }

  private async findBindings(spec: BindingSpec): Promise<RawBinding[]> {
    const existing = await this.vhostApi.http.request<RawBinding[]>({ path: this.bindingPath(spec) });
    return existing.filter(
      (b) => b.routing_key === spec.routingKey && sameArguments(b.arguments ?? {}, spec.arguments),
    );
  }

  async createBinding(
    spec: BindingSpec & { dryRun: boolean },
  ): Promise<BindingSpec & { vhost: string; created: boolean; alreadyExisted: boolean; dryRun: boolean }> {
    await this.requireEnds(spec);
    const base = {
      source: spec.source,
      destination: spec.destination,
      destinationType: spec.destinationType,
      routingKey: spec.routingKey,
      arguments: spec.arguments,
      vhost: this.vhost,
      dryRun: spec.dryRun,
    };
    if ((await this.findBindings(spec)).length > 0) return { ...base, created: false, alreadyExisted: true };
    if (spec.dryRun) return { ...base, created: false, alreadyExisted: false };
    await this.vhostApi.http.request({
      method: 'POST',
      path: this.bindingPath(spec),
      body: { routing_key: spec.routingKey, arguments: spec.arguments },
      subject: `binding ${spec.source} → ${spec.destination} in ${this.vhostApi.where}`,
    });
    return { ...base, created: true, alreadyExisted: false };
  }

  /** Fails with exit 3 when no binding matches source, destination, routing key and arguments. */
  async requireBinding(spec: BindingSpec): Promise<void> {
    await this.matchingBinding(spec);
  }

  private async matchingBinding(spec: BindingSpec): Promise<RawBinding> {
    await this.requireEnds(spec);
    const [match] = await this.findBindings(spec);
    if (!match) {
      throw new NotFoundError(
        `no binding ${spec.source} → ${spec.destinationType} ${spec.destination} with routing key "${spec.routingKey}" in ${this.vhostApi.where}`,
        { hint: `list them with \`mqctl binding list --source ${spec.source}\`` },
      );
    }
    return match;
  }

  async deleteBinding(spec: BindingSpec): Promise<BindingSpec & { vhost: string; deleted: boolean }> {
    const match = await this.matchingBinding(spec);
    await this.vhostApi.http.request({
      method: 'DELETE',
      path: `${this.bindingPath(spec)}/${encodeURIComponent(match.properties_key)}`,
      subject: `binding ${spec.source} → ${spec.destination} in ${this.vhostApi.where}`,
    });
    return { ...spec, vhost: this.vhost, deleted: true };
  }
}

function sameArguments(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}
