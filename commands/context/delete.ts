import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags } from '../../src/cli/base-command';
import { deleteContext } from '../../src/config/contexts';
import { ConfigStore } from '../../src/config/store';

export default class ContextDelete extends BaseCommand<typeof ContextDelete> {
  /** No broker is contacted (no --timeout) and nothing is printed but a note (no -o). */
  static override baseFlags = commonFlags;
  static override summary = 'Delete a context';
  static override examples = ['<%= config.bin %> context delete staging --yes'];
  static override aliases = ['context rm'];
  static override args = { name: Args.string({ required: true, description: 'context name' }) };
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
  };

  async run(): Promise<void> {
    await this.confirm(`delete context "${this.args.name}"`, this.flags.yes);
    await deleteContext(new ConfigStore(), this.args.name);
    this.note(`context "${this.args.name}" deleted`);
  }
}
