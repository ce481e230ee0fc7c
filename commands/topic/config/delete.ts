import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../../src/cli/base-command';
import { UsageError } from '../../../src/core/errors';
import { topicAdminFor } from '../../../src/brokers/topics';
import { renderResult } from '../../../src/topics/render';

export default class TopicConfigDeleteCommand extends BaseCommand<typeof TopicConfigDeleteCommand> {
  static override writes = true;
  static override summary =
    'Remove topic config overrides: KEY ... (the broker/namespace default applies again)';
  static override description =
    'Unknown keys exit 2 and change nothing. Pulsar: the two retention keys share one policy, so removing ' +
    "either removes the topic's retention override.";
  static override examples = [
    '<%= config.bin %> topic config delete orders retention.ms --kind kafka',
    '<%= config.bin %> topic config delete orders message-ttl-seconds --kind pulsar',
  ];
  static override strict = false;
  static override args = {
    name: Args.string({ description: 'topic name', required: true }),
    key: Args.string({ description: 'config key(s) to remove' }),
  };
  static override flags = {
    ...connectionFlags,
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    const [name, ...keys] = this.positionals;
    if (keys.length === 0)
      throw new UsageError('no KEY given', { hint: 'e.g. mqctl topic config delete orders retention.ms' });
    const bad = keys.find((k) => k.includes('='));
    if (bad) throw new UsageError(`"${bad}": config delete takes keys, not key=value`);
    const result = await topicAdminFor(await this.connect()).deleteConfig(name!, keys, this.flags['dry-run']);
    const line = result.dryRun
      ? `dry run: ${keys.join(', ')} would be removed from topic ${result.name}`
      : `topic ${result.name}: removed ${keys.join(', ')}`;
    this.out(renderResult(this.outputFormat, result, line));
  }
}
