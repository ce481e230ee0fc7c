import { UsageError } from '../../core/errors';
import type { HttpJsonClient } from '../http';
import { sleep } from '../../util/timeout';
import { mapLimit } from '../../topics/validate';
import type { ConfigChangeResult, ConfigEntry } from '../contracts/topics';
import type { PulsarTopicName } from './topic-name';

/**
 * The topic-level policies mqctl exposes as `config` keys. Each maps to one admin REST sub-resource
 * (`.../{topic}/{path}`); the two retention keys share one policy object.
 */
interface PolicyKey {
  key: string;
  path: string;
  type: 'int' | 'bool';
  describe: string;
}
export const PULSAR_CONFIG_KEYS: PolicyKey[] = [
  { key: 'message-ttl-seconds', path: 'messageTTL', type: 'int', describe: 'message time to live' },
  {
    key: 'retention-time-minutes',
    path: 'retention',
    type: 'int',
    describe: 'retention time (-1 = forever)',
  },
  { key: 'retention-size-mb', path: 'retention', type: 'int', describe: 'retention size (-1 = unlimited)' },
  { key: 'max-producers', path: 'maxProducers', type: 'int', describe: 'producers per topic' },
  { key: 'max-consumers', path: 'maxConsumers', type: 'int', describe: 'consumers per topic' },
  {
    key: 'max-unacked-messages-per-consumer',
    path: 'maxUnackedMessagesOnConsumer',
    type: 'int',
    describe: 'unacked messages per consumer',
  },
  { key: 'deduplication-enabled', path: 'deduplicationEnabled', type: 'bool', describe: 'broker-side dedup' },
];

interface RawRetention {
  retentionTimeInMinutes?: number;
  retentionSizeInMB?: number;
}

/**
 * Topic-level policies through the admin REST API: `mqctl topic config get|set|delete` and the configs
 * of `topic create`/`describe` on Pulsar.
 */
export class PulsarTopicPolicies {
  constructor(
    private readonly http: HttpJsonClient,
    private readonly timeoutMs: number,
  ) {}

  private base(topic: PulsarTopicName): string {
    return `/admin/v2/${topic.restPath}`;
  }

  /** Topic-level values (source "topic") and, where none is set, the applied namespace/broker value. */
  async read(topic: PulsarTopicName): Promise<ConfigEntry[]> {
    const paths = [...new Set(PULSAR_CONFIG_KEYS.map((k) => k.path))];
    const values = await mapLimit(paths, 4, async (path) => {
      const [own, applied] = await Promise.all([
        this.http.request<unknown>({ path: `${this.base(topic)}/${path}`, allow404: true }),
        this.http.request<unknown>({
          path: `${this.base(topic)}/${path}`,
          query: { applied: true },
          allow404: true,
        }),
      ]);
      return [path, { own, applied }] as const;
    });
    const byPath = new Map(values);
    return PULSAR_CONFIG_KEYS.map((k) => {
      const { own, applied } = byPath.get(k.path) ?? {};
      const ownValue = policyField(k, own);
      const appliedValue = policyField(k, applied);
      const isDefault = ownValue === undefined;
      return {
        name: k.key,
        value: (isDefault ? appliedValue : ownValue) ?? null,
        source: isDefault ? 'namespace-or-broker' : 'topic',
        isDefault,
        sensitive: false,
      };
    });
  }

  /**
   * Topic policies are stored in a system topic and applied asynchronously, so a read right after a write
   * can still see the old value: wait (bounded by --timeout) until the reads agree with what was written.
   */
  async changeResult(
    topic: PulsarTopicName,
    set: Record<string, string>,
    deleted: string[],
    dryRun: boolean,
  ): Promise<ConfigChangeResult> {
    const deadline = Date.now() + this.timeoutMs;
    let configs = await this.read(topic);
    const settled = () =>
      dryRun ||
      (Object.entries(set).every(
        ([k, v]) => configs.find((c) => c.name === k && !c.isDefault)?.value === normalise(v),
      ) &&
        deleted.every((k) => configs.find((c) => c.name === k)?.isDefault !== false));
    while (!settled() && Date.now() < deadline) {
      await sleep(200);
      configs = await this.read(topic);
    }
    return { name: topic.full, dryRun, set, deleted, configs: configs.filter((c) => !c.isDefault) };
  }

  async apply(
    topic: PulsarTopicName,
    values: Record<string, number | boolean>,
    remove: string[],
  ): Promise<void> {
    const subject = `topic "${topic.full}"`;
    const retentionKeys = ['retention-time-minutes', 'retention-size-mb'];
    const retentionSet = retentionKeys.some((k) => k in values);
    for (const [key, value] of Object.entries(values)) {
      if (retentionKeys.includes(key)) continue;
      const spec = PULSAR_CONFIG_KEYS.find((k) => k.key === key)!;
      await this.http.request({
        method: 'POST',
        path: `${this.base(topic)}/${spec.path}`,
        // messageTTL takes a query parameter; the other policies take the value as the JSON body.
        ...(spec.path === 'messageTTL' ? { query: { messageTTL: Number(value) } } : { body: value }),
        subject,
      });
    }
    if (retentionSet) {
      const current = await this.http.request<RawRetention>({
        path: `${this.base(topic)}/retention`,
        query: { applied: true },
        subject,
      });
      const body = {
        retentionTimeInMinutes: retentionPart(
          values['retention-time-minutes'],
          current?.retentionTimeInMinutes,
          values['retention-size-mb'],
        ),
        retentionSizeInMB: retentionPart(
          values['retention-size-mb'],
          current?.retentionSizeInMB,
          values['retention-time-minutes'],
        ),
      };
      await this.http.request({ method: 'POST', path: `${this.base(topic)}/retention`, body, subject });
    }
    // Deleting a key removes the topic-level policy, so the namespace (or broker) value applies again.
    // Both retention keys live in one policy: removing either removes the topic's retention override.
    const paths = new Set(remove.map((k) => PULSAR_CONFIG_KEYS.find((s) => s.key === k)!.path));
    for (const path of paths) {
      await this.http.request({ method: 'DELETE', path: `${this.base(topic)}/${path}`, subject });
    }
  }
}

/**
 * One half of a retention policy. Pulsar refuses a 0 next to a non-zero limit, so a half the user did not
 * give keeps its current value when that is a real limit, and otherwise becomes -1 ("no limit").
 */
function retentionPart(
  given: number | boolean | undefined,
  current: number | undefined,
  other: number | boolean | undefined,
): number {
  if (typeof given === 'number') return given;
  if (current !== undefined && current !== 0) return current;
  return other === 0 ? 0 : -1;
}

function policyField(key: PolicyKey, raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (key.path === 'retention') {
    const r = raw as RawRetention;
    const v = key.key === 'retention-time-minutes' ? r.retentionTimeInMinutes : r.retentionSizeInMB;
    return v === undefined ? undefined : String(v);
  }
  return String(raw);
}

function normalise(value: string): string {
  return /^(true|false)$/i.test(value) ? value.toLowerCase() : String(Number(value));
}

export function checkKnownKeys(keys: string[]): void {
  const unknown = keys.filter((k) => !PULSAR_CONFIG_KEYS.some((s) => s.key === k));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown Pulsar topic config key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      {
        hint: `known keys: ${PULSAR_CONFIG_KEYS.map((k) => k.key).join(', ')}`,
      },
    );
  }
}

/** Checks keys and value types before anything is sent, so a bad value leaves the topic unchanged. */
export function validatePolicyValues(values: Record<string, string>): Record<string, number | boolean> {
  checkKnownKeys(Object.keys(values));
  const parsed: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(values)) {
    const spec = PULSAR_CONFIG_KEYS.find((k) => k.key === key)!;
    if (spec.type === 'bool') {
      if (!/^(true|false)$/i.test(value))
        throw new UsageError(`${key} must be true or false (got "${value}")`);
      parsed[key] = value.toLowerCase() === 'true';
    } else {
      if (!/^-?\d+$/.test(value.trim()))
        throw new UsageError(`${key} must be a whole number (got "${value}")`);
      const n = Number(value);
      if (n < -1) throw new UsageError(`${key} must be -1 or more (got ${n})`);
      parsed[key] = n;
    }
  }
  return parsed;
}
