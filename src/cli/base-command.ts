import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { connect } from '../brokers';
import type { BrokerConnection } from '../brokers/types';
import { describeWriteTarget, resolveContext, type ConnectionOverrides } from '../config/resolve';
import type { ResolvedContext } from '../config/types';
import { parseDuration } from '../util/duration';
import {
  ExitCode,
  InterruptedError,
  MqctlError,
  UsageError,
  formatErrorLine,
  isMqctlError,
} from '../core/errors';
import { OUTPUT_FORMATS, renderJson, type OutputFormat, type RenderStyle } from '../core/output';
import { redact, registerSecret, registerSecretsInArgv, registerSecretsIn } from '../core/redact';
import { validateCommandNames } from './names';
import { parseErrorLine } from './parse-errors';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/** Output shape: commands that print a result. */
export const formatFlags = {
  output: Flags.option({
    char: 'o',
    description: 'output format',
    options: OUTPUT_FORMATS,
    default: 'table',
    helpGroup: 'GLOBAL',
  })(),
  json: Flags.boolean({ description: 'shorthand for --output json', helpGroup: 'GLOBAL', default: false }),
};

/** The network deadline: commands that talk to a broker. */
export const timeoutFlags = {
  timeout: Flags.string({
    description: 'deadline for each network wait (e.g. 500ms, 10s)',
    default: '10s',
    env: 'MQCTL_TIMEOUT',
    helpGroup: 'GLOBAL',
  }),
};

/** Flags every command has: debugging, colour. */
export const commonFlags = {
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

/**
 * The default global flags: output shape, timeout, debugging, colour. A command where some do not apply
 * (no result to print, no network) overrides `static baseFlags` with the groups that do; the getters below
 * then fall back to a table and the default timeout.
 */
export const outputFlags = { ...formatFlags, ...timeoutFlags, ...commonFlags };

/** Flags that pick and override a broker connection (flag > MQCTL_* environment > context). */
export const connectionFlags = {
  context: Flags.string({
    char: 'c',
    description: 'context to use (default: the current context; env MQCTL_CONTEXT)',
    helpGroup: 'CONNECTION',
  }),
  kind: Flags.string({
    description: 'broker kind; alone: the current context if of that kind, else the local default address',
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
  'password-file': Flags.string({
    description: 'read the password from this file (contexts store the path, not the secret)',
    helpGroup: 'CONNECTION',
  }),
  'sasl-mechanism': Flags.string({
    description: 'Kafka SASL mechanism',
    options: ['plain', 'scram-sha-256', 'scram-sha-512'],
    helpGroup: 'CONNECTION',
  }),
  token: Flags.string({ description: 'Pulsar JWT; prefer env MQCTL_TOKEN', helpGroup: 'CONNECTION' }),
  'token-file': Flags.string({
    description: 'read the Pulsar JWT from this file (contexts store the path, not the token)',
    helpGroup: 'CONNECTION',
  }),
  tls: Flags.boolean<boolean | undefined>({ description: 'connect with TLS', helpGroup: 'CONNECTION' }),
  'tls-ca': Flags.string({ description: 'CA bundle (PEM) to trust', helpGroup: 'CONNECTION' }),
  'tls-cert': Flags.string({
    description: 'client certificate (PEM) for mutual TLS',
    helpGroup: 'CONNECTION',
  }),
  'tls-key': Flags.string({ description: 'client key (PEM) for mutual TLS', helpGroup: 'CONNECTION' }),
  'tls-insecure': Flags.boolean<boolean | undefined>({
    description: 'skip certificate verification (testing only)',
    helpGroup: 'CONNECTION',
  }),
  vhost: Flags.string({
    description: 'RabbitMQ virtual host (default: from the URL, else /)',
    helpGroup: 'CONNECTION',
  }),
};

/** `mqctl schema` on Kafka: where the registry is and which subject a topic's schema lives under. */
export const schemaRegistryFlags = {
  'registry-url': Flags.string({
    description:
      'Kafka: Confluent-compatible schema registry URL, http[s]://[user:password@]host:port (env MQCTL_REGISTRY_URL; context field schemaRegistry.url)',
    helpGroup: 'SCHEMA REGISTRY',
  }),
  subject: Flags.string({
    description: 'Kafka: this registry subject instead of <topic>-value (TopicNameStrategy)',
    exclusive: ['key'],
    helpGroup: 'SCHEMA REGISTRY',
  }),
  key: Flags.boolean({
    description: "Kafka: the topic's key schema, subject <topic>-key",
    default: false,
    helpGroup: 'SCHEMA REGISTRY',
  }),
};

/**
 * The parsed values of the global flags; a command that overrides `baseFlags` with fewer groups has only
 * those, so each may be missing.
 */
export type OutputFlagValues = Partial<Interfaces.InferredFlags<typeof outputFlags>>;
/** The parsed values of `connectionFlags`; a command without them has none set. */
export type ConnectionFlagValues = Partial<Interfaces.InferredFlags<typeof connectionFlags>>;

/**
 * The base of every mqctl command: parses flags, maps errors to the documented exit codes with one line on
 * stderr, renders output, and closes broker connections however the command ends.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags: Partial<typeof outputFlags> = outputFlags;
  /**
   * Commands that change broker state set this: before they act, the target (context name and addresses)
   * is printed on stderr, and confirmation prompts name it (DESIGN.md §6: only the cluster the user named).
   */
  static writes = false;
  /**
   * Writes whose target is known only after the command picked it (a Kafka schema registry): the command
   * calls announceTarget() before it acts, instead of the broker's address being printed when flags resolve.
   */
  static announcesTarget = false;

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  /**
   * The same parsed flags, typed by the flag definitions this class reads. `flags` is typed per command (its
   * type depends on the command class), so code here reads these instead; they are set together in init.
   */
  private outputFlagValues: OutputFlagValues = {};
  private connectionFlagValues: ConnectionFlagValues = {};
  /** Every parsed flag by name, for checks that go by flag name (validateCommandNames). */
  private flagsByName: Readonly<Record<string, unknown>> = {};
  /** Every positional argument, for commands with `static strict = false` (e.g. `topic delete a b c`). */
  protected positionals: string[] = [];
  /** Flags whose value came from the command line or the environment, not from the flag's default. */
  protected givenFlags = new Set<string>();
  private readonly connections: BrokerConnection[] = [];
  /** The resolved connection's description, once resolved: what prompts and the write note name. */
  private target?: string;
  private readonly abortController = new AbortController();
  private sigintCount = 0;
  /** The signal that stopped the command, if one did. */
  protected stopSignal: NodeJS.Signals | undefined;
  /**
   * Services (`lag serve`) set this: SIGTERM is how a supervisor (systemd, Kubernetes) stops them, so it stops
   * the command quietly and the command exits 0; Ctrl-C stays an interruption (130).
   */
  static sigtermIsStop = false;
  private readonly onSigint = (signal: NodeJS.Signals) => {
    this.sigintCount++;
    if (this.sigintCount > 1) process.exit(ExitCode.INTERRUPTED);
    this.stopSignal ??= signal;
    if (!(signal === 'SIGTERM' && this.commandClass.sigtermIsStop))
      process.stderr.write('\ninterrupted: finishing up (Ctrl-C again to quit at once)\n');
    this.abortController.abort(new InterruptedError());
  };

  /** This command's class, for the static settings above (`writes`, `sigtermIsStop`). */
  private get commandClass(): typeof BaseCommand {
    return this.constructor as typeof BaseCommand;
  }

  public override async init(): Promise<void> {
    // Secrets given on the command line or in the environment are masked in everything printed from here on,
    // even when the flags that carry them fail to parse.
    registerSecretsInArgv(this.argv);
    registerSecret(process.env.MQCTL_PASSWORD);
    registerSecret(process.env.MQCTL_TOKEN);
    registerSecret(process.env.MQCTL_REGISTRY_PASSWORD);
    // Passwords inside addresses given through the environment (`amqp://u:p@h`, `u:p@host`) too.
    for (const name of ['MQCTL_URL', 'MQCTL_ADMIN_URL', 'MQCTL_BROKERS', 'MQCTL_REGISTRY_URL'])
      registerSecretsIn(process.env[name]);
    await super.init();
    // oclif fills a missing positional argument from stdin when stdin is not a TTY; in scripts and CI that
    // swallows the caller's input (and can wait on it). mqctl never takes arguments from stdin.
    for (const arg of Object.values(this.ctor.args ?? {}))
      (arg as { ignoreStdin?: boolean }).ignoreStdin = true;
    const { args, flags, argv, metadata } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: false,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.outputFlagValues = flags;
    this.connectionFlagValues = flags;
    this.flagsByName = flags;
    this.args = args as BaseArgs<T>;
    this.positionals = (argv as unknown[]).map(String);
    for (const [name, value] of Object.entries(flags as Record<string, unknown>))
      if (value !== undefined && !metadata.flags[name]?.setFromDefault) this.givenFlags.add(name);
    process.on('SIGINT', this.onSigint);
    process.on('SIGTERM', this.onSigint);
  }

  /** Aborted on the first Ctrl-C / SIGTERM: long-running work stops and prints its partial summary. */
  protected get signal(): AbortSignal {
    return this.abortController.signal;
  }

  protected get outputFormat(): OutputFormat {
    const flags = this.outputFlagValues;
    return flags.json ? 'json' : (flags.output ?? 'table');
  }

  protected get timeoutMs(): number {
    const ms = parseDuration(this.outputFlagValues.timeout ?? '10s', 's');
    if (ms <= 0) throw new UsageError('--timeout must be positive');
    return ms;
  }

  protected get isDebug(): boolean {
    return Boolean(this.outputFlagValues.debug) || Boolean(process.env.MQCTL_DEBUG);
  }

  /** Colour only on a TTY, and never with NO_COLOR, TERM=dumb or --no-color. */
  protected get style(): RenderStyle {
    const color =
      Boolean(process.stdout.isTTY) &&
      !process.env.NO_COLOR &&
      process.env.TERM !== 'dumb' &&
      !this.outputFlagValues['no-color'];
    return { color };
  }

  /** Results go to stdout (through the redactor, like everything mqctl prints). */
  protected out(text: string): void {
    const safe = redact(text);
    process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  /** Progress, warnings and notes go to stderr (through the redactor). */
  protected note(text: string): void {
    const safe = redact(text);
    process.stderr.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  protected outJson(data: unknown): void {
    this.out(renderJson(data));
  }

  protected resolveContext(): ResolvedContext {
    const f = this.connectionFlagValues;
    const overrides: ConnectionOverrides = {
      context: f.context,
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
    };
    const ctx = resolveContext(overrides);
    // Passwords and tokens from contexts (and the variables they name) join the redactor's list.
    registerSecretsIn(ctx);
    const secretEnv =
      ctx.kind === 'pulsar' ? ctx.tokenEnv : ctx.kind === 'rabbitmq' ? ctx.passwordEnv : undefined;
    if (typeof secretEnv === 'string') registerSecret(process.env[secretEnv]);
    if (this.target === undefined) {
      this.target = describeWriteTarget(ctx);
      if (this.commandClass.writes && !this.commandClass.announcesTarget) this.note(`target: ${this.target}`);
    }
    return ctx;
  }

  /** For `announcesTarget` commands: prints the write's target (`target`, else the broker's) before it acts. */
  protected announceTarget(target?: string): void {
    if (target !== undefined) this.target = target;
    this.note(`target: ${this.target ?? 'the selected broker'}`);
  }

  /** Connects to the broker the flags/environment/context select; closed automatically when the command ends. */
  protected async connect(): Promise<BrokerConnection> {
    const ctx = this.resolveContext();
    validateCommandNames(this.id, ctx.kind, {
      args: (this.args ?? {}) as Record<string, unknown>,
      flags: this.flagsByName,
      positionals: this.positionals,
    });
    const connection = connect(ctx, { timeoutMs: this.timeoutMs, debug: this.isDebug });
    this.connections.push(connection);
    return connection;
  }

  /**
   * Destructive commands: a TTY prompt, or `--yes`; without a TTY they refuse. The prompt names the object
   * and how much goes (`question`, computed only when asking) and the target (context and addresses).
   * Answering anything but y/yes prints "nothing changed" (not an error line) and exits 2.
   */
  protected async confirm(
    question: string | { what: string; ask: () => Promise<string> },
    yes: boolean,
  ): Promise<void> {
    if (yes) return;
    const what = typeof question === 'string' ? question : question.what;
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      const action = what.charAt(0).toLowerCase() + what.slice(1);
      throw new UsageError(`refusing to ${action} without confirmation`, { hint: 'pass --yes to confirm' });
    }
    const text = typeof question === 'string' ? question : await question.ask();
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(
        `${text}\n  on ${this.target ?? 'the selected broker'}\nProceed? [y/N] `,
      );
      if (!/^y(es)?$/i.test(answer.trim())) throw new DeclinedError();
    } finally {
      rl.close();
    }
  }

  public override async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof DeclinedError) {
      process.stderr.write('nothing changed (answered no)\n');
      throw new Errors.ExitError(error.exitCode);
    }
    const mapped = toCliError(error);
    if (mapped.exitCode !== ExitCode.OK) {
      process.stderr.write(redact(`Error: ${formatErrorLine(mapped)}`) + '\n');
      if (this.isDebug && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
    }
    throw new Errors.ExitError(mapped.exitCode);
  }

  public override async finally(error: Error | undefined): Promise<void> {
    process.off('SIGINT', this.onSigint);
    process.off('SIGTERM', this.onSigint);
    // bounded: closing a connection to a dead broker must not keep a finished command from ending
    await Promise.race([
      Promise.allSettled(this.connections.map((c) => c.close())),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]);
    await super.finally(error);
  }
}

/** The user answered no to a confirmation prompt: not an error line, but not a success either (exit 2). */
class DeclinedError extends UsageError {
  constructor() {
    super('declined');
  }
}

/** oclif's own errors (parse errors carry exit 2) and unexpected ones become MqctlErrors. */
export function toCliError(error: Error & { oclif?: { exit?: number }; code?: string }): MqctlError {
  if (isMqctlError(error)) return error;
  if (error?.code === 'EEXIT') return new MqctlError('', error.oclif?.exit ?? 0);
  const exit = error?.oclif?.exit;
  if (typeof exit === 'number') {
    return new MqctlError(parseErrorLine(error), exit, { hint: exit === 2 ? 'see --help' : undefined });
  }
  return new MqctlError(`unexpected error: ${error?.message ?? String(error)}`, ExitCode.FAILURE, {
    hint: 'run again with --debug for details',
  });
}
