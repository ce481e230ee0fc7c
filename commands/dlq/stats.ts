import { Flags } from '@oclif/core';
import { dlqFor } from '../../src/brokers/dlq';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import {
  renderCsv,
  renderJson,
  renderSections,
  renderTable,
  renderYaml,
  type Column,
} from '../../src/cli/output';
import { buildFilter } from '../../src/dlq/filter';
import { dlqArg, filterFlags } from '../../src/dlq/flags';
import { statsDlq } from '../../src/dlq/inspect';
import type { DlqGroupCount } from '../../src/dlq/stats';
import { formatDuration } from '../../src/util/duration';

export default class DlqStatsCommand extends BaseCommand<typeof DlqStatsCommand> {
  static override summary = 'Count DLQ messages by error class, by source and over time (first/last seen)';
  static override description =
    'Reads the DLQ the way peek does (never consumes, acks or commits), up to --scan messages.';
  static override examples = [
    '<%= config.bin %> dlq stats orders-dlt --kind kafka',
    '<%= config.bin %> dlq stats orders.dlq --kind rabbitmq --since 24h --output json',
  ];
  static override args = dlqArg;
  static override flags = {
    ...connectionFlags,
    ...filterFlags,
    scan: Flags.integer({ description: 'messages to examine at most', default: 100_000, min: 1 }),
  };

  async run(): Promise<void> {
    const filter = buildFilter(this.flags);
    const connection = await this.connect();
    const access = dlqFor(connection);
    if (access.browseNote) this.note(`note: ${access.browseNote}`);
    const stats = await statsDlq(access, this.args.dlq, {
      scan: this.flags.scan,
      filter,
      signal: this.signal,
    });
    const cols = (first: string): Column<DlqGroupCount>[] => [
      { header: first, get: (g) => g.value },
      { header: 'COUNT', get: (g) => g.count, align: 'right' },
      { header: 'FIRST SEEN', get: (g) => g.firstSeen },
      { header: 'LAST SEEN', get: (g) => g.lastSeen },
    ];
    switch (this.outputFormat) {
      case 'json':
        return this.out(renderJson(stats));
      case 'yaml':
        return this.out(renderYaml(stats));
      case 'csv': {
        const rows = [
          ...stats.byErrorClass.map((g) => ({ group: 'errorClass', ...g })),
          ...stats.bySource.map((g) => ({ group: 'source', ...g })),
          ...stats.overTime.map((g) => ({ group: 'time', ...g })),
        ];
        return this.out(
          renderCsv(rows, [
            { header: 'group', get: (r) => r.group },
            { header: 'value', get: (r) => r.value },
            { header: 'count', get: (r) => r.count },
            { header: 'firstSeen', get: (r) => r.firstSeen },
            { header: 'lastSeen', get: (r) => r.lastSeen },
          ]),
        );
      }
      case 'table':
        this.out(
          `${stats.dlq}: ${stats.matched} matching of ${stats.total} messages` +
            (stats.truncated ? ` (scan stopped at --scan ${this.flags.scan})` : '') +
            (stats.firstSeen ? `, first ${stats.firstSeen}, last ${stats.lastSeen}` : '') +
            `\n\n` +
            renderSections(
              [
                {
                  title: 'by error class',
                  body: renderTable(stats.byErrorClass, cols('ERROR CLASS'), this.style),
                },
                { title: 'by source', body: renderTable(stats.bySource, cols('SOURCE'), this.style) },
                {
                  title: `over time (buckets of ${formatDuration(stats.bucketMs)})`,
                  body: renderTable(stats.overTime, cols('FROM'), this.style),
                },
              ],
              this.style,
            ),
        );
    }
  }
}
