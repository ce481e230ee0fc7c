import { Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { bindingAdminFor } from '../../src/brokers/queues';
import { renderResult } from '../../src/topics/render';
import { bindingFlags, bindingSpecFrom } from '../../src/cli/flags/binding';

export default class BindingCreateCommand extends BaseCommand<typeof BindingCreateCommand> {
  static override writes = true;
  static override summary = 'Bind a queue (or exchange) to an exchange with a routing key';
  static override description =
    'Both ends must exist (exit 3 naming the missing one). An identical binding is a no-op.';
  static override examples = [
    '<%= config.bin %> binding create --kind rabbitmq --source orders --destination orders.eu --routing-key "eu.#"',
  ];
  static override flags = {
    ...connectionFlags,
    ...bindingFlags,
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    const spec = bindingSpecFrom(this.flags);
    const result = await bindingAdminFor(await this.connect()).createBinding({
      ...spec,
      dryRun: this.flags['dry-run'],
    });
    const what = `${result.source} → ${result.destinationType} ${result.destination} (routing key "${result.routingKey}")`;
    const line = result.alreadyExisted
      ? `binding ${what} already exists; nothing changed`
      : result.dryRun
        ? `dry run: binding ${what} would be created`
        : `created binding ${what}`;
    this.out(renderResult(this.outputFormat, result, line));
  }
}
