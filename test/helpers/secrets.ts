import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The secrets tests hand to mqctl (passwords, tokens): the one list. No output mqctl produces (stdout, stderr,
 * --debug, result/report/JUnit files) may contain any of them, raw or percent-encoded. Each is unlikely to
 * appear by chance, and some hold the characters URL masking used to trip on (`/`, `@`, `:`, `%`, space).
 * A test that needs a secret takes it from here (or, when it is made at run time, adds its shape to
 * TEST_SECRET_PATTERNS), so the suite's final grep (test/zz-secrets.test.ts) looks for it.
 */
export const TEST_SECRETS = {
  /** The SASL password of the local Kafka's SASL listener (scripts/lib/kafka.sh). */
  kafkaSasl: 'mqctl-secret',
  plain: 'S3cr3t!pw',
  slashAt: 'p@ss/w:rd x%41y',
  token: 'eyJ0ZXN0IjoiYmFkaW5wdXQifQ.tok3n-S3CR3T',
  /** foundation.test.ts: a context's stored SASL password. */
  foundation: 'Sup3r-Secret-Pa55',
  /** foundation.test.ts: a wrong password for the SASL listener. */
  wrongSasl: 'wrong-password',
  /** safety.test.ts: the password in a group-readable (0644) config file. */
  groupReadable: 'Gr0up-R3adable!',
  /** schema-registry.test.ts: the registry password inside a URL. */
  registry: 'reg-Secret-42',
  /** integration/rabbitmq/tls.test.ts: a wrong password over AMQPS and HTTPS. */
  wrongTls: 'wrong-tls-password-7f3',
} as const;

/** Secrets tests make at run time, by shape. */
export const TEST_SECRET_PATTERNS: Record<string, RegExp> = {
  /** Pulsar tokens test/helpers/tls.ts pulsarToken() mints (HS256 JWTs, any key or claims). */
  pulsarToken: /eyJhbGciOiJIUzI1NiJ9\.[\w-]+\.[\w-]+/,
  /** integration/rabbitmq/errors.test.ts: `wrong-${uniqueName('pw')}`. */
  wrongRabbitPassword: /wrong-pw-[0-9a-z]+-[0-9a-f]+/,
};

/** Every form a secret could leak in: raw and percent-encoded (as it sits inside a URL). */
export function secretForms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret)])];
}

const ALL_FORMS = Object.values(TEST_SECRETS).flatMap(secretForms);

/** The test secrets (in any of their forms) found in `text`. */
export function secretsIn(text: string, secrets: readonly string[] = ALL_FORMS): string[] {
  const found = secrets.filter((s) => text.includes(s));
  if (secrets === ALL_FORMS)
    for (const pattern of Object.values(TEST_SECRET_PATTERNS)) found.push(...(text.match(pattern) ?? []));
  return found;
}

/** Names (never values) of the test secrets in `text`, for a failure message that does not leak them. */
export function secretNamesIn(text: string): string[] {
  const names: string[] = [];
  for (const [name, secret] of Object.entries(TEST_SECRETS)) {
    if (text.includes(secret)) names.push(name);
    else if (text.includes(encodeURIComponent(secret))) names.push(`${name} (percent-encoded)`);
  }
  for (const [name, pattern] of Object.entries(TEST_SECRET_PATTERNS))
    if (pattern.test(text)) names.push(name);
  return names;
}

/** What the suite's secret grep read, and where it found a test secret. */
export interface OutputScan {
  /** recorded CLI runs (test/helpers/cli.ts recordRun), from `outputs-*.jsonl` files */
  runs: number;
  /** runs that used --debug */
  debugRuns: number;
  /** files those runs wrote (results, reports, JUnit, summaries, histograms, exports) */
  files: number;
  /** files found under the other directories scanned (what tests left in $TMPDIR) */
  looseFiles: number;
  hits: string[];
}

/** Replaces the test secrets in `text` with their names (`<plain>`): for where a hit is reported. */
function masked(text: string): string {
  let out = text;
  for (const [name, secret] of Object.entries(TEST_SECRETS))
    for (const form of secretForms(secret)) out = out.split(form).join(`<${name}>`);
  for (const [name, pattern] of Object.entries(TEST_SECRET_PATTERNS))
    out = out.replace(new RegExp(pattern.source, 'g'), `<${name}>`);
  return out;
}

function filesUnder(dir: string, skip: string): string[] {
  const out: string[] = [];
  if (resolve(dir) === resolve(skip)) return out;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    try {
      const stat = statSync(path);
      if (stat.isDirectory()) out.push(...filesUnder(path, skip));
      else if (stat.isFile() && stat.size < 32 * 1024 * 1024) out.push(path);
    } catch {
      // gone since the listing
    }
  }
  return out;
}

/**
 * Greps every run recorded in `outputDir` (stdout, stderr, the files each wrote; never its arguments, which
 * hold the secrets on purpose) and every file under `looseDirs` (except `outputDir`) for the test secrets.
 */
export function scanOutputs(outputDir: string, looseDirs: string[] = []): OutputScan {
  const scan: OutputScan = { runs: 0, debugRuns: 0, files: 0, looseFiles: 0, hits: [] };
  const logs = existsSync(outputDir)
    ? readdirSync(outputDir).filter((f) => /^outputs-.*\.jsonl$/.test(f))
    : [];
  for (const log of logs.sort()) {
    const lines = readFileSync(join(outputDir, log), 'utf8').split('\n').filter(Boolean);
    lines.forEach((line, i) => {
      const run = JSON.parse(line) as {
        args: string[];
        stdout: string;
        stderr: string;
        files: Record<string, string>;
      };
      scan.runs++;
      if (run.args.includes('--debug')) scan.debugRuns++;
      const where = `${log} run ${i + 1} (mqctl ${masked(run.args.join(' ')).slice(0, 200)})`;
      for (const [stream, text] of [
        ['stdout', run.stdout],
        ['stderr', run.stderr],
      ] as const) {
        for (const name of secretNamesIn(text)) scan.hits.push(`${name} in ${stream} of ${where}`);
      }
      for (const [path, text] of Object.entries(run.files)) {
        scan.files++;
        for (const name of secretNamesIn(text)) scan.hits.push(`${name} in file ${path} written by ${where}`);
      }
    });
  }
  for (const dir of looseDirs) {
    for (const path of filesUnder(dir, outputDir)) {
      scan.looseFiles++;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      for (const name of secretNamesIn(text)) scan.hits.push(`${name} in ${path}`);
    }
  }
  return scan;
}
