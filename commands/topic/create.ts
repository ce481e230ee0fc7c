import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { topicAdminFor } from '../../src/brokers/topics';
import { renderResult } from '../../src/topics/render';
import { parseKeyValues } from '../../src/topics/validate';

export default class TopicCreateCommand extends BaseCommand<typeof TopicCreateCommand> {
  static override writes = true;
  static override summary = 'Create a topic (Kafka or Pulsar)';
  static override description =
    'Kafka: --partitions and --replication-factor default to the broker defaults; --config takes topic configs ' +
    '(retention.ms=..., cleanup.policy=compact). --dry-run asks the broker to validate without creating. ' +
    'Pulsar: --partitions N creates a partitioned topic, without it a non-partitioned one; --config takes ' +
    'topic policies (message-ttl-seconds, retention-time-minutes, retention-size-mb, max-producers, max-consumers, ' +
    'max-unacked-messages-per-consumer, deduplication-enabled). Invalid input exits 2 and changes nothing.';
  static override examples = [
    '<%= config.bin %> topic create orders --kind kafka --partitions 6 --replication-factor 1 --config retention.ms=86400000',
    '<%= config.bin %> topic create orders --kind kafka --partitions 6 --dry-run',
    '<%= config.bin %> topic create tenant/ns/orders --kind pulsar --partitions 4 --config message-ttl-seconds=3600',
  ];
  static override args = { name: Args.string({ description: 'topic name', required: true }) };
  static override flags = {
    ...connectionFlags,
    partitions: Flags.integer({
      char: 'p',
      description: 'number of partitions (Pulsar: omit for a non-partitioned topic)',
    }),
    'replication-factor': Flags.integer({ char: 'R', description: 'Kafka: replicas per partition' }),
    config: Flags.string({ description: 'config key=value (repeatable)', multiple: true }),
    'if-not-exists': Flags.boolean({
      description: 'succeed without change when the topic exists',
      default: false,
    }),
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    const admin = topicAdminFor(await this.connect());
    const result = await admin.create({
      name: this.args.name,
      partitions: this.flags.partitions,
      replicationFactor: this.flags['replication-factor'],
      configs: parseKeyValues(this.flags.config, '--config'),
      ifNotExists: this.flags['if-not-exists'],
      dryRun: this.flags['dry-run'],
    });
    const parts = result.partitions
      ? ` (${result.partitions} partitions${result.replicationFactor ? `, replication factor ${result.replicationFactor}` : ''})`
      : '';
    const line = result.alreadyExisted
      ? `topic ${result.name} already exists; nothing changed`
      : result.dryRun
        ? `dry run: topic ${result.name}${parts} is valid and would be created`
        : `created topic ${result.name}${parts}`;
    if (result.leadersPending) {
      this.note(
        `note: topic ${result.name} was created, but not every partition had a leader within --timeout; check with \`mqctl topic describe ${result.name}\``,
      );
    }
    this.out(renderResult(this.outputFormat, result, line));
  }
}
