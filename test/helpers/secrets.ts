/**
 * The secrets tests hand to mqctl (passwords, tokens). No output mqctl produces (stdout, stderr, --debug,
 * result/report/JUnit files) may contain any of them, raw or percent-encoded. Each is unlikely to appear
 * by chance, and some hold the characters URL masking used to trip on (`/`, `@`, `:`, `%`, space).
 */
export const TEST_SECRETS = {
  /** The SASL password of the local Kafka's SASL listener (scripts/lib/kafka.sh). */
  kafkaSasl: 'mqctl-secret',
  plain: 'S3cr3t!pw',
  slashAt: 'p@ss/w:rd x%41y',
  token: 'eyJ0ZXN0IjoiYmFkaW5wdXQifQ.tok3n-S3CR3T',
  foundation: 'Sup3r-Secret-Pa55',
} as const;

/** Every form a secret could leak in: raw and percent-encoded (as it sits inside a URL). */
export function secretForms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret)])];
}

const ALL_FORMS = Object.values(TEST_SECRETS).flatMap(secretForms);

/** The test secrets (in any of their forms) found in `text`. */
export function secretsIn(text: string, secrets: readonly string[] = ALL_FORMS): string[] {
  return secrets.filter((s) => text.includes(s));
}
