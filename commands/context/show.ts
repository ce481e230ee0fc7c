import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, formatFlags } from '../../src/cli/base-command';
import { showContext } from '../../src/config/contexts';
import { renderContext } from '../../src/config/render';
import { ConfigStore } from '../../src/config/store';

export default class ContextShow extends BaseCommand<typeof ContextShow> {
  /** No broker is contacted (no --timeout). */
  static override baseFlags = { ...formatFlags, ...commonFlags };
  static override summary = 'Show a context (default: the current one) with secrets masked';
  static override examples = [
    '<%= config.bin %> context show',
    '<%= config.bin %> context show prod-kafka -o yaml',
  ];
  static override args = { name: Args.string({ required: false, description: 'context name' }) };

  async run(): Promise<void> {
    this.out(renderContext(showContext(new ConfigStore(), this.args.name), this.outputFormat, this.style));
  }
}
