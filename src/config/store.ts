import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { NotFoundError, UsageError } from '../cli/errors';
import { BROKER_KINDS, type ConfigFile, type ContextSpec } from './types';

/** `$MQCTL_CONFIG`, else `$XDG_CONFIG_HOME/mqctl/config.yaml`, else `~/.config/mqctl/config.yaml`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MQCTL_CONFIG) return env.MQCTL_CONFIG;
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'mqctl', 'config.yaml');
}

export class ConfigStore {
  constructor(readonly path: string = configPath()) {}

  load(): ConfigFile {
    if (!existsSync(this.path)) return { contexts: {} };
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new UsageError(
        `config file ${this.path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
        {
          hint: 'fix or remove the file',
        },
      );
    }
    return normaliseConfig(raw, this.path);
  }

  /** Writes atomically with mode 0600: the file may hold passwords and tokens. */
  save(config: ConfigFile): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const doc: Record<string, unknown> = {};
    if (config.currentContext) doc['current-context'] = config.currentContext;
    doc.contexts = config.contexts;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, toYaml(doc), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  get(name: string): ContextSpec {
    const config = this.load();
    const spec = config.contexts[name];
    if (!spec) {
      throw new NotFoundError(`context "${name}" not found in ${this.path}`, {
        hint: 'run `mqctl context list`, or `mqctl context add`',
      });
    }
    return spec;
  }
}

function normaliseConfig(raw: unknown, path: string): ConfigFile {
  if (raw === null || raw === undefined) return { contexts: {} };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`config file ${path} must be a YAML mapping`);
  }
  const obj = raw as Record<string, unknown>;
  const contexts = (obj.contexts ?? {}) as Record<string, unknown>;
  if (typeof contexts !== 'object' || Array.isArray(contexts)) {
    throw new UsageError(`config file ${path}: "contexts" must be a mapping of name to settings`);
  }
  for (const [name, spec] of Object.entries(contexts)) {
    const kind = (spec as { kind?: string })?.kind;
    if (!BROKER_KINDS.includes(kind as never)) {
      throw new UsageError(`config file ${path}: context "${name}" has kind "${kind}"`, {
        hint: `kind must be one of ${BROKER_KINDS.join(', ')}`,
      });
    }
  }
  const current = obj['current-context'] ?? obj.currentContext;
  return {
    currentContext: typeof current === 'string' ? current : undefined,
    contexts: contexts as Record<string, ContextSpec>,
  };
}
