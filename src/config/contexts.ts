import { NotFoundError, UsageError } from '../core/errors';
import { redactValue } from '../core/redact';
import {
  LOCAL_DEFAULTS,
  applyOverrides,
  describeTarget,
  readSecretFile,
  refuseForeignFlags,
  type ConnectionOverrides,
} from './resolve';
import { ConfigStore, checkContextName } from './store';
import { BROKER_KINDS, type BrokerKind, type ContextSpec, type PulsarDataPath } from './types';

export interface ContextAddOptions extends ConnectionOverrides {
  kind: string;
  passwordEnv?: string;
  tokenEnv?: string;
  dataPath?: string;
  clientId?: string;
  use?: boolean;
  overwrite?: boolean;
}

export interface ContextSummary {
  name: string;
  current: boolean;
  kind: BrokerKind;
  target: string;
}

const checkName = checkContextName;

/**
 * Builds a context from flags (validating URLs and broker lists) and stores it under the config lock, so
 * parallel `context add` runs all land.
 */
export async function addContext(
  store: ConfigStore,
  name: string,
  options: ContextAddOptions,
): Promise<ContextSpec> {
  const spec = buildContext(name, options);
  await store.update((config) => {
    if (config.contexts[name] && !options.overwrite) {
      throw new UsageError(`context "${name}" already exists`, {
        hint: 'pass --overwrite to replace it, or pick another name',
      });
    }
    config.contexts[name] = spec;
    if (options.use || !config.currentContext) config.currentContext = name;
  });
  return spec;
}

function buildContext(name: string, options: ContextAddOptions): ContextSpec {
  checkName(name);
  const kind = options.kind.toLowerCase() as BrokerKind;
  if (!BROKER_KINDS.includes(kind))
    throw new UsageError(`unknown kind "${options.kind}"`, { hint: `use ${BROKER_KINDS.join(', ')}` });
  refuseForeignFlags(kind, options, '--kind');
  const secretSources = [
    options.password && '--password',
    options.passwordEnv && '--password-env',
    options.passwordFile && '--password-file',
  ].filter(Boolean);
  if (secretSources.length > 1)
    throw new UsageError(`${secretSources.join(' and ')} both give the password`, {
      hint: 'pass one of them',
    });
  if ([options.token, options.tokenEnv, options.tokenFile].filter(Boolean).length > 1)
    throw new UsageError('--token, --token-env and --token-file: pass only one', {
      hint: 'pass one of them',
    });
  if ((options.passwordEnv || options.passwordFile) && kind === 'pulsar')
    throw new UsageError('Pulsar authenticates with a token, not a password', {
      hint: 'use --token-env or --token-file',
    });
  if ((options.tokenEnv || options.tokenFile) && kind !== 'pulsar')
    throw new UsageError('--token-env and --token-file are for Pulsar', {
      hint: 'use --password-env or --password-file',
    });
  for (const [file, what] of [
    [options.passwordFile, 'password'],
    [options.tokenFile, 'token'],
  ] as const) {
    if (file) readSecretFile(file, what, `context "${name}"`);
  }
  const spec = applyOverrides(structuredClone(LOCAL_DEFAULTS[kind]) as ContextSpec, options);
  if (spec.kind === 'kafka') {
    if (options.clientId) spec.clientId = options.clientId;
    if (options.passwordEnv) {
      if (!spec.sasl) throw new UsageError('--password-env needs --username (SASL)');
      spec.sasl.passwordEnv = options.passwordEnv;
    }
  } else if (spec.kind === 'pulsar') {
    if (options.tokenEnv) spec.tokenEnv = options.tokenEnv;
    if (options.dataPath) {
      if (!['auto', 'binary', 'native', 'websocket'].includes(options.dataPath))
        throw new UsageError('--data-path must be auto, binary, native or websocket');
      spec.dataPath = options.dataPath as PulsarDataPath;
    }
  } else if (options.passwordEnv) {
    spec.passwordEnv = options.passwordEnv;
  }
  return spec;
}

export function listContexts(store: ConfigStore): ContextSummary[] {
  const config = store.load();
  return Object.entries(config.contexts)
    .map(([name, spec]) => ({
      name,
      current: name === config.currentContext,
      kind: spec.kind,
      target: describeTarget(spec),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function useContext(store: ConfigStore, name: string): Promise<void> {
  await store.update((config) => {
    if (!config.contexts[name]) {
      checkName(name);
      throw new NotFoundError(`context "${name}" not found in ${store.path}`, {
        hint: 'run `mqctl context list`',
      });
    }
    config.currentContext = name;
  });
}

/** The named (or current) context with every secret masked. */
export function showContext(
  store: ConfigStore,
  name?: string,
): { name: string; current: boolean; spec: ContextSpec } {
  const config = store.load();
  const chosen = name ?? config.currentContext;
  if (!chosen)
    throw new NotFoundError('no current context', { hint: 'run `mqctl context use NAME` or name one' });
  const spec = config.contexts[chosen];
  if (!spec) checkName(chosen);
  if (!spec)
    throw new NotFoundError(`context "${chosen}" not found in ${store.path}`, {
      hint: 'run `mqctl context list`',
    });
  return { name: chosen, current: chosen === config.currentContext, spec: redactValue(spec) };
}

export async function deleteContext(store: ConfigStore, name: string): Promise<void> {
  await store.update((config) => {
    if (!config.contexts[name]) {
      checkName(name);
      throw new NotFoundError(`context "${name}" not found in ${store.path}`);
    }
    delete config.contexts[name];
    if (config.currentContext === name) config.currentContext = undefined;
  });
}
