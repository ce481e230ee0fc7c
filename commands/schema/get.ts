import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags, schemaRegistryFlags } from '../../src/cli/base-command';
import { schemaAdminFor } from '../../src/brokers/schemas';
import { renderSchema, renderSchemaVersions } from '../../src/schemas/render';

export default class SchemaGetCommand extends BaseCommand<typeof SchemaGetCommand> {
  static override summary =
    "Show a topic's schema: type, version, definition, properties, compatibility strategy";
  static override description =
    "Pulsar's built-in schema registry, through the admin API. The latest version by default; --version N for " +
    'one version, --all-versions for every registered one (oldest first). The compatibility strategy shown is ' +
    'the one the broker applies and where it is set (topic, namespace or broker default). A missing topic, ' +
    'schema or version exits 3. On Kafka: a Confluent-compatible schema registry (--registry-url), subject ' +
    '<topic>-value (--key, --subject); RabbitMQ exits 2 (no schemas).';
  static override examples = [
    '<%= config.bin %> schema get orders --kind pulsar',
    '<%= config.bin %> schema get persistent://public/default/orders --kind pulsar --version 0 -o json',
    '<%= config.bin %> schema get orders --kind pulsar --all-versions',
    '<%= config.bin %> schema get orders --kind kafka --registry-url http://127.0.0.1:8081 --all-versions',
  ];
  static override args = { topic: Args.string({ description: 'Pulsar or Kafka topic', required: true }) };
  static override flags = {
    ...connectionFlags,
    ...schemaRegistryFlags,
    version: Flags.integer({
      description: 'this schema version instead of the latest',
      min: 0,
      exclusive: ['all-versions'],
    }),
    'all-versions': Flags.boolean({ description: 'every registered version', default: false }),
  };

  private registryOptions() {
    return { registryUrl: this.flags['registry-url'], subject: this.flags.subject, key: this.flags.key };
  }

  async run(): Promise<void> {
    const admin = schemaAdminFor(await this.connect(), this.registryOptions());
    const topic = this.args.topic;
    if (this.flags['all-versions']) {
      const [versions, compatibilityStrategy] = await Promise.all([
        admin.versions(topic),
        admin.strategy(topic),
      ]);
      this.out(renderSchemaVersions(this.outputFormat, { ...versions, compatibilityStrategy }, this.style));
      return;
    }
    const [version, compatibilityStrategy] = await Promise.all([
      admin.get(topic, { version: this.flags.version }),
      admin.strategy(topic),
    ]);
    this.out(renderSchema(this.outputFormat, { ...version, compatibilityStrategy }, this.style));
  }
}
