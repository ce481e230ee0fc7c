import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList } from '../../src/core/output';
import { namespaceAdminFor } from '../../src/brokers/namespaces';
import { TENANT_COLUMNS } from '../../src/topics/render';

export default class TenantListCommand extends BaseCommand<typeof TenantListCommand> {
  static override summary = 'List Pulsar tenants with their admin roles and allowed clusters';
  static override examples = [
    '<%= config.bin %> tenant list --kind pulsar',
    '<%= config.bin %> tenant list --kind pulsar -o json',
  ];
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const rows = await namespaceAdminFor(await this.connect(), 'tenant').listTenants();
    this.out(renderList(this.outputFormat, rows, TENANT_COLUMNS, this.style));
  }
}
