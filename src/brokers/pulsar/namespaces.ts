import { MqctlError, NotFoundError, UsageError } from '../../core/errors';
import { mapLimit } from '../../topics/validate';
import type { NamespaceAdmin, NamespaceRow, TenantRow } from '../contracts/namespaces';
import type { PulsarConnection } from './connection';
import { HttpError } from '../http';

interface TenantInfo {
  adminRoles?: string[];
  allowedClusters?: string[];
}

/** Pulsar tenants and namespaces through the admin REST API (what `mqctl tenant|namespace ...` use). */
export class PulsarNamespaceAdmin implements NamespaceAdmin {
  readonly kind = 'pulsar' as const;

  constructor(private readonly connection: PulsarConnection) {}

  private get cluster(): string {
    return this.connection.settings.adminUrl;
  }

  private get http() {
    return this.connection.admin;
  }

  async listTenants(): Promise<TenantRow[]> {
    const names = await this.http.request<string[]>({ path: '/admin/v2/tenants' });
    const rows = await mapLimit(names, 8, async (name) => {
      const info = await this.http.request<TenantInfo>({
        path: `/admin/v2/tenants/${encodeURIComponent(name)}`,
        allow404: true,
      });
      return { name, adminRoles: info?.adminRoles ?? [], allowedClusters: info?.allowedClusters ?? [] };
    });
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  async listNamespaces(tenant?: string): Promise<NamespaceRow[]> {
    const tenants = tenant ? [tenant] : (await this.listTenants()).map((t) => t.name);
    const lists = await mapLimit(tenants, 8, async (t) => {
      const names = await this.http.request<string[] | undefined>({
        path: `/admin/v2/namespaces/${encodeURIComponent(t)}`,
        allow404: true,
      });
      if (names === undefined) {
        throw new NotFoundError(`tenant "${t}" not found on Pulsar at ${this.cluster}`, {
          hint: 'list tenants with `mqctl tenant list`',
        });
      }
      return names;
    });
    return lists
      .flat()
      .map((name) => {
        const [t, ns] = name.split('/') as [string, string];
        return { name, tenant: t, namespace: ns };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private parseNamespace(name: string): { tenant: string; namespace: string; path: string } {
    const parts = name.split('/');
    if (parts.length !== 2 || !parts.every((p) => /^[A-Za-z0-9_.=:-]+$/.test(p))) {
      throw new UsageError(`invalid namespace "${name}"`, {
        hint: 'use tenant/namespace with letters, digits and _ . = : -',
      });
    }
    const [tenant, namespace] = parts as [string, string];
    return {
      tenant,
      namespace,
      path: `/admin/v2/namespaces/${encodeURIComponent(tenant)}/${encodeURIComponent(namespace)}`,
    };
  }

  /** Exit 3 naming the missing tenant or namespace. */
  async requireNamespace(tenant: string, namespace: string): Promise<void> {
    const names = await this.http.request<string[] | undefined>({
      path: `/admin/v2/namespaces/${encodeURIComponent(tenant)}`,
      allow404: true,
    });
    if (names === undefined) {
      throw new NotFoundError(`tenant "${tenant}" not found on Pulsar at ${this.cluster}`, {
        hint: 'list tenants with `mqctl tenant list`',
      });
    }
    if (!names.includes(`${tenant}/${namespace}`)) {
      throw new NotFoundError(`namespace "${tenant}/${namespace}" not found on Pulsar at ${this.cluster}`, {
        hint: `create it with \`mqctl namespace create ${tenant}/${namespace}\``,
      });
    }
  }

  async createNamespace(
    name: string,
    options: { ifNotExists: boolean; dryRun: boolean },
  ): Promise<{ name: string; created: boolean; alreadyExisted: boolean; dryRun: boolean }> {
    const ns = this.parseNamespace(name);
    const existing = await this.listNamespaces(ns.tenant);
    if (existing.some((n) => n.name === name)) {
      if (options.ifNotExists) return { name, created: false, alreadyExisted: true, dryRun: options.dryRun };
      throw new UsageError(`namespace "${name}" already exists on Pulsar at ${this.cluster}`, {
        hint: 'pass --if-not-exists to accept an existing namespace',
      });
    }
    if (!options.dryRun) {
      await this.http.request({ method: 'PUT', path: ns.path, subject: `namespace "${name}"` });
    }
    return { name, created: !options.dryRun, alreadyExisted: false, dryRun: options.dryRun };
  }

  async requireNamespaceExists(name: string): Promise<void> {
    const ns = this.parseNamespace(name);
    await this.requireNamespace(ns.tenant, ns.namespace);
  }

  async topicsOf(name: string): Promise<string[]> {
    const ns = this.parseNamespace(name);
    const subject = `namespace "${name}"`;
    const persistent = `/admin/v2/persistent/${encodeURIComponent(ns.tenant)}/${encodeURIComponent(ns.namespace)}`;
    // every topic (mode ALL: non-persistent too; each partition by its own name) and the partitioned ones,
    // whose partitions may not exist yet; system topics are left out unless asked (Pulsar 2.11+)
    const [all, partitioned] = await Promise.all([
      this.http.request<string[]>({ path: `${ns.path}/topics`, query: { mode: 'ALL' }, subject }),
      this.http.request<string[]>({ path: `${persistent}/partitioned`, subject }),
    ]);
    const topics = new Set(partitioned);
    for (const topic of all) {
      const base = topic.replace(/-partition-\d+$/, '');
      topics.add(topics.has(base) ? base : topic);
    }
    return [...topics].sort();
  }

  async deleteNamespace(
    name: string,
    options: { force: boolean },
  ): Promise<{ name: string; deleted: boolean }> {
    const ns = this.parseNamespace(name);
    await this.requireNamespace(ns.tenant, ns.namespace);
    try {
      await this.http.request({
        method: 'DELETE',
        path: ns.path,
        query: { force: options.force || undefined },
        subject: `namespace "${name}"`,
      });
    } catch (error) {
      // Pulsar refuses `force` (HTTP 405) unless the broker sets forceDeleteNamespaceAllowed=true
      // (off by default, and on the project's local standalone).
      if (options.force && error instanceof HttpError && error.status === 405) {
        throw new UsageError(
          `cannot force-delete namespace "${name}": the broker does not allow it (forceDeleteNamespaceAllowed is off)`,
          {
            hint: 'set forceDeleteNamespaceAllowed=true in broker.conf, or delete the topics, then the namespace without --force',
          },
        );
      }
      if (error instanceof MqctlError && error.exitCode === 2) {
        throw new UsageError(
          `cannot delete namespace "${name}": ${error.message.replace(/^namespace "[^"]*": /, '')}`,
          { hint: options.force ? 'delete its topics first' : await this.notEmptyHint() },
        );
      }
      throw error;
    }
    return { name, deleted: true };
  }

  /**
   * What to do about a namespace that still has topics. `--force` deletes them with it only where the broker
   * allows forced deletion (forceDeleteNamespaceAllowed, off by default and on the local standalone), so it is
   * offered only when the broker's runtime configuration says so; unreadable (no superuser role): both ways.
   */
  private async notEmptyHint(): Promise<string> {
    const allowed = await this.http
      .request<Record<string, unknown>>({ path: '/admin/v2/brokers/configuration/runtime' })
      .then(
        (config) => config?.forceDeleteNamespaceAllowed,
        () => undefined,
      );
    if (String(allowed) === 'true') return 'delete its topics first, or pass --force to delete them with it';
    if (String(allowed) === 'false')
      return 'delete its topics first (this broker refuses --force: forceDeleteNamespaceAllowed is off)';
    return 'delete its topics first; --force deletes them with it where the broker sets forceDeleteNamespaceAllowed=true';
  }
}
