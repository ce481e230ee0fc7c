import { readFileSync } from 'node:fs';
import { MqctlError, NotFoundError, UnavailableError, UsageError } from '../../core/errors';
import { registerSecret } from '../../core/redact';
import type {
  SchemaAdmin,
  SchemaCompatResult,
  SchemaDefinition,
  SchemaDeleteResult,
  SchemaRegistryOptions,
  SchemaStrategy,
  SchemaUploadResult,
  SchemaVersion,
} from '../contracts/schemas';
import { basicAuth, extractReason, HttpError, HttpJsonClient } from '../http';
import { tlsOptions } from '../tls';
import type { KafkaConnection } from './connection';

/**
 * Kafka topic schemas in a Confluent-compatible schema registry (Confluent Schema Registry, Karapace, Apicurio's
 * `/apis/ccompat/v7`), through its REST API: subjects, versions, compatibility checks and config. The subject
 * of a topic follows TopicNameStrategy (`<topic>-value`, `<topic>-key`) unless one is named.
 */

/** Schema types a Confluent-compatible registry takes (`schemaType`; absent means AVRO). */
const REGISTRY_TYPES = ['AVRO', 'JSON', 'PROTOBUF'];

const URL_HINT =
  'name the registry with --registry-url, MQCTL_REGISTRY_URL or the context field schemaRegistry.url';

/** What GET /subjects/{subject}/versions/{version} answers (registries may add fields, e.g. references). */
interface RawRegistrySchema {
  subject?: string;
  id?: number;
  version?: number;
  schemaType?: string;
  schema?: string;
}

/** The registry URL and credentials: --registry-url > MQCTL_REGISTRY_URL > the context's schemaRegistry. */
export function registryClient(
  connection: KafkaConnection,
  options: SchemaRegistryOptions,
  env: NodeJS.ProcessEnv = process.env,
): HttpJsonClient {
  const settings = connection.settings.schemaRegistry;
  const raw = options.registryUrl ?? env.MQCTL_REGISTRY_URL ?? settings?.url;
  if (!raw) {
    throw new UsageError(
      `Kafka (${connection.target}) keeps schemas in a separate registry server, and none is named`,
      { hint: URL_HINT },
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`schema registry URL is not a URL: ${raw}`, { hint: 'e.g. http://127.0.0.1:8081' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`schema registry URL must be http:// or https://, not ${url.protocol}//`, {
      hint: 'e.g. http://127.0.0.1:8081',
    });
  }
  let username = settings?.username ?? env.MQCTL_REGISTRY_USERNAME;
  let password = settings?.password ?? (settings?.passwordEnv ? env[settings.passwordEnv] : undefined);
  if (password === undefined && settings?.passwordFile) {
    try {
      password = readFileSync(settings.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new UsageError(
        `cannot read the schema registry password file ${settings.passwordFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  password ??= env.MQCTL_REGISTRY_PASSWORD;
  if (url.username) {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  }
  registerSecret(password);
  url.username = '';
  url.password = '';
  const tls =
    url.protocol === 'https:'
      ? tlsOptions({ ...(settings?.tls ?? connection.settings.tls), enabled: true })
      : undefined;
  return new HttpJsonClient({
    baseUrl: url.toString().replace(/\/$/, ''),
    timeoutMs: connection.timeoutMs,
    authorization: username !== undefined ? basicAuth(username, password ?? '') : undefined,
    service: 'schema registry',
    tls,
  });
}

export class KafkaSchemaRegistryAdmin implements SchemaAdmin {
  readonly kind = 'kafka' as const;
  private readonly http: HttpJsonClient;
  readonly writeTarget: string;

  constructor(
    connection: KafkaConnection,
    private readonly options: SchemaRegistryOptions,
  ) {
    this.http = registryClient(connection, options);
    this.writeTarget = `schema registry ${this.http.baseUrl} (Kafka ${connection.target})`;
    connection.onClose(() => this.http.close());
  }

  private subjectOf(topic: string): string {
    if (this.options.subject) return this.options.subject;
    return `${topic}-${this.options.key ? 'key' : 'value'}`;
  }

  private subjectPath(subject: string): string {
    return `/subjects/${encodeURIComponent(subject)}`;
  }

  /** Every call goes through here: an unreachable registry gets a hint that names where its URL comes from. */
  private async call<T>(req: Parameters<HttpJsonClient['request']>[0]): Promise<T> {
    try {
      return await this.http.request<T>(req);
    } catch (error) {
      if (error instanceof UnavailableError && !(error instanceof HttpError)) {
        throw new UnavailableError(error.message, {
          hint: `is the schema registry running at ${this.http.baseUrl}? ${URL_HINT}`,
        });
      }
      throw error;
    }
  }

  private noSubject(topic: string, subject: string): NotFoundError {
    return new NotFoundError(
      `subject "${subject}" (topic "${topic}") has no schema in the schema registry at ${this.http.baseUrl}`,
      {
        hint: `register one with \`mqctl schema upload ${topic} --kind kafka -f schema.json\`, or name the subject with --subject`,
      },
    );
  }

  private toVersion(topic: string, raw: RawRegistrySchema, subject: string): SchemaVersion {
    return {
      topic,
      subject: raw.subject ?? subject,
      id: raw.id,
      version: raw.version ?? 0,
      type: raw.schemaType ?? 'AVRO',
      schema: raw.schema ?? '',
      properties: {},
    };
  }

  private async latest(topic: string, subject: string): Promise<SchemaVersion | undefined> {
    const raw = await this.call<RawRegistrySchema | undefined>({
      path: `${this.subjectPath(subject)}/versions/latest`,
      allow404: true,
      subject: `subject "${subject}"`,
    });
    return raw === undefined ? undefined : this.toVersion(topic, raw, subject);
  }

  async get(topic: string, options: { version?: number }): Promise<SchemaVersion> {
    const subject = this.subjectOf(topic);
    if (options.version === undefined) {
      const latest = await this.latest(topic, subject);
      if (!latest) throw this.noSubject(topic, subject);
      return latest;
    }
    const raw = await this.call<RawRegistrySchema | undefined>({
      path: `${this.subjectPath(subject)}/versions/${options.version}`,
      allow404: true,
      subject: `subject "${subject}"`,
    });
    if (raw === undefined) {
      // 404 for a missing subject and for a missing version: say which.
      if (!(await this.latest(topic, subject))) throw this.noSubject(topic, subject);
      throw new NotFoundError(
        `subject "${subject}" has no schema version ${options.version} in the schema registry at ${this.http.baseUrl}`,
        { hint: `list its versions with \`mqctl schema get ${topic} --kind kafka --all-versions\`` },
      );
    }
    return this.toVersion(topic, raw, subject);
  }

  async versions(topic: string): Promise<{ topic: string; subject: string; items: SchemaVersion[] }> {
    const subject = this.subjectOf(topic);
    const numbers = await this.call<number[] | undefined>({
      path: `${this.subjectPath(subject)}/versions`,
      allow404: true,
      subject: `subject "${subject}"`,
    });
    if (numbers === undefined) throw this.noSubject(topic, subject);
    const items = await Promise.all(
      [...numbers].sort((a, b) => a - b).map((version) => this.get(topic, { version })),
    );
    return { topic, subject, items };
  }

  /** The subject's own compatibility level if set, else the registry's global one. */
  async strategy(topic: string): Promise<SchemaStrategy> {
    const subject = this.subjectOf(topic);
    type Config = { compatibilityLevel?: string; compatibility?: string };
    const level = (c: Config | undefined) => c?.compatibilityLevel ?? c?.compatibility;
    const own = await this.call<Config | undefined>({
      path: `/config/${encodeURIComponent(subject)}`,
      allow404: true,
      subject: `config of subject "${subject}"`,
    });
    if (level(own)) return { strategy: level(own) as string, source: 'subject' };
    const global = await this.call<Config | undefined>({ path: '/config', subject: 'registry config' });
    return { strategy: level(global) ?? 'UNDEFINED', source: 'registry' };
  }

  private body(definition: SchemaDefinition): { schema: string; schemaType?: string } {
    if (!REGISTRY_TYPES.includes(definition.type)) {
      throw new UsageError(`schema type ${definition.type} is not one a Kafka schema registry takes`, {
        hint: 'use AVRO, JSON (a JSON Schema document) or PROTOBUF',
      });
    }
    if (definition.schema === '') {
      throw new UsageError('the schema file has an empty "schema": a registry needs a definition');
    }
    // AVRO is the registry's default type; older registries refuse an explicit schemaType.
    return definition.type === 'AVRO'
      ? { schema: definition.schema }
      : { schema: definition.schema, schemaType: definition.type };
  }

  async upload(topic: string, definition: SchemaDefinition): Promise<SchemaUploadResult> {
    const subject = this.subjectOf(topic);
    const body = this.body(definition);
    const before = await this.latest(topic, subject);
    let answer: { id?: number } | undefined;
    try {
      answer = await this.call({
        method: 'POST',
        path: `${this.subjectPath(subject)}/versions`,
        body,
        subject: `subject "${subject}"`,
      });
    } catch (error) {
      throw await this.uploadError(error, topic, subject, before);
    }
    // The registry answers only the global id; the version comes from looking the definition up.
    const found = await this.call<RawRegistrySchema | undefined>({
      method: 'POST',
      path: this.subjectPath(subject),
      body,
      allow404: true,
      subject: `subject "${subject}"`,
    });
    if (typeof found?.version !== 'number') {
      throw new MqctlError(
        `subject "${subject}": the registry accepted the upload but did not say which version it is`,
        1,
        { hint: `check with \`mqctl schema get ${topic} --kind kafka\`` },
      );
    }
    return {
      topic,
      subject,
      version: found.version,
      id: answer?.id ?? found.id,
      type: definition.type,
      changed: before === undefined || found.version > before.version,
      previousVersion: before?.version,
    };
  }

  private async uploadError(
    error: unknown,
    topic: string,
    subject: string,
    before: SchemaVersion | undefined,
  ): Promise<unknown> {
    if (!(error instanceof HttpError)) return error;
    if (error.status === 409) {
      const { strategy } = await this.strategy(topic);
      return new UsageError(
        `schema refused: not compatible with version ${before?.version ?? '?'} of subject "${subject}" under compatibility ${strategy} (${registryReason(error)})`,
        { hint: "nothing changed; change the definition, or the subject's compatibility level" },
      );
    }
    if (error.status === 422 || error.status === 400) {
      return new UsageError(
        `schema refused for subject "${subject}": ${extractReason(error.body) || `HTTP ${error.status}`}`,
        { hint: 'check the definition in the file' },
      );
    }
    return error;
  }

  async compatibility(topic: string, definition: SchemaDefinition): Promise<SchemaCompatResult> {
    const subject = this.subjectOf(topic);
    const body = this.body(definition);
    const [latest, { strategy }] = await Promise.all([this.latest(topic, subject), this.strategy(topic)]);
    // A subject without a schema accepts any definition (the registry answers 404 there).
    if (!latest) return { topic, subject, compatible: true, strategy };
    let answer: { is_compatible?: boolean; messages?: unknown[] } | undefined;
    try {
      answer = await this.call({
        method: 'POST',
        path: `/compatibility${this.subjectPath(subject)}/versions/latest`,
        query: { verbose: true },
        body,
        subject: `subject "${subject}"`,
      });
    } catch (error) {
      if (error instanceof HttpError && (error.status === 422 || error.status === 400)) {
        throw new UsageError(
          `schema refused for subject "${subject}": ${extractReason(error.body) || `HTTP ${error.status}`}`,
          { hint: 'check the definition in the file' },
        );
      }
      if (error instanceof HttpError && error.status === 409) {
        return {
          topic,
          subject,
          compatible: false,
          strategy,
          latestVersion: latest.version,
          reason: registryReason(error),
        };
      }
      throw error;
    }
    const compatible = answer?.is_compatible === true;
    const messages = (answer?.messages ?? []).map(String).filter((m) => m.length > 0);
    return {
      topic,
      subject,
      compatible,
      strategy,
      latestVersion: latest.version,
      reason: compatible
        ? undefined
        : messages.length > 0
          ? messages.join('; ').replace(/\s+/g, ' ').slice(0, 300)
          : 'the registry answered not compatible',
    };
  }

  async requireSchema(topic: string): Promise<SchemaVersion> {
    const subject = this.subjectOf(topic);
    const latest = await this.latest(topic, subject);
    if (!latest) throw this.noSubject(topic, subject);
    return latest;
  }

  /** Deletes the subject (every version); --force also removes them permanently (a second, hard delete). */
  async delete(topic: string, options: { force: boolean }): Promise<SchemaDeleteResult> {
    const latest = await this.requireSchema(topic);
    const subject = this.subjectOf(topic);
    await this.call({ method: 'DELETE', path: this.subjectPath(subject), subject: `subject "${subject}"` });
    if (options.force) {
      await this.call({
        method: 'DELETE',
        path: this.subjectPath(subject),
        query: { permanent: true },
        subject: `subject "${subject}"`,
      });
    }
    return { topic, subject, deleted: true, latestVersion: latest.version, force: options.force };
  }
}

/** The registry's reason on one line, without Java class names (Apicurio prefixes its exception's). */
function registryReason(error: HttpError): string {
  const reason = extractReason(error.body).replace(
    /\b(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error): /g,
    '',
  );
  return reason || `HTTP ${error.status}`;
}
