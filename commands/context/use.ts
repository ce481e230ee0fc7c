import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command';
import { useContext } from '../../src/config/contexts';
import { ConfigStore } from '../../src/config/store';

export default class ContextUse extends BaseCommand<typeof ContextUse> {
  static override summary = 'Make a context the current one';
  static override args = { name: Args.string({ required: true, description: 'context name' }) };

  async run(): Promise<void> {
    useContext(new ConfigStore(), this.args.name);
    this.note(`current context is now "${this.args.name}"`);
  }
}
