import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags, schemaRegistryFlags } from '../../src/cli/base-command';
import { schemaAdminFor } from '../../src/brokers/schemas';
import { readSchemaFile } from '../../src/schemas/file';
import { renderUpload } from '../../src/schemas/render';

export default class SchemaUploadCommand extends BaseCommand<typeof SchemaUploadCommand> {
  static override writes = true;
  static override announcesTarget = true;
  static override summary = "Register a new version of a topic's schema from a pulsar-admin schema file";
  static override description =
    'The file is the one pulsar-admin schemas upload takes: {"type": "AVRO", "schema": "<definition as a string>", ' +
    '"properties": {}}. The broker checks the definition against the compatibility strategy in force and refuses ' +
    'an incompatible one (exit 2, its reason; nothing changed). Uploading the schema the topic already has ' +
    'changes nothing and says so. A missing topic exits 3, an unreadable or malformed file 2. On Kafka: a Confluent-compatible schema registry (--registry-url), subject <topic>-value (--key, --subject).';
  static override examples = [
    '<%= config.bin %> schema upload orders --kind pulsar -f orders-v1.json',
    '<%= config.bin %> schema upload persistent://public/default/orders --kind pulsar --filename orders-v2.json -o json',
    '<%= config.bin %> schema upload orders --kind kafka --registry-url http://127.0.0.1:8081 -f orders-v1.json',
  ];
  static override args = { topic: Args.string({ description: 'Pulsar or Kafka topic', required: true }) };
  static override flags = {
    ...connectionFlags,
    ...schemaRegistryFlags,
    file: Flags.string({
      char: 'f',
      aliases: ['filename'],
      description:
        'schema file in pulsar-admin\'s format {"type", "schema", "properties"} (also --filename, as in pulsar-admin)',
      required: true,
    }),
  };

  private registryOptions() {
    return { registryUrl: this.flags['registry-url'], subject: this.flags.subject, key: this.flags.key };
  }

  async run(): Promise<void> {
    const definition = readSchemaFile(this.flags.file);
    const admin = schemaAdminFor(await this.connect(), this.registryOptions());
    this.announceTarget(admin.writeTarget);
    const result = await admin.upload(this.args.topic, definition);
    this.out(renderUpload(this.outputFormat, result));
  }
}
