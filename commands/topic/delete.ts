import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { topicAdminFor } from '../../src/brokers/topics';
import { groupAdminFor } from '../../src/brokers/group-admin';
import { topicDeleteQuestion } from '../../src/topics/prompt';
import { renderTopicDeletion } from '../../src/topics/render';

export default class TopicDeleteCommand extends BaseCommand<typeof TopicDeleteCommand> {
  static override writes = true;
  static override summary = 'Delete one or more topics (asks on a TTY; --yes otherwise)';
  static override description =
    'Every name is checked first: if one does not exist nothing is deleted and the command exits 3 naming it. ' +
    'Pulsar refuses to delete a topic with connected producers or consumers unless --force.';
  static override examples = [
    '<%= config.bin %> topic delete orders payments --kind kafka --yes',
    '<%= config.bin %> topic delete persistent://public/default/orders --kind pulsar --yes --force',
  ];
  static override strict = false;
  static override args = { name: Args.string({ description: 'topic name(s)', required: true }) };
  static override flags = {
    ...connectionFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
    force: Flags.boolean({
      description: 'Pulsar: delete even with active producers/consumers',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const names = this.positionals;
    const connection = await this.connect();
    const admin = topicAdminFor(connection);
    await admin.requireExisting(names, 'delete topic');
    await this.confirm(
      {
        what: `delete topic${names.length > 1 ? 's' : ''} ${names.join(', ')}`,
        ask: () => {
          // Kafka: the consumer groups with committed offsets on the topics (Pulsar's come with its stats)
          const groups = connection.kind === 'kafka' ? groupAdminFor(connection) : undefined;
          return topicDeleteQuestion(admin, names, groups?.groupsReading?.bind(groups));
        },
      },
      this.flags.yes,
    );
    const results = await admin.delete(names, { force: this.flags.force });
    this.out(renderTopicDeletion(this.outputFormat, results, this.style));
  }
}
