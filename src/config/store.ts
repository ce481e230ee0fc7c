import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { lock } from 'proper-lockfile';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ExitCode, MqctlError, NotFoundError, UsageError } from '../core/errors';
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
    const config = normaliseConfig(raw, this.path);
    warnIfExposed(this.path, config);
    return config;
  }

  /**
   * Read-modify-write under a lock (proper-lockfile: `<path>.lock`, stale after 10 s), so parallel
   * `mqctl context add` runs never lose each other's update; the file is written atomically by `save`.
   * A corrupted file makes `load` throw, so it is never overwritten.
   */
  async update<T>(change: (config: ConfigFile) => T): Promise<T> {
    this.mkdir();
    let release: () => Promise<void>;
    try {
      release = await lock(this.path, {
        realpath: false,
        lockfilePath: `${this.path}.lock`,
        stale: 10_000,
        retries: { retries: 200, factor: 1.3, minTimeout: 10, maxTimeout: 250, randomize: true },
      });
    } catch (error) {
      throw writeFailure(this.path, error, 'lock');
    }
    try {
      const config = this.load();
      const result = change(config);
      this.save(config);
      return result;
    } finally {
      await release().catch(() => undefined);
    }
  }

  /**
   * Writes atomically with mode 0600 (the file may hold passwords and tokens): a temp file in the same
   * directory, fsync, rename over the old file, fsync the directory. Call it through `update`.
   */
  save(config: ConfigFile): void {
    this.mkdir();
    const doc: Record<string, unknown> = {};
    if (config.currentContext) doc['current-context'] = config.currentContext;
    doc.contexts = config.contexts;
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'wx', 0o600);
      writeSync(fd, toYaml(doc));
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, this.path);
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // the temp file was never created, or is already renamed
      }
      throw writeFailure(this.path, error, 'write');
    }
    try {
      const dirFd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch {
      // directory fsync is not supported everywhere; the rename itself is atomic
    }
  }

  private mkdir(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw writeFailure(this.path, error, 'write');
    }
  }

  get(name: string): ContextSpec {
    const config = this.load();
    const spec = config.contexts[name];
    if (!spec) {
      checkContextName(name);
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

function writeFailure(path: string, error: unknown, what: 'lock' | 'write'): MqctlError {
  const code = (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
  return new MqctlError(
    `could not ${what} config file ${path} (${code}); nothing was saved`,
    ExitCode.FAILURE,
    {
      hint:
        what === 'lock'
          ? `another mqctl is writing it; retry, or remove ${path}.lock if no mqctl is running`
          : 'check that the directory exists and is writable (or set MQCTL_CONFIG)',
    },
  );
}

const warned = new Set<string>();

/** The first context holding a literal password or token (or a URL with a password), if any. */
function contextWithSecret(config: ConfigFile): string | undefined {
  for (const [name, spec] of Object.entries(config.contexts)) {
    const s = spec as unknown as Record<string, unknown> & { sasl?: { password?: string } };
    const urls = [s.url, s.serviceUrl, s.adminUrl, s.managementUrl].filter((u) => typeof u === 'string');
    if (
      s.password ||
      s.token ||
      s.sasl?.password ||
      urls.some((u) => /\/\/[^/@:]*:[^@/]+@/.test(u as string))
    )
      return name;
  }
  return undefined;
}

/**
 * Like ssh and kubectl: a config file that group or others can read, holding a secret, gets a warning on
 * stderr on every run (once per process), with the fix. The secret itself is never printed.
 */
function warnIfExposed(path: string, config: ConfigFile): void {
  if (process.platform === 'win32' || warned.has(path)) return;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return;
  }
  if ((mode & 0o077) === 0) return;
  const name = contextWithSecret(config);
  if (!name) return;
  warned.add(path);
  process.stderr.write(
    `warning: ${path} holds a password or token (context "${name}") and is readable by ${mode & 0o007 ? 'others' : 'its group'} (mode ${mode.toString(8).padStart(4, '0')}); fix it with: chmod 600 ${path}\n`,
  );
}

const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/**
 * A context name `context add` accepts. Checked when a name is added, and when a name that is not in the
 * file is asked for: one that could never exist is a usage error (2), not "not found" (3). Names already
 * in a file are always usable, whatever they look like.
 */
export function checkContextName(name: string): void {
  if (!CONTEXT_NAME.test(name)) {
    throw new UsageError(`invalid context name "${name}"`, {
      hint: 'use letters, digits, "_", "." and "-" (max 63)',
    });
  }
}
