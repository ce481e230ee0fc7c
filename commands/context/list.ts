import { BaseCommand, commonFlags, formatFlags } from '../../src/cli/base-command';
import { col, renderList } from '../../src/core/output';
import { listContexts, type ContextSummary } from '../../src/config/contexts';
import { ConfigStore } from '../../src/config/store';

export default class ContextList extends BaseCommand<typeof ContextList> {
  /** No broker is contacted (no --timeout). */
  static override baseFlags = { ...formatFlags, ...commonFlags };
  static override summary = 'List contexts; the current one is marked with *';
  static override examples = ['<%= config.bin %> context list', '<%= config.bin %> context list -o json'];
  static override aliases = ['context ls'];

  async run(): Promise<void> {
    const rows = listContexts(new ConfigStore());
    this.out(
      renderList<ContextSummary>(
        this.outputFormat,
        rows,
        [
          { header: 'CURRENT', get: (r) => (r.current ? '*' : '') },
          col('NAME', 'name'),
          col('KIND', 'kind'),
          col('TARGET', 'target'),
        ],
        this.style,
      ),
    );
  }
}
