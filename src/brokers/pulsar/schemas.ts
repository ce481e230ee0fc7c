import { MqctlError, NotFoundError, UsageError } from '../../core/errors';
import type {
  SchemaAdmin,
  SchemaCompatResult,
  SchemaDefinition,
  SchemaDeleteResult,
  SchemaStrategy,
  SchemaUploadResult,
  SchemaVersion,
} from '../contracts/schemas';
import { extractReason, HttpError } from '../http';
import type { PulsarConnection } from './connection';
import { latestSchema, schemaBase, toSchemaVersion, type RawSchema } from './schema-registry';
import { refuseSystemTopic, type PulsarTopicName } from './topic-name';
import { PulsarTopicAdmin } from './topics';

/**
 * Pulsar's built-in schema registry through the admin REST API, as pulsar-admin's `schemas` commands use it:
 * GET/POST/DELETE .../schema, GET .../schema/{version}, GET .../schemas, POST .../compatibility, and the
 * compatibility strategy from the topic and namespace policies.
 */
export class PulsarSchemaAdmin implements SchemaAdmin {
  readonly kind = 'pulsar' as const;
  private readonly topics: PulsarTopicAdmin;

  constructor(private readonly connection: PulsarConnection) {
    this.topics = new PulsarTopicAdmin(connection);
  }

  private get http() {
    return this.connection.admin;
  }

  private get cluster(): string {
    return this.connection.settings.adminUrl;
  }

  /**
   * The topic's parsed name, once it is known to exist (exit 3 otherwise). With `action`, a system topic is
   * refused first (exit 2), whether it exists or not.
   */
  private async existing(name: string, action?: string): Promise<PulsarTopicName> {
    const topic = this.topics.parse(name);
    if (action) refuseSystemTopic(action, topic);
    await this.topics.partitionCount(name);
    return topic;
  }

  private noSchema(topic: PulsarTopicName): NotFoundError {
    return new NotFoundError(`topic "${topic.full}" has no schema on Pulsar at ${this.cluster}`, {
      hint: `register one with \`mqctl schema upload ${topic.full} -f schema.json\``,
    });
  }

  async get(name: string, options: { version?: number }): Promise<SchemaVersion> {
    const topic = await this.existing(name);
    if (options.version === undefined) {
      const latest = await latestSchema(this.http, topic);
      if (!latest) throw this.noSchema(topic);
      return latest;
    }
    const raw = await this.http.request<RawSchema | undefined>({
      path: `${schemaBase(topic)}/schema/${options.version}`,
      allow404: true,
      subject: `schema of topic "${topic.full}"`,
    });
    if (raw === undefined) {
      throw new NotFoundError(
        `topic "${topic.full}" has no schema version ${options.version} on Pulsar at ${this.cluster}`,
        { hint: `list its versions with \`mqctl schema get ${topic.full} --all-versions\`` },
      );
    }
    return toSchemaVersion(topic, raw);
  }

  async versions(name: string): Promise<{ topic: string; items: SchemaVersion[] }> {
    const topic = await this.existing(name);
    const all = await this.http.request<{ getSchemaResponses?: RawSchema[] }>({
      path: `${schemaBase(topic)}/schemas`,
      subject: `schema of topic "${topic.full}"`,
    });
    const items = (all?.getSchemaResponses ?? [])
      .map((raw) => toSchemaVersion(topic, raw))
      .sort((a, b) => a.version - b.version);
    return { topic: topic.full, items };
  }

  /**
   * The strategy the broker applies (the topic policy's `applied` view) and where it comes from: the topic's
   * own policy, else the namespace's (UNDEFINED when unset), else the broker default.
   */
  async strategy(name: string): Promise<SchemaStrategy> {
    const topic = await this.existing(name);
    const policy = `/admin/v2/${topic.restPath}/schemaCompatibilityStrategy`;
    const namespacePath = `/admin/v2/namespaces/${encodeURIComponent(topic.tenant)}/${encodeURIComponent(topic.namespace)}/schemaCompatibilityStrategy`;
    const subject = `topic "${topic.full}"`;
    // Brokers with topic-level policies turned off (topicLevelPoliciesEnabled=false) answer 405 for the topic
    // policy: then only the namespace and broker levels exist.
    const topicPolicy = (query?: { applied: boolean }) =>
      this.http.request<string | undefined>({ path: policy, query, subject }).catch((error: unknown) => {
        if (error instanceof HttpError && error.status === 405) return undefined;
        throw error;
      });
    const [own, applied, namespace] = await Promise.all([
      topicPolicy(),
      topicPolicy({ applied: true }),
      this.http.request<string | undefined>({ path: namespacePath, subject }),
    ]);
    const set = (value: string | undefined) =>
      typeof value === 'string' && value !== '' && value !== 'UNDEFINED' ? value : undefined;
    const source = set(own) ? 'topic' : set(namespace) ? 'namespace' : 'broker';
    return { strategy: set(applied) ?? set(own) ?? set(namespace) ?? 'UNDEFINED', source };
  }

  async upload(name: string, definition: SchemaDefinition): Promise<SchemaUploadResult> {
    const topic = await this.existing(name, 'upload a schema to topic');
    const before = await latestSchema(this.http, topic);
    let answer: { version?: { version?: number } | number } | undefined;
    try {
      answer = await this.http.request({
        method: 'POST',
        path: `${schemaBase(topic)}/schema`,
        body: definition,
        subject: `schema of topic "${topic.full}"`,
      });
    } catch (error) {
      throw await this.uploadError(error, name, topic, definition, before);
    }
    // Pulsar 4.2 answers {"version": {"version": N}} (a SchemaVersion object); a bare number is taken too.
    const raw = answer?.version;
    const version = typeof raw === 'number' ? raw : raw?.version;
    if (typeof version !== 'number') {
      throw new MqctlError(
        `schema of topic "${topic.full}": the broker accepted the upload but did not say which version it is`,
        1,
        { hint: `check with \`mqctl schema get ${topic.full}\`` },
      );
    }
    return {
      topic: topic.full,
      version,
      type: definition.type,
      // A definition the topic already has (at any version) is not registered again: the broker answers
      // that version, which is then not above the latest.
      changed: before === undefined || version > before.version,
      previousVersion: before?.version,
    };
  }

  private async uploadError(
    error: unknown,
    name: string,
    topic: PulsarTopicName,
    definition: SchemaDefinition,
    before: SchemaVersion | undefined,
  ): Promise<unknown> {
    if (!(error instanceof HttpError)) return error;
    const incompatible = incompatibility(error);
    if (incompatible === undefined) return refusedDefinition(error, topic, definition) ?? error;
    const { strategy } = await this.strategy(name);
    return new UsageError(
      `schema refused: not compatible with version ${before?.version ?? '?'} of topic "${topic.full}" under strategy ${strategy} (${incompatible})`,
      {
        hint: "nothing changed; change the definition, or the topic's or namespace's compatibility strategy",
      },
    );
  }

  async compatibility(name: string, definition: SchemaDefinition): Promise<SchemaCompatResult> {
    const topic = await this.existing(name);
    const latest = await latestSchema(this.http, topic);
    try {
      const answer = await this.http.request<{
        compatibility?: boolean;
        schemaCompatibilityStrategy?: string;
      }>({
        method: 'POST',
        path: `${schemaBase(topic)}/compatibility`,
        body: definition,
        subject: `schema of topic "${topic.full}"`,
      });
      return {
        topic: topic.full,
        compatible: answer?.compatibility === true,
        strategy: answer?.schemaCompatibilityStrategy ?? (await this.strategy(name)).strategy,
        latestVersion: latest?.version,
        reason: answer?.compatibility === true ? undefined : 'the broker answered not compatible',
      };
    } catch (error) {
      // An incompatible definition is not an answer {compatibility: false}: the broker throws
      // IncompatibleSchemaException, which the admin API turns into HTTP 409 or 500.
      if (!(error instanceof HttpError)) throw error;
      const reason = incompatibility(error);
      if (reason === undefined) throw refusedDefinition(error, topic, definition) ?? error;
      return {
        topic: topic.full,
        compatible: false,
        strategy: (await this.strategy(name)).strategy,
        latestVersion: latest?.version,
        reason,
      };
    }
  }

  async requireSchema(name: string, action?: string): Promise<SchemaVersion> {
    const topic = await this.existing(name, action);
    const latest = await latestSchema(this.http, topic);
    if (!latest) throw this.noSchema(topic);
    return latest;
  }

  async delete(name: string, options: { force: boolean }): Promise<SchemaDeleteResult> {
    const latest = await this.requireSchema(name, 'delete the schema of topic');
    const topic = this.topics.parse(name);
    await this.http.request({
      method: 'DELETE',
      path: `${schemaBase(topic)}/schema`,
      query: { force: options.force || undefined },
      subject: `schema of topic "${topic.full}"`,
    });
    return { topic: topic.full, deleted: true, latestVersion: latest.version, force: options.force };
  }
}

/**
 * A definition the broker cannot take at all (an unknown type, an invalid Avro/JSON/Protobuf definition) as a
 * usage error (exit 2) in the broker's words; undefined for any other error. Pulsar answers 422, or 500 for
 * some of them (an unknown type, an invalid definition on the compatibility check).
 */
function refusedDefinition(
  error: HttpError,
  topic: PulsarTopicName,
  definition: SchemaDefinition,
): UsageError | undefined {
  const reason = extractReason(error.body);
  const unknownType = /No enum constant .*SchemaType\.([A-Za-z0-9_]+)/.exec(reason)?.[1];
  if (unknownType !== undefined) {
    return new UsageError(`unknown schema type "${unknownType}"`, {
      hint: 'use a Pulsar schema type: AVRO, JSON, PROTOBUF, PROTOBUF_NATIVE, KEY_VALUE, STRING, BYTES, BOOLEAN, INT8..INT64, FLOAT, DOUBLE, ...',
    });
  }
  if (error.status === 422 || error.status === 400 || /^Invalid schema definition/i.test(reason)) {
    return new UsageError(`schema refused for topic "${topic.full}": ${reason || `HTTP ${error.status}`}`, {
      hint: `check the ${definition.type} definition in the file`,
    });
  }
  return undefined;
}

/**
 * The broker's reason when it refused a definition as incompatible (IncompatibleSchemaException), on one
 * line, without Java class names or the strategy (callers name it); undefined for any other error. Avro's
 * "Unable to read schema" gets a gloss: the broker prints both schemas after it, which is too long for a line.
 */
export function incompatibility(error: HttpError): string | undefined {
  if (!/IncompatibleSchemaException|Incompatible schema|compatibility check/i.test(error.body))
    return undefined;
  const reason = extractReason(error.body)
    .replace(/\b(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error): /g, '')
    .replace(/^Error during schema compatibility check with strategy \w+: /, '')
    .replace(/[:\s]+$/, '')
    .replace(
      /^Unable to read schema$/,
      'Unable to read schema (Avro: data written with one of the two schemas cannot be read with the other)',
    );
  return reason || `HTTP ${error.status}`;
}
