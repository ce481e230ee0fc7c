import { Args } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList } from '../../src/core/output';
import { namespaceAdminFor } from '../../src/brokers/namespaces';
import { NAMESPACE_COLUMNS } from '../../src/topics/render';

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
    this.out(renderList(this.outputFormat, rows, NAMESPACE_COLUMNS, this.style));
  }
}
