import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { UsageError } from '../../src/core/errors';
import { groupAdminFor } from '../../src/brokers/group-admin';
import { renderSkipResult } from '../../src/lag/render';
import { skipQuestion } from '../../src/topics/prompt';

export default class GroupSkipCommand extends BaseCommand<typeof GroupSkipCommand> {
  static override writes = true;
  static override summary = 'Pulsar: skip N messages of a subscription backlog, or clear it (--all)';
  static override examples = [
    '<%= config.bin %> group skip my-sub --kind pulsar --topic orders --count 100 --yes',
    '<%= config.bin %> group skip my-sub --kind pulsar --topic orders --all --yes',
  ];
  static override args = { group: Args.string({ description: 'subscription', required: true }) };
  static override flags = {
    ...connectionFlags,
    topic: Flags.string({ char: 't', description: 'topic of the subscription', required: true }),
    count: Flags.integer({ description: 'messages to skip', min: 1 }),
    all: Flags.boolean({ description: 'clear the whole backlog', default: false }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask (required without a TTY)', default: false }),
  };

  async run(): Promise<void> {
    if ((this.flags.count === undefined) === !this.flags.all) {
      throw new UsageError('choose --count N or --all');
    }
    const connection = await this.connect();
    const admin = groupAdminFor(connection);
    const what = this.flags.all ? 'the whole backlog' : `${this.flags.count} message(s)`;
    const skip = this.flags.all ? ('all' as const) : this.flags.count!;
    await this.confirm(
      {
        what: `Skip ${what} of subscription ${this.args.group} on ${this.flags.topic}`,
        // the backlog in numbers (Pulsar; elsewhere skip is refused as unsupported after the answer)
        ask: async () => {
          if (connection.kind !== 'pulsar')
            return `Skip ${what} of subscription ${this.args.group} on ${this.flags.topic}`;
          const [held] = await admin.holdings(this.args.group, {
            topics: [this.flags.topic],
            action: 'skip messages on',
          });
          return skipQuestion(this.args.group, held!.topic, skip, held!.backlog ?? 0);
        },
      },
      this.flags.yes,
    );
    const result = await admin.skip(this.args.group, this.flags.topic, skip);
    this.out(renderSkipResult(result, this.outputFormat, this.style));
  }
}
