import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags, schemaRegistryFlags } from '../../src/cli/base-command';
import { schemaAdminFor } from '../../src/brokers/schemas';
import { ThresholdError } from '../../src/core/errors';
import { readSchemaFile } from '../../src/schemas/file';
import { renderCompat } from '../../src/schemas/render';

export default class SchemaCompatCommand extends BaseCommand<typeof SchemaCompatCommand> {
  static override summary = 'Check whether a schema file could be uploaded to a topic (exit 99 when not)';
  static override description =
    "Asks the broker to test the definition against the topic's schema under the compatibility strategy in " +
    'force (pulsar-admin schemas compatibility); nothing is registered. Compatible exits 0; incompatible prints ' +
    "the verdict with the broker's reason and exits 99, like a failed gate, so CI can tell it from an error " +
    '(1, 2, 3, 69, 77). A topic without a schema accepts any definition. On Kafka: a Confluent-compatible schema registry (--registry-url), subject <topic>-value (--key, --subject).';
  static override examples = [
    '<%= config.bin %> schema compat orders --kind pulsar -f orders-v2.json',
    '<%= config.bin %> schema compat persistent://public/default/orders --kind pulsar --filename orders-v2.json -o json',
    '<%= config.bin %> schema compat orders --kind kafka --registry-url http://127.0.0.1:8081 -f orders-v2.json',
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
    const result = await schemaAdminFor(await this.connect(), this.registryOptions()).compatibility(
      this.args.topic,
      definition,
    );
    this.out(renderCompat(this.outputFormat, result));
    if (!result.compatible) {
      throw new ThresholdError(
        `schema in ${this.flags.file} is not compatible with ${result.subject === undefined ? `topic ${result.topic}` : `subject ${result.subject}`} (strategy ${result.strategy})`,
        {
          hint:
            result.subject === undefined
              ? "change the definition, or the topic's or namespace's compatibility strategy"
              : "change the definition, or the subject's compatibility level",
        },
      );
    }
  }
}
