import { Flags } from '@oclif/core';
import { dlqFor } from '../../src/brokers/dlq';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { buildFilter } from '../../src/dlq/filter';
import { dlqArg, filterFlags } from '../../src/cli/flags/dlq';
import { statsDlq } from '../../src/dlq/inspect';
import { renderDlqStats } from '../../src/dlq/render';

export default class DlqStatsCommand extends BaseCommand<typeof DlqStatsCommand> {
  static override summary = 'Count DLQ messages by error class, by source and over time (first/last seen)';
  static override description =
    'Reads the DLQ the way peek does (never consumes, acks or commits), up to --scan messages. When a retry chain ' +
    'feeds the DLQ (Spring retry topics, Pulsar retry letter topic, RabbitMQ TTL retry queues), also reads up to 200 ' +
    'messages per stage: waiting, attempts so far, next due time (RabbitMQ: taken and requeued, as peek does).';
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
    this.out(renderDlqStats(stats, this.outputFormat, this.style, this.flags.scan));
  }
}
