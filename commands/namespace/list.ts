import { Args } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { col, renderList } from '../../src/core/output';
import { namespaceAdminFor } from '../../src/brokers/namespaces';

export default class NamespaceListCommand extends BaseCommand<typeof NamespaceListCommand> {
  static override summary = 'List Pulsar namespaces of one tenant, or of every tenant';
  static override examples = [
    '<%= config.bin %> namespace list public --kind pulsar',
    '<%= config.bin %> namespace list --kind pulsar -o json',
  ];
  static override args = { tenant: Args.string({ description: 'tenant (default: every tenant)' }) };
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const rows = await namespaceAdminFor(await this.connect(), 'namespace').listNamespaces(this.args.tenant);
    this.out(
      renderList(
        this.outputFormat,
        rows,
        [col('NAME', 'name'), col('TENANT', 'tenant'), col('NAMESPACE', 'namespace')],
        this.style,
      ),
    );
  }
}
