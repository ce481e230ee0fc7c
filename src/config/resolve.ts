import { UsageError } from '../cli/errors';
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
  saslMechanism?: string;
  token?: string;
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
  saslMechanism: 'MQCTL_SASL_MECHANISM',
  token: 'MQCTL_TOKEN',
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
      throw new UsageError(`malformed broker address "${broker}"`, {
        hint: 'use host:port, e.g. 127.0.0.1:9092',
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
 * of the brokers started by `npm run brokers:up` are used.
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
  if (!kind) {
    throw new UsageError('no broker selected', {
      hint: 'pass --kind kafka|pulsar|rabbitmq (local defaults), --brokers host:port, --url amqp://… or pulsar://…, or run `mqctl context add`',
    });
  }
  const start = structuredClone(base ?? LOCAL_DEFAULTS[kind]) as ContextSpec;
  const resolved = applyOverrides(start, merged);
  return { ...resolved, name, source } as ResolvedContext;
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
      if (o.username || o.password || o.saslMechanism) {
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
      }
      return spec;
    }
    case 'pulsar': {
      if (o.url) spec.serviceUrl = o.url;
      if (o.adminUrl) spec.adminUrl = o.adminUrl;
      if (o.token) spec.token = o.token;
      parseUrl(spec.serviceUrl, 'Pulsar service URL', ['pulsar', 'pulsar+ssl']);
      parseUrl(spec.adminUrl, 'Pulsar admin URL', ['http', 'https']);
      return spec;
    }
    case 'rabbitmq': {
      if (o.url) spec.url = o.url;
      if (o.adminUrl) spec.managementUrl = o.adminUrl;
      if (o.username) spec.username = o.username;
      if (o.password) spec.password = o.password;
      if (o.vhost) spec.vhost = o.vhost;
      const amqp = parseUrl(spec.url, 'AMQP URL', ['amqp', 'amqps']);
      parseUrl(spec.managementUrl, 'RabbitMQ management URL', ['http', 'https']);
      if (!spec.vhost)
        spec.vhost = amqp.pathname.length > 1 ? decodeURIComponent(amqp.pathname.slice(1)) : '/';
      if (spec.url.startsWith('amqps://') && !spec.tls) spec.tls = { enabled: true };
      return spec;
    }
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

export function redactUrl(text: string): string {
  return text.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1****@');
}

const SECRET_KEYS = /^(password|token|secret|sasl_password|key_password)$/i;

/** A deep copy with every secret replaced by "****" (and passwords in URLs masked). */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEYS.test(k) && v !== undefined && v !== '') out[k] = '****';
      else out[k] = maskSecrets(v);
    }
    return out as T;
  }
  if (typeof value === 'string') return redactUrl(value) as T;
  return value;
}

/** The address to name in messages: bootstrap servers, service URL or AMQP URL (password masked). */
export function describeTarget(ctx: ContextSpec): string {
  switch (ctx.kind) {
    case 'kafka':
      return ctx.brokers.join(',');
    case 'pulsar':
      return ctx.serviceUrl;
    case 'rabbitmq':
      return redactUrl(ctx.url);
  }
}
