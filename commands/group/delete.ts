import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { groupAdminFor } from '../../src/brokers/group-admin';
import { groupDeleteQuestion } from '../../src/topics/prompt';

export default class GroupDeleteCommand extends BaseCommand<typeof GroupDeleteCommand> {
  static override writes = true;
  static override summary =
    'Delete a consumer group (Kafka) or subscription (Pulsar); refused while it has members';
  static override examples = [
    '<%= config.bin %> group delete old-service --yes',
    '<%= config.bin %> group delete my-sub --kind pulsar --topic orders --yes',
  ];
  static override args = { group: Args.string({ description: 'group or subscription', required: true }) };
  static override flags = {
    ...connectionFlags,
    topic: Flags.string({ char: 't', description: 'Pulsar: the topic of the subscription', multiple: true }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask (required without a TTY)', default: false }),
  };

  async run(): Promise<void> {
    const connection = await this.connect();
    const admin = groupAdminFor(connection);
    const topics = this.flags.topic ?? [];
    await this.confirm(
      {
        what:
          connection.kind === 'pulsar'
            ? `Delete subscription ${this.args.group} (its cursor and backlog) on ${topics.join(', ')}`
            : `Delete consumer group ${this.args.group} and all its committed offsets`,
        // how much goes: Kafka the partitions with committed offsets, Pulsar the backlog on each topic
        ask: async () =>
          groupDeleteQuestion(
            connection.kind,
            this.args.group,
            await admin.holdings(this.args.group, { topics }),
          ),
      },
      this.flags.yes,
    );
    await admin.deleteGroup(this.args.group, { topics: this.flags.topic ?? [] });
    this.note(`deleted ${this.args.group}`);
    if (this.outputFormat === 'json') this.outJson({ deleted: this.args.group });
  }
}
