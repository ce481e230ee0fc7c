import { UsageError, forFlag } from '../core/errors';
import { parseDuration, parseInstant } from '../util/duration';
import type { DlqMessage } from './types';

/**
 * The filter language shared by `dlq peek`, `stats`, `replay` and `purge` (documented in docs/dlq.md).
 *
 *   expr   := term (("and" | "or") term)*        ("and" binds tighter than "or")
 *   term   := "not" term | "(" expr ")" | field op value | field "exists"
 *   field  := key | payload | payload.<path> | $.<path> | $[i]<path> | header.<name> | error | error.class
 *             | error.message | origin | origin.partition | origin.group | reason | replays
 *             | partition | offset | time | age
 *   op     := == | = | != | ~ (contains) | !~ | =~ (regex) | > | >= | < | <=
 *   value  := "double quoted" | 'single quoted' | bareword
 *
 * Several --where flags are combined with "and".
 */

export type Predicate = (message: DlqMessage, now: number) => boolean;

export interface Filter {
  /** Human-readable form, for dry runs and summaries. */
  description: string;
  /** Canonical text, used to derive replay job ids (same filter → same job). */
  canonical: string;
  matches: Predicate;
}

type Token =
  | { type: 'word'; text: string }
  | { type: 'string'; text: string }
  | { type: 'op'; text: string }
  | { type: 'paren'; text: '(' | ')' };

const OPERATORS = ['==', '!=', '!~', '=~', '>=', '<=', '=', '~', '>', '<'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: 'paren', text: c });
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\\' && j + 1 < source.length) j++;
        text += source[j];
        j++;
      }
      if (j >= source.length) throw new UsageError(`unterminated string in filter "${source}"`);
      tokens.push({ type: 'string', text });
      i = j + 1;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (op) {
        tokens.push({ type: 'op', text: op });
        i += op.length;
        continue;
      }
      let j = i;
      while (j < source.length && !/[\s()"'=!~<>]/.test(source[j]!)) j++;
      if (j === i) throw new UsageError(`unexpected "${c}" in filter "${source}"`);
      tokens.push({ type: 'word', text: source.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

type Getter = (m: DlqMessage, now: number) => unknown;

function jsonPath(path: string): Getter {
  // `a.b[0].c`; a quoted name in brackets (`a["b c"]`) cannot reach here: quotes end a field name's token
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p.length > 0);
  const cache = new WeakMap<Buffer, unknown>();
  return (m) => {
    let doc: unknown;
    if (cache.has(m.payload)) doc = cache.get(m.payload);
    else {
      try {
        doc = JSON.parse(m.payload.toString('utf8'));
      } catch {
        doc = undefined;
      }
      cache.set(m.payload, doc);
    }
    for (const p of parts) {
      if (doc === null || typeof doc !== 'object') return undefined;
      doc = (doc as Record<string, unknown>)[p];
    }
    return doc;
  };
}

function fieldGetter(name: string): Getter {
  const lower = name.toLowerCase();
  if (lower.startsWith('header.') || lower.startsWith('h.')) {
    const header = name.slice(name.indexOf('.') + 1);
    return (m) => m.headers[header] ?? lookupCaseInsensitive(m.headers, header);
  }
  if (lower.startsWith('payload.')) return jsonPath(name.slice('payload.'.length));
  // JSONPath's root: `$.a.b` and `$[0].a` (a payload that is a JSON array)
  if (lower.startsWith('$.') || lower.startsWith('$[')) return jsonPath(name.slice(1));
  switch (lower) {
    case 'key':
      return (m) => m.key?.toString('utf8');
    case 'payload':
    case 'value':
      return (m) => m.payload.toString('utf8');
    case 'error':
    case 'error.class':
    case 'exception':
      return (m) => m.error.className;
    case 'error.message':
      return (m) => m.error.message;
    case 'error.wrapper':
      return (m) => m.error.wrapperClassName;
    case 'origin':
    case 'origin.topic':
    case 'origin.queue':
      return (m) => m.origin.topic;
    case 'origin.partition':
      return (m) => m.origin.partition;
    case 'origin.group':
      return (m) => m.origin.consumerGroup;
    case 'origin.exchange':
      return (m) => m.origin.exchange;
    case 'reason':
      return (m) => m.origin.reason;
    case 'convention':
      return (m) => m.origin.convention;
    case 'replays':
      return (m) => m.replay.count;
    case 'partition':
      return (m) => m.partition;
    case 'offset':
    case 'position':
      return (m) => m.position;
    case 'time':
      return (m) => m.timestamp;
    case 'age':
      return (m, now) => (m.timestamp === undefined ? undefined : now - m.timestamp);
    default:
      throw new UsageError(`unknown filter field "${name}"`, {
        hint: 'use key, payload, payload.<path>, header.<name>, error, error.message, origin, reason, replays, partition, offset, time or age',
      });
  }
}

function lookupCaseInsensitive(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** The right-hand side of time/age comparisons is converted once, at compile time. */
function comparisonValue(field: string, raw: string): string | number {
  const lower = field.toLowerCase();
  if (lower === 'time') return parseInstant(raw);
  if (lower === 'age') return parseDuration(raw);
  return raw;
}

function comparison(field: string, op: string, raw: string): Predicate {
  const get = fieldGetter(field);
  const expected = comparisonValue(field, raw);
  switch (op) {
    case '=':
    case '==':
    case '!=': {
      const negate = op === '!=';
      return (m, now) => {
        const actual = get(m, now);
        let equal: boolean;
        const a = asNumber(actual);
        const e = asNumber(expected);
        if (a !== undefined && e !== undefined) equal = a === e;
        else equal = asText(actual) === String(expected);
        return negate ? !equal : equal;
      };
    }
    case '~':
    case '!~': {
      const negate = op === '!~';
      const needle = String(expected).toLowerCase();
      return (m, now) => {
        const text = asText(get(m, now));
        const contains = text !== undefined && text.toLowerCase().includes(needle);
        return negate ? !contains : contains;
      };
    }
    case '=~': {
      let re: RegExp;
      try {
        re = new RegExp(String(expected));
      } catch (error) {
        throw new UsageError(`invalid regular expression /${raw}/ in filter: ${(error as Error).message}`);
      }
      return (m, now) => {
        const text = asText(get(m, now));
        return text !== undefined && re.test(text);
      };
    }
    default: {
      const e = typeof expected === 'number' ? expected : asNumber(expected);
      if (e === undefined) {
        throw new UsageError(`"${field} ${op} ${raw}" compares with a value that is not a number or time`, {
          hint: 'e.g. replays < 3, age > 1h, time >= 2026-01-01T00:00:00Z',
        });
      }
      return (m, now) => {
        const a = asNumber(get(m, now));
        if (a === undefined) return false;
        if (op === '>') return a > e;
        if (op === '>=') return a >= e;
        if (op === '<') return a < e;
        return a <= e;
      };
    }
  }
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Predicate {
    const p = this.parseOr();
    if (this.i < this.tokens.length) this.fail(`unexpected "${this.tokens[this.i]!.text}"`);
    return p;
  }

  private fail(what: string): never {
    throw new UsageError(`invalid filter "${this.source}": ${what}`, {
      hint: `e.g. --where 'header.kafka_dlt-exception-fqcn ~ Timeout and payload.amount > 100'; fields and operators: mqctl dlq peek --help`,
    });
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.type === 'word' && t.text.toLowerCase() === word;
  }

  private parseOr(): Predicate {
    let left = this.parseAnd();
    while (this.peekWord('or') || this.tokens[this.i]?.text === '||') {
      this.i++;
      const l = left;
      const r = this.parseAnd();
      left = (m, now) => l(m, now) || r(m, now);
    }
    return left;
  }

  private parseAnd(): Predicate {
    let left = this.parseNot();
    while (this.peekWord('and') || this.tokens[this.i]?.text === '&&') {
      this.i++;
      const l = left;
      const r = this.parseNot();
      left = (m, now) => l(m, now) && r(m, now);
    }
    return left;
  }

  private parseNot(): Predicate {
    if (this.peekWord('not')) {
      this.i++;
      const inner = this.parseNot();
      return (m, now) => !inner(m, now);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Predicate {
    const t = this.tokens[this.i];
    if (!t) this.fail('expression ends too early');
    if (t.type === 'paren' && t.text === '(') {
      this.i++;
      const inner = this.parseOr();
      if (this.tokens[this.i]?.text !== ')') this.fail('missing ")"');
      this.i++;
      return inner;
    }
    if (t.type !== 'word') this.fail(`expected a field name, got "${t.text}"`);
    this.i++;
    const next = this.tokens[this.i];
    if (next?.type === 'word' && next.text.toLowerCase() === 'exists') {
      this.i++;
      const get = fieldGetter(t.text);
      return (m, now) => get(m, now) !== undefined;
    }
    if (next?.type !== 'op') this.fail(`expected an operator after "${t.text}"`);
    this.i++;
    const value = this.tokens[this.i];
    if (!value || (value.type !== 'word' && value.type !== 'string'))
      this.fail(`expected a value after "${t.text} ${next.text}"`);
    this.i++;
    return comparison(t.text, next.text, value.text);
  }
}

/** Compiles one expression. Throws a UsageError (exit 2) naming the problem. */
export function compileExpression(source: string): Predicate {
  return new Parser(tokenize(source), source).parse();
}

export interface FilterOptions {
  where?: string[];
  /** Matches the error class exactly, or by simple name (`TimeoutException` matches `a.b.TimeoutException`). */
  exception?: string;
  /** Instants or durations ago (`1h`, `2026-01-01T00:00:00Z`). */
  since?: string;
  until?: string;
}

export function exceptionMatches(className: string | undefined, wanted: string): boolean {
  if (!className) return false;
  if (className === wanted) return true;
  return className.endsWith(`.${wanted}`) || className.endsWith(`$${wanted}`);
}

/** Combines --where, --exception, --since and --until into one filter (all must hold). */
export function buildFilter(options: FilterOptions, now: number = Date.now()): Filter {
  const parts: Predicate[] = [];
  const described: string[] = [];
  for (const w of options.where ?? []) {
    parts.push(forFlag('--where', () => compileExpression(w)));
    described.push(`(${w})`);
  }
  if (options.exception) {
    const wanted = options.exception;
    parts.push(
      (m) =>
        exceptionMatches(m.error.className, wanted) || exceptionMatches(m.error.wrapperClassName, wanted),
    );
    described.push(`exception is ${wanted}`);
  }
  if (options.since) {
    const since = forFlag('--since', () => parseInstant(options.since!, now));
    parts.push((m) => m.timestamp !== undefined && m.timestamp >= since);
    described.push(`time >= ${new Date(since).toISOString()}`);
  }
  if (options.until) {
    const until = forFlag('--until', () => parseInstant(options.until!, now));
    parts.push((m) => m.timestamp !== undefined && m.timestamp < until);
    described.push(`time < ${new Date(until).toISOString()}`);
  }
  const canonical = [
    ...(options.where ?? []).map((w) => `where:${w.trim()}`),
    options.exception ? `exception:${options.exception}` : '',
    options.since ? `since:${options.since}` : '',
    options.until ? `until:${options.until}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    description: described.length > 0 ? described.join(' and ') : 'all messages',
    canonical,
    matches: (m, t) => parts.every((p) => p(m, t)),
  };
}
