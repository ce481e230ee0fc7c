/**
 * The one redaction step (DESIGN.md §6): every error line, debug line, URL, address list, header dump and
 * result/report file passes through here before it leaves the process. Three layers, each enough on its own
 * for what it covers:
 *
 * 1. secrets the process was given (flags, environment, contexts) are registered and replaced wherever they
 *    appear, raw or percent-encoded, whatever surrounds them;
 * 2. credentials inside URLs of any scheme (`scheme://user:password@host`) and inside Kafka-style address
 *    lists (`user:password@host:port`), however many per message, whatever characters the password holds;
 * 3. values of secret-looking keys (password, saslPassword, apiKey, token, Authorization, secret, … in any
 *    spelling or case) in JSON, YAML, `key=value` text, header dumps and objects.
 *
 * Nothing here imports the rest of the project.
 */

export const MASK = '****';

const registered = new Set<string>();

/** Secrets shorter than this are not replaced as bare text (they would mask ordinary words). */
const MIN_REGISTERED_LENGTH = 4;

/**
 * Remembers a secret so that every later `redact()` replaces it, in any form it could be printed in. Values
 * shorter than 4 characters are ignored (the URL and key rules still mask them in context).
 */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < MIN_REGISTERED_LENGTH) return;
  for (const form of formsOf(secret)) if (form.length >= MIN_REGISTERED_LENGTH) registered.add(form);
}

/** Forgets every registered secret (tests). */
export function clearRegisteredSecrets(): void {
  registered.clear();
}

function formsOf(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  try {
    forms.add(decodeURIComponent(secret));
  } catch {
    // not percent-encoded
  }
  // Every character other than letters and digits percent-encoded (what some clients print).
  forms.add(
    secret.replace(/[^A-Za-z0-9]/g, (c) =>
      encodeURIComponent(c) === c
        ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
        : encodeURIComponent(c),
    ),
  );
  // How JSON.stringify would print it inside a string.
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms].filter(Boolean);
}

function replaceRegistered(text: string): string {
  if (registered.size === 0) return text;
  // Longest first, so a secret that contains another is replaced whole.
  const secrets = [...registered].sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/** `scheme://` of any URL scheme (http, https, amqp(s), pulsar(+ssl), ws(s), kafka, sasl+ssl, ...). */
const SCHEME = /[A-Za-z][A-Za-z0-9+.-]*:\/\//g;

/**
 * Masks the userinfo of every `scheme://user:password@host` in the text. The password may contain any
 * character (`/`, `@`, `:`, `%`, spaces): a URL's credentials end at the LAST `@` before the next URL or
 * the end of the line. The user name is kept; a userinfo without `:` (a token
 * as user name) is masked whole.
 */
interface Span {
  /** Where the masked part starts and ends (end exclusive). */
  start: number;
  end: number;
}

/** The credentials of every URL in the text: the password, or the whole userinfo when it has no `:`. */
function urlCredentialSpans(text: string): Span[] {
  if (!text.includes('@')) return [];
  const urls = [...text.matchAll(SCHEME)].map((m) => ({ start: m.index!, begin: m.index! + m[0].length }));
  const spans: Span[] = [];
  urls.forEach(({ begin }, i) => {
    const next = i + 1 < urls.length ? urls[i + 1]!.start : text.length;
    const newline = text.indexOf('\n', begin);
    const segmentEnd = newline === -1 || newline > next ? next : newline;
    let at = -1;
    for (let j = segmentEnd - 1; j >= begin; j--) {
      if (text[j] === '@') {
        at = j;
        break;
      }
    }
    if (at < 0) return;
    const colon = text.indexOf(':', begin);
    spans.push({ start: colon >= 0 && colon < at ? colon + 1 : begin, end: at });
  });
  return spans;
}

/**
 * Kafka-style addresses with credentials and no scheme: `user:password@host:port` (alone or in a comma
 * list). The password runs to the first `@` followed by a whole `host:port` (then a separator or the end).
 */
const ADDRESS_CREDENTIALS =
  /(^|[\s,"'(=[<])([^\s,"'@/:=<>()[\]]+):(?!\/\/)(?=\S)([^\n]*?)@(?=(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d{1,5}(?:$|[\s,;"'()[\]<>]))/gm;

function addressCredentialSpans(text: string): Span[] {
  if (!text.includes('@')) return [];
  const spans: Span[] = [];
  for (const m of text.matchAll(ADDRESS_CREDENTIALS)) {
    const start = m.index! + m[1]!.length + m[2]!.length + 1;
    spans.push({ start, end: start + m[3]!.length });
  }
  return spans;
}

function maskSpans(text: string, spans: Span[]): string {
  let out = '';
  let copied = 0;
  for (const span of [...spans].sort((x, y) => x.start - y.start)) {
    if (span.start < copied) continue;
    out += text.slice(copied, span.start) + MASK;
    copied = span.end;
  }
  return out + text.slice(copied);
}

/**
 * A key whose value is a secret: password, passwd, pwd, secret, token, apiKey, api_key, Authorization,
 * credentials, saslPassword, sasl.password, privateKey, accessKey... in any case, with `-`, `_`, `.` or
 * nothing between words. Keys that name where a secret comes from (passwordEnv, tokenFile, keyPath) or
 * what it is (tokenType) are not secrets.
 */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_.\s]/g, '');
  if (/(env|file|path|type|mechanism|length|count|expiry|expires|url|endpoint)$/.test(k)) return false;
  return /(passw(or)?d|^pwd$|pwd$|secret|token|apikey|authorization|credential|privatekey|accesskey|passphrase|sessionkey|cookie)/.test(
    k,
  );
}

/** `"key": "value"` / `'key': 'value'` (JSON and quoted YAML): the quoted value is masked. */
const QUOTED_KEY_VALUE = /(["']?)([A-Za-z_][\w.-]*)\1(\s*[:=]\s*)("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/g;
/** `Authorization: Basic abc`, `authorization=Bearer x` in header dumps: scheme and credentials masked. */
const AUTH_HEADER = /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*)(?!["'])([^\n,;}]*)/gi;
/** `key: value` (YAML, to the end of the line) and `key=value` (to the next separator). */
const BARE_KEY = /(?<=^|[\s{,;&?"'(])()([A-Za-z_][\w.-]*)(\s*:[ \t]+|=)(?![\s"'])/gm;

function redactKeyValues(text: string): string {
  let out = text.replace(QUOTED_KEY_VALUE, (m, q: string, key: string, sep: string, value: string) =>
    isSecretKey(key) ? `${q}${key}${q}${sep}${value[0]}${MASK}${value[0]}` : m,
  );
  out = out.replace(AUTH_HEADER, (_m, key: string, sep: string) => `${key}${sep}${MASK}`);
  // Keys are found one by one (a key's value may itself hold `key: value`, as in a header dump).
  const spans: Span[] = [];
  for (const m of out.matchAll(BARE_KEY)) {
    if (!isSecretKey(m[2]!)) continue;
    // `key: value` after a word and a space is prose, not YAML ("Failed to authentication token: JWT
    // expired", a broker's refusal reason): keys start a line or follow `{`, `,`, a quote or another `:`.
    // Secrets the process holds are masked in prose too (registered, layer 1).
    if (m[3] !== '=' && /[A-Za-z0-9)]\s+$/.test(out.slice(out.lastIndexOf('\n', m.index!) + 1, m.index!)))
      continue;
    const start = m.index! + m[0].length;
    if (out.startsWith(MASK, start)) continue;
    const lineEnd = out.indexOf('\n', start) === -1 ? out.length : out.indexOf('\n', start);
    const value = out.slice(start, lineEnd);
    // key=value ends at whitespace or a separator; YAML's key: value runs to the end of the line.
    const end =
      m[3] === '=' ? value.search(/[\s,;&)}\]]/) : value.search(/\s*(?:,\s*"?[\w.-]+"?\s*[:=]|}|$)/);
    spans.push({ start, end: start + (end < 0 ? value.length : end) });
  }
  return maskSpans(out, spans);
}

/** The redactor: text in, the same text with every credential masked. */
export function redact(text: string): string {
  if (!text) return text;
  let out = replaceRegistered(text);
  out = maskSpans(out, urlCredentialSpans(out));
  out = maskSpans(out, addressCredentialSpans(out));
  out = redactKeyValues(out);
  return out;
}

/** One URL (or an address list) with its credentials masked. */
export function redactUrl(text: string): string {
  return redact(text);
}

/**
 * A deep copy with the value of every secret key replaced by the mask and every string redacted. Safe on
 * cycles; Maps, Dates and class instances other than plain objects and arrays are kept as they are.
 */
export function redactValue<T>(value: T, seen = new WeakMap<object, unknown>()): T {
  if (typeof value === 'string') return redact(value) as T;
  if (!value || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value) as T;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(redactValue(v, seen));
    return out as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) {
    if (
      isSecretKey(k) &&
      v !== undefined &&
      v !== null &&
      v !== '' &&
      typeof v !== 'object' &&
      typeof v !== 'boolean'
    )
      out[k] = MASK;
    else out[k] = redactValue(v, seen);
  }
  return out as T;
}

/**
 * Registers every secret a value holds: strings under secret keys, and the passwords inside URLs (and
 * `user:password@host` addresses) anywhere in it.
 */
export function registerSecretsIn(value: unknown, seen = new WeakSet<object>()): void {
  if (typeof value === 'string') {
    for (const password of urlPasswords(value)) registerSecret(password);
    return;
  }
  if (!value || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && isSecretKey(k)) registerSecret(v);
    registerSecretsIn(v, seen);
  }
}

/** The passwords of the URLs and addresses in a text (what the URL rules would mask). */
function urlPasswords(text: string): string[] {
  const spans = [...urlCredentialSpans(text), ...addressCredentialSpans(text)];
  return spans.map((span) => text.slice(span.start, span.end));
}

/**
 * Registers the values of secret-named flags in an argv (`--password x`, `--token=x`, `--sasl-password x`),
 * so they are masked even in errors raised while parsing.
 */
export function registerSecretsInArgv(argv: readonly string[]): void {
  argv.forEach((arg, i) => {
    const m = /^--([\w-]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !isSecretKey(m[1]!)) return;
    registerSecret(m[2] ?? argv[i + 1]);
  });
  for (const arg of argv) registerSecretsIn(arg);
}
