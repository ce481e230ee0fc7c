import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { namespaceAdminFor } from '../../src/brokers/namespaces';
import { renderResult } from '../../src/topics/render';
import { namespaceDeleteQuestion } from '../../src/topics/prompt';

export default class NamespaceDeleteCommand extends BaseCommand<typeof NamespaceDeleteCommand> {
  static override writes = true;
  static override summary = 'Delete a Pulsar namespace (asks on a TTY; --yes otherwise)';
  static override description =
    'A namespace that still has topics is refused (exit 2) unless --force, which deletes its topics too where the broker allows it (broker.conf forceDeleteNamespaceAllowed=true; off by default, and a refusal is exit 2 naming the setting).';
  static override examples = ['<%= config.bin %> namespace delete public/orders --kind pulsar --yes'];
  static override args = { name: Args.string({ description: 'tenant/namespace', required: true }) };
  static override flags = {
    ...connectionFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
    force: Flags.boolean({
      description:
        'delete the namespace with all its topics (needs forceDeleteNamespaceAllowed=true on the broker)',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const admin = namespaceAdminFor(await this.connect(), 'namespace');
    await admin.requireNamespaceExists(this.args.name);
    await this.confirm(
      {
        what: `delete namespace ${this.args.name}${this.flags.force ? ' and all its topics' : ''}`,
        ask: async () =>
          namespaceDeleteQuestion(this.args.name, await admin.topicsOf(this.args.name), this.flags.force),
      },
      this.flags.yes,
    );
    const result = await admin.deleteNamespace(this.args.name, { force: this.flags.force });
    this.out(renderResult(this.outputFormat, result, `deleted namespace ${result.name}`));
  }
}
