import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { UsageError } from '../../src/core/errors';
import { groupAdminFor } from '../../src/brokers/group-admin';
import { renderSkipResult } from '../../src/lag/render';

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
    const admin = groupAdminFor(await this.connect());
    const what = this.flags.all ? 'the whole backlog' : `${this.flags.count} message(s)`;
    await this.confirm(
      `Skip ${what} of subscription ${this.args.group} on ${this.flags.topic}`,
      this.flags.yes,
    );
    const result = await admin.skip(
      this.args.group,
      this.flags.topic,
      this.flags.all ? 'all' : this.flags.count!,
    );
    this.out(renderSkipResult(result, this.outputFormat, this.style));
  }
}
