import { NotFoundError, UsageError } from '../cli/errors';
import {
  LOCAL_DEFAULTS,
  applyOverrides,
  describeTarget,
  maskSecrets,
  type ConnectionOverrides,
} from './resolve';
import { ConfigStore } from './store';
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

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new UsageError(`invalid context name "${name}"`, {
      hint: 'use letters, digits, "_", "." and "-" (max 63)',
    });
  }
}

/** Builds a context from flags (validating URLs and broker lists) and stores it. */
export function addContext(store: ConfigStore, name: string, options: ContextAddOptions): ContextSpec {
  checkName(name);
  const kind = options.kind.toLowerCase() as BrokerKind;
  if (!BROKER_KINDS.includes(kind))
    throw new UsageError(`unknown kind "${options.kind}"`, { hint: `use ${BROKER_KINDS.join(', ')}` });
  const config = store.load();
  if (config.contexts[name] && !options.overwrite) {
    throw new UsageError(`context "${name}" already exists`, {
      hint: 'pass --overwrite to replace it, or pick another name',
    });
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
  config.contexts[name] = spec;
  if (options.use || !config.currentContext) config.currentContext = name;
  store.save(config);
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

export function useContext(store: ConfigStore, name: string): void {
  const config = store.load();
  if (!config.contexts[name]) {
    throw new NotFoundError(`context "${name}" not found in ${store.path}`, {
      hint: 'run `mqctl context list`',
    });
  }
  config.currentContext = name;
  store.save(config);
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
  if (!spec)
    throw new NotFoundError(`context "${chosen}" not found in ${store.path}`, {
      hint: 'run `mqctl context list`',
    });
  return { name: chosen, current: chosen === config.currentContext, spec: maskSecrets(spec) };
}

export function deleteContext(store: ConfigStore, name: string): void {
  const config = store.load();
  if (!config.contexts[name]) throw new NotFoundError(`context "${name}" not found in ${store.path}`);
  delete config.contexts[name];
  if (config.currentContext === name) config.currentContext = undefined;
  store.save(config);
}
