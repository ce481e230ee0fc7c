import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../../src/cli/base-command';
import { UsageError } from '../../../src/core/errors';
import { topicAdminFor } from '../../../src/brokers/topics';
import { renderResult } from '../../../src/topics/render';
import { parseKeyValues } from '../../../src/topics/validate';

export default class TopicConfigSetCommand extends BaseCommand<typeof TopicConfigSetCommand> {
  static override writes = true;
  static override summary = 'Set topic configs: KEY=VALUE ... (others are kept)';
  static override description =
    'Kafka: keys are topic configs (retention.ms, cleanup.policy, ...); --dry-run has the broker validate the ' +
    'change without applying it. Unknown keys and invalid values exit 2 and change nothing. ' +
    'Pulsar: keys are topic policies (see `mqctl topic create --help`).';
  static override examples = [
    '<%= config.bin %> topic config set orders retention.ms=86400000 cleanup.policy=compact --kind kafka',
    '<%= config.bin %> topic config set orders retention.ms=-5 --kind kafka --dry-run',
    '<%= config.bin %> topic config set orders message-ttl-seconds=3600 --kind pulsar',
  ];
  static override strict = false;
  static override args = {
    name: Args.string({ description: 'topic name', required: true }),
    pair: Args.string({ description: 'KEY=VALUE (one or more)' }),
  };
  static override flags = {
    ...connectionFlags,
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    const [name, ...pairs] = this.positionals;
    if (pairs.length === 0)
      throw new UsageError('no KEY=VALUE given', {
        hint: 'e.g. mqctl topic config set orders retention.ms=86400000',
      });
    const values = parseKeyValues(pairs, 'KEY=VALUE');
    const result = await topicAdminFor(await this.connect()).setConfig(name!, values, this.flags['dry-run']);
    const list = Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const line = result.dryRun
      ? `dry run: ${list} is valid for topic ${result.name}`
      : `topic ${result.name}: set ${list}`;
    this.out(renderResult(this.outputFormat, result, line));
  }
}
