import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, formatFlags } from '../../src/cli/base-command';
import { formatCell, renderJson, renderKeyValues, renderYaml } from '../../src/core/output';
import { showContext } from '../../src/config/contexts';
import { ConfigStore } from '../../src/config/store';

function flatten(prefix: string, value: unknown, out: Array<[string, unknown]>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else out.push([prefix, formatCell(value)]);
}

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
    const { name, current, spec } = showContext(new ConfigStore(), this.args.name);
    const doc = { name, current, ...spec };
    if (this.outputFormat === 'json') return this.out(renderJson(doc));
    if (this.outputFormat === 'yaml') return this.out(renderYaml(doc));
    const pairs: Array<[string, unknown]> = [];
    flatten('', doc, pairs);
    this.out(renderKeyValues(pairs, this.style));
  }
}
