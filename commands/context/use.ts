import { Args } from '@oclif/core';
import { BaseCommand, commonFlags } from '../../src/cli/base-command';
import { useContext } from '../../src/config/contexts';
import { ConfigStore } from '../../src/config/store';

export default class ContextUse extends BaseCommand<typeof ContextUse> {
  /** No broker is contacted (no --timeout) and nothing is printed but a note (no -o). */
  static override baseFlags = commonFlags;
  static override summary = 'Make a context the current one';
  static override examples = ['<%= config.bin %> context use prod-kafka'];
  static override args = { name: Args.string({ required: true, description: 'context name' }) };

  async run(): Promise<void> {
    await useContext(new ConfigStore(), this.args.name);
    this.note(`current context is now "${this.args.name}"`);
  }
}
