import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import {
  renderCsv,
  renderJson,
  renderKeyValues,
  renderSections,
  renderTable,
  renderYaml,
  type Column,
} from '../../src/cli/output';
import { lagSourceFor, type GroupMember } from '../../src/brokers/lag';
import { lagDocument, renderLagReport } from '../../src/lag/render';
import { LagHistory } from '../../src/lag/report';

export default class GroupDescribeCommand extends BaseCommand<typeof GroupDescribeCommand> {
  static override summary = 'Show a group: state, members and their assignments, and lag per partition';
  static override examples = [
    '<%= config.bin %> group describe orders-service',
    '<%= config.bin %> group describe my-sub --kind pulsar --topic orders',
    '<%= config.bin %> group describe orders-service --output json',
  ];
  static override args = {
    group: Args.string({
      description: 'consumer group (Kafka), subscription (Pulsar) or queue (RabbitMQ)',
      required: true,
    }),
  };
  static override flags = {
    ...connectionFlags,
    topic: Flags.string({
      char: 't',
      description: 'Pulsar: the topic(s) of the subscription',
      multiple: true,
    }),
    namespace: Flags.string({ description: 'Pulsar: namespace to scan', default: 'public/default' }),
  };

  async run(): Promise<void> {
    const source = lagSourceFor(await this.connect());
    const options = { topics: this.flags.topic ?? [], namespace: this.flags.namespace };
    const description = await source.describeGroup(this.args.group, options);
    const snapshot = await source.snapshot({
      groups: [this.args.group],
      topics: description.kind === 'kafka' ? [] : options.topics,
      namespace: options.namespace,
      timeLag: true,
    });
    const report = new LagHistory().observe(snapshot);
    const members: Column<GroupMember>[] = [
      { header: 'MEMBER-ID', get: (m) => m.memberId },
      { header: 'CLIENT-ID', get: (m) => m.clientId },
      { header: 'HOST', get: (m) => m.host },
      {
        header: '#PARTITIONS',
        get: (m) => m.assignments.reduce((n, a) => n + a.partitions.length, 0),
        align: 'right',
      },
      {
        header: 'ASSIGNMENT',
        get: (m) =>
          m.assignments
            .map((a) => `${a.topic}${a.partitions.length ? `:${a.partitions.join(',')}` : ''}`)
            .join(';'),
      },
    ];
    const group = report.groups.find((g) => g.group === this.args.group);
    switch (this.outputFormat) {
      case 'json':
      case 'yaml': {
        const doc = {
          ...description,
          totalLag: group?.totalLag ?? 0,
          status: group?.status,
          lag: lagDocument(report),
        };
        return this.out(this.outputFormat === 'json' ? renderJson(doc) : renderYaml(doc));
      }
      case 'csv':
        return this.out(renderCsv(description.memberDetails, members));
      case 'table': {
        const summary = renderKeyValues(
          [
            ['group', description.group],
            ['kind', description.kind],
            ['state', description.state],
            ['protocol', description.protocol ?? '-'],
            ['members', description.members],
            ['total lag', group?.totalLag ?? 0],
            ['status', group ? `${group.status}${group.reason ? ` (${group.reason})` : ''}` : '-'],
          ],
          this.style,
        );
        const lag = await renderLagReport(report, 'table', this.style, { watching: false });
        return this.out(
          renderSections(
            [
              { title: 'group', body: summary },
              {
                title: 'members',
                body: description.memberDetails.length
                  ? renderTable(description.memberDetails, members, this.style)
                  : '(no active members)',
              },
              { title: 'lag', body: lag },
            ],
            this.style,
          ),
        );
      }
    }
  }
}
