/**
 * Shell completion: what to offer for the word under the cursor, worked out from the command table
 * (oclif's manifest) and the words already typed. The shell scripts (completion-scripts.ts) call the hidden
 * `mqctl __complete <words...>` for every Tab; it prints candidates one per line. Dynamic values (contexts,
 * topics, groups, queues) come from completion-sources.ts; this file only decides which kind is wanted.
 */

/** What a command offers, as oclif's manifest describes it. */
export interface CompletionCommand {
  id: string;
  hidden?: boolean;
  aliases?: string[];
  strict?: boolean;
  flags: Record<
    string,
    { name: string; char?: string; type: string; options?: readonly string[]; hidden?: boolean }
  >;
  args: Record<string, { name: string; options?: readonly string[] }>;
}

/** Values that only a lookup can give. */
export type DynamicKind = 'context' | 'topic' | 'group' | 'queue';

export interface CompletionRequest {
  /** Candidates known without a lookup (already filtered by the typed prefix). */
  candidates: string[];
  /** A lookup to make; its results are filtered by `prefix` and printed after `valuePrefix`. */
  dynamic?: DynamicKind;
  /** The part of the word being completed that candidates must start with. */
  prefix: string;
  /** Put in front of each dynamic candidate (`--topic=` when completing `--topic=or`). */
  valuePrefix: string;
  /** Flags already typed (long names, last value wins): the connection the lookup uses. */
  typedFlags: Record<string, string | true>;
}

/** Flags whose values are names a lookup can list, by flag name (any command). */
const FLAG_VALUES: Record<string, DynamicKind> = {
  context: 'context',
  topic: 'topic',
  group: 'group',
  destination: 'queue',
  queue: 'queue',
};

/** Positional arguments whose values a lookup can list, by command id. */
const ARG_VALUES: Record<string, DynamicKind> = {
  'context:use': 'context',
  'context:show': 'context',
  'context:delete': 'context',
  'topic:describe': 'topic',
  'topic:delete': 'topic',
  'topic:alter': 'topic',
  'topic:add-partitions': 'topic',
  'topic:config:get': 'topic',
  'topic:config:set': 'topic',
  'topic:config:delete': 'topic',
  'group:describe': 'group',
  'group:delete': 'group',
  'group:reset-offsets': 'group',
  'group:skip': 'group',
  'queue:describe': 'queue',
  'queue:delete': 'queue',
  'queue:purge': 'queue',
};

const startsWith = (prefix: string) => (s: string) => s.startsWith(prefix);

/**
 * Works out what to complete. `words` are the words after `mqctl`, the last one being the word under the
 * cursor (empty after a space). Bash splits `--flag=value` into `--flag`, `=`, `value`; those `=` words
 * are dropped, which turns the value into the flag's next word.
 */
export function completionRequest(
  commands: readonly CompletionCommand[],
  rawWords: readonly string[],
): CompletionRequest {
  const words = rawWords.filter((w, i) => !(w === '=' && i < rawWords.length - 1));
  const current = words.length > 0 ? words[words.length - 1]! : '';
  const before = words.slice(0, -1);
  const visible = commands.filter((c) => !c.hidden);
  const byId = new Map<string, CompletionCommand>();
  for (const c of visible) {
    byId.set(c.id, c);
    for (const alias of c.aliases ?? []) byId.set(alias, c);
  }

  // The command: the longest run of leading non-flag words naming one.
  const path: string[] = [];
  let command: CompletionCommand | undefined;
  let consumed = 0;
  for (const [i, word] of before.entries()) {
    if (word.startsWith('-')) break;
    const id = [...path, word].join(':');
    const isPrefix = visible.some((c) => c.id === id || c.id.startsWith(`${id}:`));
    if (!isPrefix) break;
    path.push(word);
    if (byId.has(id)) {
      command = byId.get(id);
      consumed = i + 1;
    }
  }
  const typedFlags: Record<string, string | true> = {};
  const positionals: string[] = [];
  const rest = command ? before.slice(consumed) : before.slice(path.length);
  const flagByName = (token: string) => flagOf(command, token);
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (word.startsWith('-') && word.length > 1) {
      const [token, inline] = word.includes('=')
        ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
        : [word, undefined];
      const flag = flagByName(token);
      if (!flag) continue;
      if (flag.type === 'boolean') typedFlags[flag.name] = true;
      else if (inline !== undefined) typedFlags[flag.name] = inline;
      else if (i + 1 < rest.length) typedFlags[flag.name] = rest[++i]!;
      continue;
    }
    positionals.push(word);
  }
  const none = (prefix = current): CompletionRequest => ({
    candidates: [],
    prefix,
    valuePrefix: '',
    typedFlags,
  });

  // A flag's value: `--topic <Tab>`, `-c <Tab>`, `--topic=<Tab>`.
  const previous = before[before.length - 1];
  let valueFlag: ReturnType<typeof flagOf>;
  let prefix = current;
  let valuePrefix = '';
  if (current.startsWith('--') && current.includes('=')) {
    valueFlag = flagByName(current.slice(0, current.indexOf('=')));
    valuePrefix = current.slice(0, current.indexOf('=') + 1);
    prefix = current.slice(valuePrefix.length);
  } else if (previous?.startsWith('-') && !previous.includes('=') && before.length > consumed) {
    const flag = flagByName(previous);
    if (flag && flag.type !== 'boolean') valueFlag = flag;
  }
  if (valueFlag) {
    if (valueFlag.options?.length) {
      return {
        ...none(prefix),
        candidates: valueFlag.options.filter(startsWith(prefix)).map((o) => valuePrefix + o),
        valuePrefix,
      };
    }
    const dynamic = FLAG_VALUES[valueFlag.name];
    return { ...none(prefix), dynamic, valuePrefix };
  }

  // A flag name.
  if (current.startsWith('-')) {
    if (!command) return none();
    const names = Object.values(command.flags)
      .filter((f) => !f.hidden)
      .map((f) => `--${f.name}`)
      .sort();
    return { ...none(), candidates: names.filter(startsWith(current)) };
  }

  // Subcommands (and topics) under what is typed so far, while no flag or argument follows the command.
  const candidates: string[] = [];
  if (rest.length === 0) {
    const level = path.length;
    const next = new Set<string>();
    for (const c of visible) {
      const parts = c.id.split(':');
      if (parts.length > level && parts.slice(0, level).join(':') === path.join(':')) next.add(parts[level]!);
    }
    candidates.push(...[...next].sort().filter(startsWith(current)));
  }
  if (!command) return { ...none(), candidates };

  // A positional argument.
  const args = Object.values(command.args);
  const index = positionals.length;
  const arg = args[index] ?? (command.strict === false ? args[args.length - 1] : undefined);
  if (arg?.options?.length) candidates.push(...arg.options.filter(startsWith(current)));
  const dynamic = arg && (index === 0 || command.strict === false) ? ARG_VALUES[command.id] : undefined;
  return { ...none(), candidates, dynamic };
}

function flagOf(
  command: CompletionCommand | undefined,
  token: string,
): CompletionCommand['flags'][string] | undefined {
  if (!command) return undefined;
  const flags = Object.values(command.flags);
  if (token.startsWith('--')) return flags.find((f) => f.name === token.slice(2));
  if (/^-[A-Za-z0-9]$/.test(token)) return flags.find((f) => f.char === token.slice(1));
  return undefined;
}

/** The final list: the fixed candidates, then the looked-up ones that match, each once. */
export function finishCandidates(request: CompletionRequest, looked: readonly string[]): string[] {
  const out = [...request.candidates];
  for (const name of looked) {
    if (name.startsWith(request.prefix)) out.push(request.valuePrefix + name);
  }
  return [...new Set(out)];
}
