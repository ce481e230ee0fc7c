import type { SchemaVersion } from '../contracts/schemas';
import type { HttpJsonClient } from '../http';
import type { PulsarTopicName } from './topic-name';

/**
 * Pulsar's schema registry through the admin REST API (`/admin/v2/schemas/{tenant}/{namespace}/{topic}/...`).
 * Schemas belong to the topic name without its domain; a partitioned topic has one schema for all partitions.
 * Shared by `topic describe` (the schema line) and the schema admin.
 */

/** What GET .../schema and .../schema/{version} answer (`data` is the definition text). */
export interface RawSchema {
  version?: number;
  type?: string;
  timestamp?: number;
  data?: string;
  properties?: Record<string, string>;
}

/** `/admin/v2/schemas/tenant/namespace/topic` (append `/schema`, `/schemas`, `/compatibility`, ...). */
export function schemaBase(topic: PulsarTopicName): string {
  return `/admin/v2/schemas/${encodeURIComponent(topic.tenant)}/${encodeURIComponent(topic.namespace)}/${encodeURIComponent(topic.local)}`;
}

export function toSchemaVersion(topic: PulsarTopicName, raw: RawSchema): SchemaVersion {
  return {
    topic: topic.full,
    version: raw.version ?? 0,
    type: raw.type ?? 'NONE',
    createdAt:
      typeof raw.timestamp === 'number' && raw.timestamp > 0
        ? new Date(raw.timestamp).toISOString()
        : undefined,
    schema: raw.data ?? '',
    properties: raw.properties ?? {},
  };
}

/**
 * The topic's latest schema, or undefined when it has none (never registered, or deleted). The broker answers
 * 404 "Schema not found" both for a topic without a schema and for a topic that does not exist: callers check
 * the topic first.
 */
export async function latestSchema(
  http: HttpJsonClient,
  topic: PulsarTopicName,
): Promise<SchemaVersion | undefined> {
  const raw = await http.request<RawSchema | undefined>({
    path: `${schemaBase(topic)}/schema`,
    allow404: true,
    subject: `schema of topic "${topic.full}"`,
  });
  return raw === undefined ? undefined : toSchemaVersion(topic, raw);
}
