import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { UsageError } from '../core/errors';
import { redactUrl } from '../core/redact';
import { ConfigStore } from './store';
import {
  BROKER_KINDS,
  SASL_MECHANISMS,
  type BrokerKind,
  type ContextSpec,
  type KafkaContext,
  type PulsarContext,
  type RabbitContext,
  type ResolvedContext,
  type SaslMechanism,
} from './types';

/** Connection settings that may come from flags (or the matching MQCTL_* variables). */
export interface ConnectionOverrides {
  context?: string;
  kind?: string;
  /** Kafka bootstrap servers, comma separated. */
  brokers?: string;
  /** AMQP URL (RabbitMQ) or service URL (Pulsar); the scheme picks the kind. */
  url?: string;
  /** Pulsar admin URL or RabbitMQ management URL. */
  adminUrl?: string;
  username?: string;
  password?: string;
  /** A file holding the password; the context stores the path, never the secret. */
  passwordFile?: string;
  saslMechanism?: string;
  token?: string;
  /** A file holding the Pulsar token; the context stores the path. */
  tokenFile?: string;
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsInsecure?: boolean;
  vhost?: string;
}

export const LOCAL_DEFAULTS: { kafka: KafkaContext; pulsar: PulsarContext; rabbitmq: RabbitContext } = {
  kafka: { kind: 'kafka', brokers: ['127.0.0.1:9092'] },
  pulsar: { kind: 'pulsar', serviceUrl: 'pulsar://127.0.0.1:6650', adminUrl: 'http://127.0.0.1:8080' },
  rabbitmq: {
    kind: 'rabbitmq',
    url: 'amqp://guest:guest@127.0.0.1:5672',
    managementUrl: 'http://127.0.0.1:15672',
  },
};

const ENV_NAMES: Record<keyof ConnectionOverrides, string> = {
  context: 'MQCTL_CONTEXT',
  kind: 'MQCTL_KIND',
  brokers: 'MQCTL_BROKERS',
  url: 'MQCTL_URL',
  adminUrl: 'MQCTL_ADMIN_URL',
  username: 'MQCTL_USERNAME',
  password: 'MQCTL_PASSWORD',
  passwordFile: 'MQCTL_PASSWORD_FILE',
  saslMechanism: 'MQCTL_SASL_MECHANISM',
  token: 'MQCTL_TOKEN',
  tokenFile: 'MQCTL_TOKEN_FILE',
  tls: 'MQCTL_TLS',
  tlsCa: 'MQCTL_TLS_CA',
  tlsCert: 'MQCTL_TLS_CERT',
  tlsKey: 'MQCTL_TLS_KEY',
  tlsInsecure: 'MQCTL_TLS_INSECURE',
  vhost: 'MQCTL_VHOST',
};

export function overridesFromEnv(env: NodeJS.ProcessEnv): ConnectionOverrides {
  const out: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    out[key] = key === 'tls' || key === 'tlsInsecure' ? /^(1|true|yes)$/i.test(value) : value;
  }
  return out as ConnectionOverrides;
}

function parseKind(kind: string): BrokerKind {
  const normalised = kind.toLowerCase() === 'rabbit' ? 'rabbitmq' : kind.toLowerCase();
  if (!BROKER_KINDS.includes(normalised as BrokerKind)) {
    throw new UsageError(`unknown broker kind "${kind}"`, { hint: `use one of ${BROKER_KINDS.join(', ')}` });
  }
  return normalised as BrokerKind;
}

export function parseUrl(text: string, what: string, schemes: readonly string[]): URL {
  // A password with a raw `/` (or a space) makes a URL that parses with the wrong host (`amqp://u:p@ss/w@h`
  // names host "ss"): refuse it instead of connecting somewhere the user did not name.
  const afterScheme = text.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const slash = afterScheme.indexOf('/');
  if (/\s/.test(text) || (slash >= 0 && afterScheme.includes('@', slash))) {
    // (no at sign in the message itself: the redactor reads a URL's credentials up to the line's last one)
    throw new UsageError(`malformed ${what} "${redactUrl(text)}": a raw at sign, slash or space in it`, {
      hint: 'percent-encode special characters of the user name and password (at sign %40, slash %2F, colon %3A, space %20), or use --password-file',
    });
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`malformed ${what} "${redactUrl(text)}"`, {
      hint: `expected e.g. ${schemes[0]}://127.0.0.1`,
    });
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    throw new UsageError(`${what} "${redactUrl(text)}" has scheme "${scheme}"`, {
      hint: `use ${schemes.join(' or ')}`,
    });
  }
  if (!url.hostname) throw new UsageError(`${what} "${redactUrl(text)}" has no host`);
  return url;
}

/** host:port list, validated. Kafka accepts no scheme here. */
export function parseBrokerList(text: string): string[] {
  const brokers = text
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0)
    throw new UsageError('--brokers is empty', { hint: 'e.g. --brokers 127.0.0.1:9092' });
  for (const broker of brokers) {
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(broker);
    if (!match || Number(match[2]) > 65535 || Number(match[2]) === 0) {
      // Credentials do not belong in an address: whatever is before the last `@` is never printed.
      const at = broker.lastIndexOf('@');
      const shown = at >= 0 ? `****@${broker.slice(at + 1)}` : broker;
      throw new UsageError(`malformed broker address "${shown}"`, {
        hint:
          at >= 0
            ? 'use host:port, and give credentials with --username and --password-file (or MQCTL_PASSWORD)'
            : 'use host:port, e.g. 127.0.0.1:9092',
      });
    }
  }
  return brokers;
}

/** The kind a URL's scheme implies. */
function kindOfUrl(url: string): BrokerKind | undefined {
  const scheme = /^([a-z+]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'amqp' || scheme === 'amqps') return 'rabbitmq';
  if (scheme === 'pulsar' || scheme === 'pulsar+ssl') return 'pulsar';
  return undefined;
}

function impliedKind(o: ConnectionOverrides): BrokerKind | undefined {
  if (o.kind) return parseKind(o.kind);
  if (o.brokers) return 'kafka';
  if (o.url) {
    const kind = kindOfUrl(o.url);
    if (!kind) {
      throw new UsageError(`cannot tell the broker kind from --url "${redactUrl(o.url)}"`, {
        hint: 'use amqp:// for RabbitMQ, pulsar:// for Pulsar, --brokers host:port for Kafka, or add --kind',
      });
    }
    return kind;
  }
  return undefined;
}

/**
 * Merges connection settings with precedence flags > environment > context (named by --context,
 * MQCTL_CONTEXT, or the file's current-context). With nothing configured but `--kind`, the local defaults
 * (127.0.0.1 on each broker's documented ports) are used.
 */
export function resolveContext(
  flags: ConnectionOverrides,
  env: NodeJS.ProcessEnv = process.env,
  store: ConfigStore = new ConfigStore(),
): ResolvedContext {
  const fromEnv = overridesFromEnv(env);
  const explicitName = flags.context ?? fromEnv.context;
  const config = store.load();

  // Flags win over the environment field by field; a flag naming a kind also discards env settings of another kind.
  const flagKind = impliedKind({ kind: flags.kind, brokers: flags.brokers, url: flags.url });
  if (flagKind)
    refuseForeignFlags(flagKind, flags, flags.kind ? '--kind' : flags.brokers ? '--brokers' : '--url');
  const envKind = impliedKind({ kind: fromEnv.kind, brokers: fromEnv.brokers, url: fromEnv.url });
  const envUsable = !flagKind || !envKind || envKind === flagKind;
  const merged: ConnectionOverrides = { ...(envUsable ? fromEnv : {}), ...stripUndefined(flags) };
  const overrideKind = flagKind ?? (envUsable ? envKind : undefined);

  let base: ContextSpec | undefined;
  let name = '(flags)';
  let source: ResolvedContext['source'] = flagKind ? 'flags' : 'env';
  const contextName = explicitName ?? (overrideKind ? undefined : config.currentContext);
  if (contextName) {
    base = store.get(contextName);
    name = contextName;
    source = 'config';
    if (overrideKind && base.kind !== overrideKind) {
      throw new UsageError(
        `context "${contextName}" is ${base.kind}, but the flags name a ${overrideKind} broker`,
        {
          hint: 'drop --context, or drop the conflicting connection flags',
        },
      );
    }
  } else if (!explicitName && config.currentContext && overrideKind) {
    const current = config.contexts[config.currentContext];
    if (current && current.kind === overrideKind) {
      base = current;
      name = config.currentContext;
      source = 'config';
    }
  }

  const kind = overrideKind ?? base?.kind;
  if (kind && !flagKind) refuseForeignFlags(kind, flags, base ? `context "${name}"` : 'MQCTL_* environment');
  if (!kind) {
    throw new UsageError('no broker selected', {
      hint: 'pass --kind kafka|pulsar|rabbitmq (local defaults), --brokers host:port, --url amqp://… or pulsar://…, or run `mqctl context add`',
    });
  }
  const start = structuredClone(base ?? LOCAL_DEFAULTS[kind]) as ContextSpec;
  const resolved = { ...applyOverrides(start, merged), name, source } as ResolvedContext;
  resolveSecrets(resolved, env);
  return resolved;
}

/** Which broker kinds each connection flag belongs to (the others reject it). */
const FLAG_KINDS: Partial<Record<keyof ConnectionOverrides, { flag: string; kinds: BrokerKind[] }>> = {
  brokers: { flag: '--brokers', kinds: ['kafka'] },
  saslMechanism: { flag: '--sasl-mechanism', kinds: ['kafka'] },
  url: { flag: '--url', kinds: ['pulsar', 'rabbitmq'] },
  adminUrl: { flag: '--admin-url', kinds: ['pulsar', 'rabbitmq'] },
  token: { flag: '--token', kinds: ['pulsar'] },
  tokenFile: { flag: '--token-file', kinds: ['pulsar'] },
  username: { flag: '--username', kinds: ['kafka', 'rabbitmq'] },
  password: { flag: '--password', kinds: ['kafka', 'rabbitmq'] },
  passwordFile: { flag: '--password-file', kinds: ['kafka', 'rabbitmq'] },
  vhost: { flag: '--vhost', kinds: ['rabbitmq'] },
};

const KIND_NAMES: Record<BrokerKind, string> = { kafka: 'Kafka', pulsar: 'Pulsar', rabbitmq: 'RabbitMQ' };

/**
 * A connection flag of another broker kind is a usage error (exit 2), never silently dropped: `--kind kafka
 * --url amqp://…` or `--brokers … --vhost x` names two clusters, and mqctl cannot know which one was meant.
 */
export function refuseForeignFlags(kind: BrokerKind, flags: ConnectionOverrides, kindFrom: string): void {
  for (const [key, owner] of Object.entries(FLAG_KINDS)) {
    const value = flags[key as keyof ConnectionOverrides];
    if (value === undefined || value === '' || !owner || owner.kinds.includes(kind)) continue;
    throw new UsageError(
      `${owner.flag} is for ${owner.kinds.map((k) => KIND_NAMES[k]).join('/')}, but ${kindFrom} selects ${KIND_NAMES[kind]}`,
      { hint: `drop ${owner.flag}, or choose the broker kind it belongs to` },
    );
  }
  if (flags.url) {
    const urlKind = kindOfUrl(flags.url);
    if (urlKind && urlKind !== kind)
      throw new UsageError(
        `--url "${redactUrl(flags.url)}" is a ${KIND_NAMES[urlKind]} URL, but ${kindFrom} selects ${KIND_NAMES[kind]}`,
        { hint: 'drop one of them' },
      );
  }
}

/**
 * Password and token indirections resolved once, before connecting: a file named by --password-file /
 * --token-file (or the context) is read; a variable named by --password-env / --token-env must be set.
 * A missing one is a usage error naming the variable or file and the context, never an empty password.
 */
export function resolveSecrets(ctx: ResolvedContext, env: NodeJS.ProcessEnv = process.env): void {
  const where = ctx.source === 'config' ? `context "${ctx.name}"` : 'the connection flags';
  switch (ctx.kind) {
    case 'kafka':
      if (ctx.sasl) ctx.sasl.password = secretFrom('password', ctx.sasl, where, env);
      return;
    case 'pulsar':
      ctx.token = secretFrom(
        'token',
        { token: ctx.token, tokenEnv: ctx.tokenEnv, tokenFile: ctx.tokenFile },
        where,
        env,
      );
      return;
    case 'rabbitmq':
      ctx.password = secretFrom('password', ctx, where, env);
      return;
  }
}

function secretFrom(
  what: 'password' | 'token',
  holder: {
    password?: string;
    passwordEnv?: string;
    passwordFile?: string;
    token?: string;
    tokenEnv?: string;
    tokenFile?: string;
  },
  where: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const literal = what === 'password' ? holder.password : holder.token;
  const file = what === 'password' ? holder.passwordFile : holder.tokenFile;
  const envName = what === 'password' ? holder.passwordEnv : holder.tokenEnv;
  if (literal) return literal;
  if (file) return readSecretFile(file, what, where);
  if (envName) {
    const value = env[envName];
    if (value === undefined || value === '') {
      throw new UsageError(`environment variable ${envName} (the ${what} of ${where}) is not set`, {
        hint: `export ${envName}, or pass --${what}-file`,
      });
    }
    return value;
  }
  return undefined;
}

/** The secret in a file, without its trailing newline; a missing, unreadable or empty file is exit 2. */
export function readSecretFile(path: string, what: string, where: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read the ${what} file ${path} of ${where} (${code})`, {
      hint: `check the path and its permissions, or pass --${what}-file`,
    });
  }
  const secret = text.replace(/\r?\n$/, '');
  if (!secret) throw new UsageError(`the ${what} file ${path} of ${where} is empty`);
  return secret;
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function applyTls(spec: ContextSpec, o: ConnectionOverrides): void {
  if (o.tls || o.tlsCa || o.tlsCert || o.tlsKey || o.tlsInsecure) {
    spec.tls = {
      ...(spec.tls ?? {}),
      enabled: true,
      caFile: o.tlsCa ?? spec.tls?.caFile,
      certFile: o.tlsCert ?? spec.tls?.certFile,
      keyFile: o.tlsKey ?? spec.tls?.keyFile,
      insecure: o.tlsInsecure ?? spec.tls?.insecure,
    };
  }
}

export function applyOverrides(spec: ContextSpec, o: ConnectionOverrides): ContextSpec {
  applyTls(spec, o);
  switch (spec.kind) {
    case 'kafka': {
      if (o.url && !o.brokers) throw new UsageError('Kafka takes --brokers host:port, not --url');
      if (o.brokers) spec.brokers = parseBrokerList(o.brokers);
      else spec.brokers = parseBrokerList(spec.brokers.join(','));
      if (o.username || o.password || o.passwordFile || o.saslMechanism) {
        const mechanism = (o.saslMechanism ?? spec.sasl?.mechanism ?? 'plain').toLowerCase();
        if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
          throw new UsageError(`unknown SASL mechanism "${o.saslMechanism}"`, {
            hint: `use ${SASL_MECHANISMS.join(', ')}`,
          });
        }
        const username = o.username ?? spec.sasl?.username;
        if (!username) throw new UsageError('SASL needs --username');
        spec.sasl = {
          ...spec.sasl,
          mechanism: mechanism as SaslMechanism,
          username,
          password: o.password ?? spec.sasl?.password,
        };
        if (o.passwordFile) setSecretFile(spec.sasl, 'password', o.passwordFile, o.password);
      }
      return spec;
    }
    case 'pulsar': {
      if (o.url) spec.serviceUrl = o.url;
      if (o.adminUrl) spec.adminUrl = o.adminUrl;
      const service = parseUrl(spec.serviceUrl, 'Pulsar service URL', ['pulsar', 'pulsar+ssl']);
      const admin = parseUrl(spec.adminUrl, 'Pulsar admin URL', ['http', 'https']);
      // Only the cluster the user named: one URL given alone names the host of the other (documented ports).
      if (o.url && !o.adminUrl) spec.adminUrl = derivedUrl(service, PULSAR_ADMIN);
      if (o.adminUrl && !o.url) spec.serviceUrl = derivedUrl(admin, PULSAR_SERVICE);
      if (o.token) spec.token = o.token;
      if (o.tokenFile) setSecretFile(spec, 'token', o.tokenFile, o.token);
      requireSameSide(spec.serviceUrl, 'service URL', spec.adminUrl, 'admin URL');
      return spec;
    }
    case 'rabbitmq': {
      if (o.url) spec.url = o.url;
      if (o.adminUrl) spec.managementUrl = o.adminUrl;
      if (o.username) spec.username = o.username;
      if (o.password) spec.password = o.password;
      if (o.passwordFile) setSecretFile(spec, 'password', o.passwordFile, o.password);
      if (o.vhost) spec.vhost = o.vhost;
      let amqp = parseUrl(spec.url, 'AMQP URL', ['amqp', 'amqps']);
      const management = parseUrl(spec.managementUrl, 'RabbitMQ management URL', ['http', 'https']);
      // Only the cluster the user named: one URL given alone names the host of the other (documented ports).
      if (o.url && !o.adminUrl) spec.managementUrl = derivedUrl(amqp, RABBIT_MANAGEMENT);
      if (o.adminUrl && !o.url) {
        spec.url = derivedUrl(management, RABBIT_AMQP);
        amqp = new URL(spec.url);
      }
      requireSameSide(spec.url, 'AMQP URL', spec.managementUrl, 'management URL');
      if (!spec.vhost)
        spec.vhost = amqp.pathname.length > 1 ? decodeURIComponent(amqp.pathname.slice(1)) : '/';
      if (spec.url.startsWith('amqps://') && !spec.tls) spec.tls = { enabled: true };
      return spec;
    }
  }
}

/** Default ports by scheme: the other endpoint of a cluster when only one URL names its host. */
const PULSAR_ADMIN = { pulsar: 'http://HOST:8080', 'pulsar+ssl': 'https://HOST:8443' };
const PULSAR_SERVICE = { http: 'pulsar://HOST:6650', https: 'pulsar+ssl://HOST:6651' };
const RABBIT_MANAGEMENT = { amqp: 'http://HOST:15672', amqps: 'https://HOST:15671' };
const RABBIT_AMQP = { http: 'amqp://HOST:5672', https: 'amqps://HOST:5671' };

function derivedUrl(from: URL, templates: Record<string, string>): string {
  const template = templates[from.protocol.replace(/:$/, '')]!;
  return template.replace('HOST', from.hostname);
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/**
 * A data URL on another machine with an admin URL on this one (or the reverse) sends admin writes to a
 * cluster nobody named: contexts saved by mqctl 0.1.0 with `--url` alone have exactly that. Refused (exit 2).
 */
function requireSameSide(dataUrl: string, dataWhat: string, adminUrl: string, adminWhat: string): void {
  const data = new URL(dataUrl).hostname;
  const admin = new URL(adminUrl).hostname;
  if (isLoopback(data) === isLoopback(admin)) return;
  throw new UsageError(
    `the ${dataWhat} names host ${data} but the ${adminWhat} names host ${admin}: admin requests would go to another cluster`,
    {
      hint: `pass --admin-url for ${data} (or --url for ${admin}); fix a saved context with \`mqctl context add NAME --overwrite\``,
    },
  );
}

/** --password-file / --token-file: the settings keep the path (absolute); the secret is read when connecting. */
function setSecretFile(
  holder: {
    password?: string;
    passwordEnv?: string;
    passwordFile?: string;
    token?: string;
    tokenEnv?: string;
    tokenFile?: string;
  },
  what: 'password' | 'token',
  file: string,
  literal: string | undefined,
): void {
  if (literal)
    throw new UsageError(`--${what} and --${what}-file both give the ${what}`, { hint: 'pass one of them' });
  if (what === 'password') {
    holder.passwordFile = resolvePath(file);
    delete holder.password;
    delete holder.passwordEnv;
  } else {
    holder.tokenFile = resolvePath(file);
    delete holder.token;
    delete holder.tokenEnv;
  }
}

/** Credentials with indirections (passwordEnv, tokenEnv) resolved; callers never print these. */
export function secretOf(
  value: string | undefined,
  envName: string | undefined,
  env = process.env,
): string | undefined {
  if (value) return value;
  if (envName) return env[envName];
  return undefined;
}

/**
 * What a write goes to, for the stderr note and confirmation prompts: the context (or where the settings
 * came from) and every address the command may send to, passwords masked.
 */
export function describeWriteTarget(ctx: ResolvedContext): string {
  const who =
    ctx.source === 'config'
      ? `context "${ctx.name}"`
      : ctx.source === 'flags'
        ? 'connection flags'
        : 'MQCTL_* environment / local defaults';
  switch (ctx.kind) {
    case 'kafka':
      return `${who}: Kafka ${ctx.brokers.join(',')}`;
    case 'pulsar':
      return `${who}: Pulsar ${ctx.serviceUrl} (admin ${redactUrl(ctx.adminUrl)})`;
    case 'rabbitmq':
      return `${who}: RabbitMQ ${redactUrl(ctx.url)} vhost ${ctx.vhost ?? '/'} (management ${redactUrl(ctx.managementUrl)})`;
  }
}

/** The address to name in messages: bootstrap servers, service URL or AMQP URL (password masked). */
export function describeTarget(ctx: ContextSpec): string {
  switch (ctx.kind) {
    case 'kafka':
      return redactUrl(ctx.brokers.join(','));
    case 'pulsar':
      return redactUrl(ctx.serviceUrl);
    case 'rabbitmq':
      return redactUrl(ctx.url);
  }
}
