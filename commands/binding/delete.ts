import { Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { bindingAdminFor } from '../../src/brokers/queues';
import { renderResult } from '../../src/topics/render';
import { bindingFlags, bindingSpecFrom } from '../../src/cli/flags/binding';

export default class BindingDeleteCommand extends BaseCommand<typeof BindingDeleteCommand> {
  static override writes = true;
  static override summary = 'Remove a binding (asks on a TTY; --yes otherwise)';
  static override description =
    'The binding is matched by source, destination, routing key and arguments; no match exits 3.';
  static override examples = [
    '<%= config.bin %> binding delete --kind rabbitmq --source orders --destination orders.eu --routing-key "eu.#" --yes',
  ];
  static override flags = {
    ...connectionFlags,
    ...bindingFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
  };

  async run(): Promise<void> {
    const spec = bindingSpecFrom(this.flags);
    const admin = bindingAdminFor(await this.connect());
    await admin.requireBinding(spec);
    const what = `${spec.source} → ${spec.destinationType} ${spec.destination} (routing key "${spec.routingKey}")`;
    await this.confirm(`delete binding ${what}`, this.flags.yes);
    const result = await admin.deleteBinding(spec);
    this.out(renderResult(this.outputFormat, result, `deleted binding ${what}`));
  }
}
