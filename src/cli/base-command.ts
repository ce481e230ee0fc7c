import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { connect } from '../brokers';
import type { BrokerConnection } from '../brokers/types';
import { resolveContext, type ConnectionOverrides } from '../config/resolve';
import type { ResolvedContext } from '../config/types';
import { parseDuration } from '../util/duration';
import { ExitCode, InterruptedError, MqctlError, UsageError, formatErrorLine, isMqctlError } from './errors';
import { OUTPUT_FORMATS, renderJson, type OutputFormat, type RenderStyle } from './output';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** Flags every command has: output shape, timeout, debugging, colour. */
export const outputFlags = {
  output: Flags.string({
    char: 'o',
    description: 'output format',
    options: [...OUTPUT_FORMATS],
    default: 'table',
    helpGroup: 'GLOBAL',
  }),
  json: Flags.boolean({ description: 'shorthand for --output json', helpGroup: 'GLOBAL', default: false }),
  timeout: Flags.string({
    description: 'deadline for each network wait (e.g. 500ms, 10s)',
    default: '10s',
    env: 'MQCTL_TIMEOUT',
    helpGroup: 'GLOBAL',
  }),
  debug: Flags.boolean({
    description: 'show stack traces and client logs',
    helpGroup: 'GLOBAL',
    default: false,
  }),
  'no-color': Flags.boolean({
    description: 'disable colour (also NO_COLOR, TERM=dumb)',
    helpGroup: 'GLOBAL',
    default: false,
  }),
};

/** Flags that pick and override a broker connection (flag > MQCTL_* environment > context). */
export const connectionFlags = {
  context: Flags.string({
    char: 'c',
    description: 'context to use (default: the current context; env MQCTL_CONTEXT)',
    helpGroup: 'CONNECTION',
  }),
  kind: Flags.string({
    description: 'broker kind; alone it means the local default address',
    options: ['kafka', 'pulsar', 'rabbitmq'],
    helpGroup: 'CONNECTION',
  }),
  brokers: Flags.string({
    char: 'b',
    description: 'Kafka bootstrap servers host:port[,host:port] (env MQCTL_BROKERS)',
    helpGroup: 'CONNECTION',
  }),
  url: Flags.string({
    description: 'amqp[s]://… (RabbitMQ) or pulsar[+ssl]://… (Pulsar) (env MQCTL_URL)',
    helpGroup: 'CONNECTION',
  }),
  'admin-url': Flags.string({
    description: 'Pulsar admin URL or RabbitMQ management URL (env MQCTL_ADMIN_URL)',
    helpGroup: 'CONNECTION',
  }),
  username: Flags.string({
    description: 'SASL / management user name (env MQCTL_USERNAME)',
    helpGroup: 'CONNECTION',
  }),
  password: Flags.string({
    description: 'password; prefer env MQCTL_PASSWORD so it stays out of shell history',
    helpGroup: 'CONNECTION',
  }),
  'sasl-mechanism': Flags.string({
    description: 'Kafka SASL mechanism',
    options: ['plain', 'scram-sha-256', 'scram-sha-512'],
    helpGroup: 'CONNECTION',
  }),
  token: Flags.string({ description: 'Pulsar JWT; prefer env MQCTL_TOKEN', helpGroup: 'CONNECTION' }),
  tls: Flags.boolean({ description: 'connect with TLS', helpGroup: 'CONNECTION' }),
  'tls-ca': Flags.string({ description: 'CA bundle (PEM) to trust', helpGroup: 'CONNECTION' }),
  'tls-cert': Flags.string({
    description: 'client certificate (PEM) for mutual TLS',
    helpGroup: 'CONNECTION',
  }),
  'tls-key': Flags.string({ description: 'client key (PEM) for mutual TLS', helpGroup: 'CONNECTION' }),
  'tls-insecure': Flags.boolean({
    description: 'skip certificate verification (testing only)',
    helpGroup: 'CONNECTION',
  }),
  vhost: Flags.string({
    description: 'RabbitMQ virtual host (default: from the URL, else /)',
    helpGroup: 'CONNECTION',
  }),
};

/**
 * The base of every mqctl command: parses flags, maps errors to the documented exit codes with one line on
 * stderr, renders output, and closes broker connections however the command ends.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = outputFlags;

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  /** Every positional argument, for commands with `static strict = false` (e.g. `topic delete a b c`). */
  protected positionals: string[] = [];
  private readonly connections: BrokerConnection[] = [];
  private readonly abortController = new AbortController();
  private sigintCount = 0;
  private readonly onSigint = () => {
    this.sigintCount++;
    if (this.sigintCount > 1) process.exit(ExitCode.INTERRUPTED);
    process.stderr.write('\ninterrupted: finishing up (Ctrl-C again to quit at once)\n');
    this.abortController.abort(new InterruptedError());
  };

  public override async init(): Promise<void> {
    await super.init();
    // oclif fills a missing positional argument from stdin when stdin is not a TTY; in scripts and CI that
    // swallows the caller's input (and can wait on it). mqctl never takes arguments from stdin.
    for (const arg of Object.values(this.ctor.args ?? {})) (arg as { ignoreStdin?: boolean }).ignoreStdin = true;
    const { args, flags, argv } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: false,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.positionals = (argv as unknown[]).map(String);
    process.on('SIGINT', this.onSigint);
    process.on('SIGTERM', this.onSigint);
  }

  /** Aborted on the first Ctrl-C / SIGTERM: long-running work stops and prints its partial summary. */
  protected get signal(): AbortSignal {
    return this.abortController.signal;
  }

  protected get outputFormat(): OutputFormat {
    const flags = this.flags as unknown as { output: OutputFormat; json: boolean };
    return flags.json ? 'json' : flags.output;
  }

  protected get timeoutMs(): number {
    const ms = parseDuration((this.flags as unknown as { timeout: string }).timeout, 's');
    if (ms <= 0) throw new UsageError('--timeout must be positive');
    return ms;
  }

  protected get isDebug(): boolean {
    return Boolean((this.flags as unknown as { debug?: boolean })?.debug) || Boolean(process.env.MQCTL_DEBUG);
  }

  /** Colour only on a TTY, and never with NO_COLOR, TERM=dumb or --no-color. */
  protected get style(): RenderStyle {
    const flags = this.flags as unknown as { 'no-color'?: boolean };
    const color =
      Boolean(process.stdout.isTTY) &&
      !process.env.NO_COLOR &&
      process.env.TERM !== 'dumb' &&
      !flags?.['no-color'];
    return { color };
  }

  /** Results go to stdout. */
  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Progress, warnings and notes go to stderr. */
  protected note(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected outJson(data: unknown): void {
    this.out(renderJson(data));
  }

  protected resolveContext(): ResolvedContext {
    const f = this.flags as unknown as Record<string, string | boolean | undefined>;
    const overrides: ConnectionOverrides = {
      context: f.context as string | undefined,
      kind: f.kind as string | undefined,
      brokers: f.brokers as string | undefined,
      url: f.url as string | undefined,
      adminUrl: f['admin-url'] as string | undefined,
      username: f.username as string | undefined,
      password: f.password as string | undefined,
      saslMechanism: f['sasl-mechanism'] as string | undefined,
      token: f.token as string | undefined,
      tls: (f.tls as boolean | undefined) || undefined,
      tlsCa: f['tls-ca'] as string | undefined,
      tlsCert: f['tls-cert'] as string | undefined,
      tlsKey: f['tls-key'] as string | undefined,
      tlsInsecure: (f['tls-insecure'] as boolean | undefined) || undefined,
      vhost: f.vhost as string | undefined,
    };
    return resolveContext(overrides);
  }

  /** Connects to the broker the flags/environment/context select; closed automatically when the command ends. */
  protected async connect(): Promise<BrokerConnection> {
    const ctx = this.resolveContext();
    const connection = connect(ctx, { timeoutMs: this.timeoutMs, debug: this.isDebug });
    this.connections.push(connection);
    return connection;
  }

  /** Destructive commands: a TTY prompt, or `--yes`; without a TTY they refuse. */
  protected async confirm(question: string, yes: boolean): Promise<void> {
    if (yes) return;
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw new UsageError(`refusing to ${question} without confirmation`, { hint: 'pass --yes to confirm' });
    }
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`${question}? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('cancelled');
    } finally {
      rl.close();
    }
  }

  public override async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    const mapped = toCliError(error);
    if (mapped.exitCode !== ExitCode.OK) {
      process.stderr.write(`Error: ${formatErrorLine(mapped)}\n`);
      if (this.isDebug && error.stack) process.stderr.write(`${error.stack}\n`);
    }
    throw new Errors.ExitError(mapped.exitCode);
  }

  public override async finally(error: Error | undefined): Promise<void> {
    process.off('SIGINT', this.onSigint);
    process.off('SIGTERM', this.onSigint);
    await Promise.allSettled(this.connections.map((c) => c.close()));
    await super.finally(error);
  }
}

/** oclif's own errors (parse errors carry exit 2) and unexpected ones become MqctlErrors. */
export function toCliError(error: Error & { oclif?: { exit?: number }; code?: string }): MqctlError {
  if (isMqctlError(error)) return error;
  if (error?.code === 'EEXIT') return new MqctlError('', error.oclif?.exit ?? 0);
  const exit = error?.oclif?.exit;
  if (typeof exit === 'number') {
    const firstLine = error.message.split('\n').find((l) => l.trim()) ?? error.message;
    return new MqctlError(firstLine.trim(), exit, { hint: exit === 2 ? 'see --help' : undefined });
  }
  return new MqctlError(`unexpected error: ${error?.message ?? String(error)}`, ExitCode.FAILURE, {
    hint: 'run again with --debug for details',
  });
}
