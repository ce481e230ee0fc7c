import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../../src/cli/base-command';
import { renderList } from '../../../src/core/output';
import { topicAdminFor } from '../../../src/brokers/topics';
import { CONFIG_COLUMNS } from '../../../src/topics/render';

export default class TopicConfigGetCommand extends BaseCommand<typeof TopicConfigGetCommand> {
  static override summary = "Show a topic's configs: the ones set on the topic, --all, or the KEYs named";
  static override description =
    'Kafka: topic configs with their source (topic, broker, default). Pulsar: topic-level policies; where the ' +
    'topic sets none, the value that applies from the namespace or broker. An unknown key exits 2.';
  static override examples = [
    '<%= config.bin %> topic config get orders --kind kafka',
    '<%= config.bin %> topic config get orders retention.ms cleanup.policy --kind kafka',
    '<%= config.bin %> topic config get orders --all --kind pulsar --output json',
  ];
  static override strict = false;
  static override args = {
    name: Args.string({ description: 'topic name', required: true }),
    key: Args.string({ description: 'config key(s) to show' }),
  };
  static override flags = {
    ...connectionFlags,
    all: Flags.boolean({ description: 'every config, defaults included', default: false }),
  };

  async run(): Promise<void> {
    const [name, ...keys] = this.positionals;
    const configs = await topicAdminFor(await this.connect()).getConfig(name!, { all: this.flags.all, keys });
    if (this.outputFormat === 'table' && configs.length === 0) {
      this.out('(no configs set on the topic; --all shows every value)');
      return;
    }
    this.out(renderList(this.outputFormat, configs, CONFIG_COLUMNS, this.style));
  }
}
