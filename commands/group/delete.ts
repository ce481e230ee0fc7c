import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { lagSourceFor } from '../../src/brokers/lag';

export default class GroupDeleteCommand extends BaseCommand<typeof GroupDeleteCommand> {
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
    const source = lagSourceFor(connection);
    await this.confirm(
      `delete ${connection.kind === 'pulsar' ? 'subscription' : 'consumer group'} ${this.args.group}`,
      this.flags.yes,
    );
    await source.deleteGroup(this.args.group, { topics: this.flags.topic ?? [] });
    this.note(`deleted ${this.args.group}`);
    if (this.outputFormat === 'json') this.outJson({ deleted: this.args.group });
  }
}
