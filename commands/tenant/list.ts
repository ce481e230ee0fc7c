import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { col, renderList } from '../../src/core/output';
import { namespaceAdminFor } from '../../src/brokers/namespaces';

export default class TenantListCommand extends BaseCommand<typeof TenantListCommand> {
  static override summary = 'List Pulsar tenants with their admin roles and allowed clusters';
  static override examples = [
    '<%= config.bin %> tenant list --kind pulsar',
    '<%= config.bin %> tenant list --kind pulsar -o json',
  ];
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const rows = await namespaceAdminFor(await this.connect(), 'tenant').listTenants();
    this.out(
      renderList(
        this.outputFormat,
        rows,
        [col('NAME', 'name'), col('ADMIN-ROLES', 'adminRoles'), col('ALLOWED-CLUSTERS', 'allowedClusters')],
        this.style,
      ),
    );
  }
}
