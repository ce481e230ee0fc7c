import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { namespaceAdminFor } from '../../src/brokers/namespaces';
import { renderResult } from '../../src/topics/render';

export default class NamespaceCreateCommand extends BaseCommand<typeof NamespaceCreateCommand> {
  static override writes = true;
  static override summary = 'Create a Pulsar namespace tenant/namespace';
  static override examples = ['<%= config.bin %> namespace create public/orders --kind pulsar'];
  static override args = { name: Args.string({ description: 'tenant/namespace', required: true }) };
  static override flags = {
    ...connectionFlags,
    'if-not-exists': Flags.boolean({ description: 'succeed without change when it exists', default: false }),
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    const result = await namespaceAdminFor(await this.connect(), 'namespace').createNamespace(
      this.args.name,
      {
        ifNotExists: this.flags['if-not-exists'],
        dryRun: this.flags['dry-run'],
      },
    );
    const line = result.alreadyExisted
      ? `namespace ${result.name} already exists; nothing changed`
      : result.dryRun
        ? `dry run: namespace ${result.name} would be created`
        : `created namespace ${result.name}`;
    this.out(renderResult(this.outputFormat, result, line));
  }
}
