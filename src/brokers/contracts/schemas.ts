/**
 * Topic schemas (what `mqctl schema get|upload|delete|compat` use). Pulsar keeps them in its built-in
 * schema registry, reached through the admin REST API; Kafka's schema registries are separate servers and
 * RabbitMQ has none. Plain data, stable JSON (documented in docs/schemas.md).
 */

/** What `schema upload` and `schema compat` send: pulsar-admin's schema file, `{type, schema, properties}`. */
export interface SchemaDefinition {
  /** AVRO, JSON, PROTOBUF, STRING, ... (Pulsar's SchemaType names). */
  type: string;
  /** The definition as text: an Avro/JSON schema document for AVRO and JSON, empty for primitive types. */
  schema: string;
  properties: Record<string, string>;
}

/** One registered version of a topic's schema. */
export interface SchemaVersion {
  /** The full topic name (Pulsar: persistent://tenant/namespace/topic; Kafka: the topic as given). */
  topic: string;
  /** Kafka: the registry subject (`<topic>-value`, `<topic>-key` or --subject). */
  subject?: string;
  /** Kafka: the registry's global schema id. */
  id?: number;
  version: number;
  type: string;
  /** When the version was registered (ISO 8601), if the broker says. */
  createdAt?: string;
  schema: string;
  properties: Record<string, string>;
}

/** The compatibility strategy in force for a topic, and where it is set. */
export interface SchemaStrategy {
  /** FULL, BACKWARD, FORWARD, ALWAYS_COMPATIBLE, ... as the broker applies it. */
  strategy: string;
  /**
   * Pulsar: "topic" (topic policy), "namespace" (namespace policy) or "broker" (broker.conf default).
   * Kafka: "subject" (the subject's own config) or "registry" (the registry's global config).
   */
  source: 'topic' | 'namespace' | 'broker' | 'subject' | 'registry';
}

export interface SchemaUploadResult {
  topic: string;
  /** Kafka: the registry subject. */
  subject?: string;
  /** The version the definition is registered as (an existing one when it was already there). */
  version: number;
  /** Kafka: the registry's global schema id. */
  id?: number;
  type: string;
  /** False when the topic already had this definition (as its latest or an older version): nothing changed. */
  changed: boolean;
  /** The latest version before the upload (undefined: the topic had no schema). */
  previousVersion?: number;
}

export interface SchemaCompatResult {
  topic: string;
  /** Kafka: the registry subject. */
  subject?: string;
  compatible: boolean;
  /** The strategy the broker checked with. */
  strategy: string;
  /** The latest registered version (undefined: the topic has no schema, so anything is compatible). */
  latestVersion?: number;
  /** Why not, in the broker's words (one line), when incompatible. */
  reason?: string;
}

export interface SchemaDeleteResult {
  topic: string;
  /** Kafka: the registry subject. */
  subject?: string;
  deleted: boolean;
  /** The latest version before the delete. */
  latestVersion: number;
  /** --force: every version removed from storage, not only marked deleted. */
  force: boolean;
}

/** Where a Kafka schema lives in its registry: TopicNameStrategy unless a subject is named. */
export interface SchemaRegistryOptions {
  /** --registry-url (else MQCTL_REGISTRY_URL, else the context's schemaRegistry.url). */
  registryUrl?: string;
  /** --subject: this subject instead of `<topic>-value`. */
  subject?: string;
  /** --key: the key schema, `<topic>-key`. */
  key?: boolean;
}

/** Schemas of one broker kind (Pulsar's built-in registry, or Kafka's registry server). Missing topic or schema → exit 3. */
export interface SchemaAdmin {
  readonly kind: 'pulsar' | 'kafka';
  /**
   * Where writes go when that is not the broker connection itself (Kafka: the schema registry's URL, without
   * credentials); absent when it is the connection's own target.
   */
  readonly writeTarget?: string;
  /** The latest version, or `version` when given. */
  get(topic: string, options: { version?: number }): Promise<SchemaVersion>;
  /** Every registered version, oldest first (empty after a delete). Missing topic → exit 3. */
  versions(topic: string): Promise<{ topic: string; items: SchemaVersion[] }>;
  strategy(topic: string): Promise<SchemaStrategy>;
  /** Registers a new version; an incompatible definition is refused by the broker (exit 2, its reason). */
  upload(topic: string, definition: SchemaDefinition): Promise<SchemaUploadResult>;
  /** Asks the broker whether `definition` could be uploaded; incompatible is a result, not an error. */
  compatibility(topic: string, definition: SchemaDefinition): Promise<SchemaCompatResult>;
  /** Exit 3 when the topic or its schema does not exist (before a delete asks for confirmation). */
  requireSchema(topic: string, action?: string): Promise<SchemaVersion>;
  delete(topic: string, options: { force: boolean }): Promise<SchemaDeleteResult>;
}
