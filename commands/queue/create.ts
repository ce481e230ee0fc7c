import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { QUEUE_TYPES, queueAdminFor, typeArguments } from '../../src/brokers/queues';
import { renderResult } from '../../src/topics/render';
import { parseKeyValues } from '../../src/topics/validate';
import { parseDuration } from '../../src/util/duration';
import { forFlag } from '../../src/core/errors';

export default class QueueCreateCommand extends BaseCommand<typeof QueueCreateCommand> {
  static override writes = true;
  static override summary = 'Declare a RabbitMQ queue (classic, quorum or stream) with its arguments';
  static override description =
    'Shorthands --dead-letter-exchange, --dead-letter-routing-key, --message-ttl, --max-length and ' +
    '--max-length-bytes set the x-... arguments; --argument k=v sets any other (numbers and booleans typed). ' +
    'Quorum and stream queues are always durable. An existing queue exits 2 unless --if-not-exists.';
  static override examples = [
    '<%= config.bin %> queue create orders --kind rabbitmq --type quorum --dead-letter-exchange orders.dlx',
    '<%= config.bin %> queue create jobs --kind rabbitmq --message-ttl 60s --max-length 10000',
    '<%= config.bin %> queue create events --kind rabbitmq --type stream --argument x-max-age=7D',
  ];
  static override args = { name: Args.string({ description: 'queue name', required: true }) };
  static override flags = {
    ...connectionFlags,
    type: Flags.option({
      char: 't',
      description: 'queue type',
      options: QUEUE_TYPES,
      default: 'classic',
    })(),
    durable: Flags.boolean({ description: 'survive a broker restart', default: true, allowNo: true }),
    'auto-delete': Flags.boolean({
      description: 'delete when the last consumer leaves (classic only)',
      default: false,
    }),
    'dead-letter-exchange': Flags.string({ description: 'x-dead-letter-exchange' }),
    'dead-letter-routing-key': Flags.string({ description: 'x-dead-letter-routing-key' }),
    'message-ttl': Flags.string({ description: 'x-message-ttl (e.g. 60000, 60s, 5m)' }),
    'max-length': Flags.integer({ description: 'x-max-length (messages)' }),
    'max-length-bytes': Flags.integer({ description: 'x-max-length-bytes' }),
    argument: Flags.string({
      char: 'a',
      description: 'queue argument key=value (repeatable)',
      multiple: true,
    }),
    'if-not-exists': Flags.boolean({
      description: 'succeed without change when the queue exists',
      default: false,
    }),
    'dry-run': Flags.boolean({ description: 'validate only; change nothing', default: false }),
  };

  async run(): Promise<void> {
    const raw = parseKeyValues(this.flags.argument, '--argument');
    const f = this.flags;
    if (f['dead-letter-exchange'] !== undefined) raw['x-dead-letter-exchange'] = f['dead-letter-exchange'];
    if (f['dead-letter-routing-key'] !== undefined)
      raw['x-dead-letter-routing-key'] = f['dead-letter-routing-key'];
    if (f['message-ttl'] !== undefined)
      raw['x-message-ttl'] = String(forFlag('--message-ttl', () => parseDuration(f['message-ttl']!, 'ms')));
    if (f['max-length'] !== undefined) raw['x-max-length'] = String(f['max-length']);
    if (f['max-length-bytes'] !== undefined) raw['x-max-length-bytes'] = String(f['max-length-bytes']);
    const args = typeArguments(raw);
    const result = await queueAdminFor(await this.connect()).createQueue({
      name: this.args.name,
      type: f.type,
      durable: f.durable,
      autoDelete: f['auto-delete'],
      arguments: args,
      ifNotExists: f['if-not-exists'],
      dryRun: f['dry-run'],
    });
    const line = result.alreadyExisted
      ? `queue ${result.name} already exists in vhost ${result.vhost}; nothing changed`
      : result.dryRun
        ? `dry run: ${result.type} queue ${result.name} in vhost ${result.vhost} is valid and would be created`
        : `created ${result.type} queue ${result.name} in vhost ${result.vhost}`;
    this.out(renderResult(this.outputFormat, result, line));
  }
}
