import { Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { renderList } from '../../src/core/output';
import { topicAdminFor } from '../../src/brokers/topics';
import { TOPIC_LIST_COLUMNS } from '../../src/topics/render';

export default class TopicListCommand extends BaseCommand<typeof TopicListCommand> {
  static override summary =
    'List topics with their partition count (Kafka: replication factor; --offsets: message counts)';
  static override description =
    'Kafka: every topic in the cluster, internal ones (__consumer_offsets, ...) only with --internal. ' +
    'Pulsar: the persistent topics of one namespace (--namespace, default public/default); partitions of a ' +
    'partitioned topic are folded into it. On RabbitMQ use `mqctl queue list`.';
  static override examples = [
    '<%= config.bin %> topic list --kind kafka',
    '<%= config.bin %> topic list --kind kafka --regex "^orders\\." --offsets',
    '<%= config.bin %> topic list --kind pulsar --namespace public/default --output json',
  ];
  static override args = {};
  static override flags = {
    ...connectionFlags,
    filter: Flags.string({ char: 'f', description: 'show names containing this text' }),
    regex: Flags.string({
      char: 'r',
      description: 'show names matching this regular expression',
      exclusive: ['filter'],
    }),
    internal: Flags.boolean({ description: 'include internal/system topics', default: false }),
    offsets: Flags.boolean({
      description: 'Kafka: add the number of retained messages (latest − earliest offsets)',
      default: false,
    }),
    namespace: Flags.string({
      char: 'n',
      description: "Pulsar namespace tenant/namespace (default: the context's, else public/default)",
    }),
  };

  async run(): Promise<void> {
    const connection = await this.connect();
    const admin = topicAdminFor(connection);
    const rows = await admin.list({
      filter: this.flags.regex ?? this.flags.filter,
      regex: this.flags.regex !== undefined,
      includeInternal: this.flags.internal,
      offsets: this.flags.offsets,
      namespace: this.flags.namespace,
    });
    this.out(
      renderList(this.outputFormat, rows, TOPIC_LIST_COLUMNS(admin.kind, this.flags.offsets), this.style),
    );
  }
}
