import { UsageError } from '../core/errors';

/** `k=v` pairs from repeated flags; a missing `=` or an empty key is a usage error. */
export function parseKeyValues(pairs: readonly string[] | undefined, flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`${flag} "${pair}" is not key=value`, {
        hint: `e.g. ${flag} retention.ms=86400000`,
      });
    }
    result[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return result;
}

/** Kafka's rule (org.apache.kafka.common.internals.Topic): [a-zA-Z0-9._-], at most 249, not "." or "..". */
export function validateKafkaTopicName(name: string): void {
  if (!name) throw new UsageError('topic name is empty');
  if (name === '.' || name === '..')
    throw new UsageError(`invalid topic name "${name}": "." and ".." are reserved`);
  if (name.length > 249) {
    throw new UsageError(
      `invalid topic name "${name.slice(0, 40)}...": ${name.length} characters, at most 249`,
    );
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new UsageError(`invalid topic name "${name}"`, {
      hint: 'Kafka topic names use only letters, digits, ".", "_" and "-"',
    });
  }
}

/** RabbitMQ queue and exchange names: up to 255 bytes of UTF-8; "amq." is reserved for the broker. */
export function validateRabbitName(name: string, what: 'queue' | 'exchange'): void {
  if (!name) throw new UsageError(`${what} name is empty`);
  if (Buffer.byteLength(name, 'utf8') > 255) {
    throw new UsageError(`invalid ${what} name "${name.slice(0, 40)}...": longer than 255 bytes`);
  }
  if (name.startsWith('amq.')) {
    throw new UsageError(`invalid ${what} name "${name}": the "amq." prefix is reserved for the broker`);
  }
}

export function validatePartitionCount(partitions: number | undefined): void {
  if (partitions === undefined) return;
  if (!Number.isInteger(partitions) || partitions <= 0) {
    throw new UsageError(`--partitions must be a whole number above 0 (got ${partitions})`);
  }
}

/** A name filter: substring by default, a regular expression with --regex (anchored by the user). */
export function nameMatcher(
  filter: string | undefined,
  regex: boolean | undefined,
): (name: string) => boolean {
  if (!filter) return () => true;
  if (!regex) return (name) => name.includes(filter);
  let re: RegExp;
  try {
    re = new RegExp(filter);
  } catch (error) {
    throw new UsageError(`invalid --regex "${filter}": ${(error as Error).message}`);
  }
  return (name) => re.test(name);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
