import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags, commonFlags, formatFlags } from '../../src/cli/base-command';
import { renderJson } from '../../src/core/output';
import { addContext } from '../../src/config/contexts';
import { redactValue } from '../../src/core/redact';
import { ConfigStore } from '../../src/config/store';

const { context: _context, kind: _kind, ...settingFlags } = connectionFlags;

export default class ContextAdd extends BaseCommand<typeof ContextAdd> {
  /** No broker is contacted (no --timeout). */
  static override baseFlags = { ...formatFlags, ...commonFlags };
  static override summary = 'Add a named connection context (stored with mode 0600)';
  static override description =
    'Stored in $XDG_CONFIG_HOME/mqctl/config.yaml (or ~/.config/mqctl/config.yaml; MQCTL_CONFIG overrides). ' +
    'Prefer --password-env/--token-env so the file names an environment variable instead of holding the secret.';
  static override examples = [
    '<%= config.bin %> context add local-kafka --kind kafka --brokers 127.0.0.1:9092 --use',
    '<%= config.bin %> context add secure --kind kafka --brokers 127.0.0.1:9094 --sasl-mechanism scram-sha-256 --username mqctl --password-env KAFKA_PASSWORD',
    '<%= config.bin %> context add local-pulsar --kind pulsar --url pulsar://127.0.0.1:6650 --admin-url http://127.0.0.1:8080',
    '<%= config.bin %> context add local-rabbit --kind rabbitmq --url amqp://guest:guest@127.0.0.1:5672 --admin-url http://127.0.0.1:15672',
  ];
  static override args = { name: Args.string({ required: true, description: 'context name' }) };
  static override flags = {
    kind: Flags.string({
      required: true,
      options: ['kafka', 'pulsar', 'rabbitmq'],
      description: 'broker kind',
    }),
    ...settingFlags,
    'password-env': Flags.string({ description: 'environment variable that holds the password' }),
    'token-env': Flags.string({ description: 'environment variable that holds the Pulsar token' }),
    'data-path': Flags.string({
      options: ['auto', 'binary', 'native', 'websocket'],
      description: 'Pulsar data path',
    }),
    'client-id': Flags.string({ description: 'Kafka client id' }),
    use: Flags.boolean({ description: 'make it the current context', default: false }),
    overwrite: Flags.boolean({ description: 'replace an existing context of that name', default: false }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const store = new ConfigStore();
    const spec = await addContext(store, this.args.name, {
      kind: f.kind,
      brokers: f.brokers,
      url: f.url,
      adminUrl: f['admin-url'],
      username: f.username,
      password: f.password,
      passwordFile: f['password-file'],
      saslMechanism: f['sasl-mechanism'],
      token: f.token,
      tokenFile: f['token-file'],
      tls: f.tls || undefined,
      tlsCa: f['tls-ca'],
      tlsCert: f['tls-cert'],
      tlsKey: f['tls-key'],
      tlsInsecure: f['tls-insecure'] || undefined,
      vhost: f.vhost,
      passwordEnv: f['password-env'],
      tokenEnv: f['token-env'],
      dataPath: f['data-path'],
      clientId: f['client-id'],
      use: f.use,
      overwrite: f.overwrite,
    });
    if (this.outputFormat === 'json') this.out(renderJson({ name: this.args.name, ...redactValue(spec) }));
    else this.note(`context "${this.args.name}" (${spec.kind}) saved to ${store.path}`);
  }
}
