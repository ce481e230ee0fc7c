import { BaseCommand, commonFlags, formatFlags } from '../../src/cli/base-command';
import { listContexts } from '../../src/config/contexts';
import { renderContextList } from '../../src/config/render';
import { ConfigStore } from '../../src/config/store';

export default class ContextList extends BaseCommand<typeof ContextList> {
  /** No broker is contacted (no --timeout). */
  static override baseFlags = { ...formatFlags, ...commonFlags };
  static override summary = 'List contexts; the current one is marked with *';
  static override examples = ['<%= config.bin %> context list', '<%= config.bin %> context list -o json'];
  static override aliases = ['context ls'];

  async run(): Promise<void> {
    const rows = listContexts(new ConfigStore());
    this.out(renderContextList(rows, this.outputFormat, this.style));
  }
}
