import { BaseCommand } from '../../src/cli/base-command';
import { col, renderList } from '../../src/cli/output';
import { listContexts, type ContextSummary } from '../../src/config/contexts';
import { ConfigStore } from '../../src/config/store';

export default class ContextList extends BaseCommand<typeof ContextList> {
  static override summary = 'List contexts; the current one is marked with *';
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
