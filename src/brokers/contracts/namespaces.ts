/** Pulsar tenants and namespaces (what `mqctl tenant|namespace ...` use). */

export interface TenantRow {
  name: string;
  adminRoles: string[];
  allowedClusters: string[];
}

export interface NamespaceRow {
  name: string;
  tenant: string;
  namespace: string;
}

export interface NamespaceAdmin {
  readonly kind: 'pulsar';
  listTenants(): Promise<TenantRow[]>;
  /** Every tenant's namespaces, or one tenant's (exit 3 when it does not exist). */
  listNamespaces(tenant?: string): Promise<NamespaceRow[]>;
  createNamespace(
    name: string,
    options: { ifNotExists: boolean; dryRun: boolean },
  ): Promise<{ name: string; created: boolean; alreadyExisted: boolean; dryRun: boolean }>;
  /** Exit 3 when the namespace (or its tenant) does not exist; used before asking for confirmation. */
  requireNamespaceExists(name: string): Promise<void>;
  /**
   * The namespace's topics (persistent and non-persistent; a partitioned topic once, not per partition;
   * system topics left out), for `namespace delete`'s prompt.
   */
  topicsOf(name: string): Promise<string[]>;
  deleteNamespace(name: string, options: { force: boolean }): Promise<{ name: string; deleted: boolean }>;
}
