import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags, schemaRegistryFlags } from '../../src/cli/base-command';
import { schemaAdminFor } from '../../src/brokers/schemas';
import { renderDelete } from '../../src/schemas/render';

export default class SchemaDeleteCommand extends BaseCommand<typeof SchemaDeleteCommand> {
  static override writes = true;
  static override announcesTarget = true;
  static override summary = "Delete a topic's schema, every version (asks on a TTY; --yes otherwise)";
  static override description =
    'Producers and consumers that connect with a schema afterwards register a new one (its version number ' +
    'continues). Without --force the broker marks the schema deleted; --force also removes every stored version. ' +
    'A missing topic or a topic without a schema exits 3; system topics are refused (exit 2). On Kafka: a Confluent-compatible schema registry (--registry-url), subject <topic>-value (--key, --subject).';
  static override examples = [
    '<%= config.bin %> schema delete orders --kind pulsar --yes',
    '<%= config.bin %> schema delete persistent://public/default/orders --kind pulsar --yes --force',
    '<%= config.bin %> schema delete orders --kind kafka --registry-url http://127.0.0.1:8081 --key --yes',
  ];
  static override args = { topic: Args.string({ description: 'Pulsar or Kafka topic', required: true }) };
  static override flags = {
    ...connectionFlags,
    ...schemaRegistryFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
    force: Flags.boolean({
      description: 'remove every stored version, not only mark the schema deleted',
      default: false,
    }),
  };

  private registryOptions() {
    return { registryUrl: this.flags['registry-url'], subject: this.flags.subject, key: this.flags.key };
  }

  async run(): Promise<void> {
    const admin = schemaAdminFor(await this.connect(), this.registryOptions());
    this.announceTarget(admin.writeTarget);
    const latest = await admin.requireSchema(this.args.topic, 'delete the schema of topic');
    await this.confirm(
      `delete the schema of topic ${latest.topic} (${latest.type}, latest version ${latest.version})`,
      this.flags.yes,
    );
    const result = await admin.delete(this.args.topic, { force: this.flags.force });
    this.out(renderDelete(this.outputFormat, result));
  }
}
