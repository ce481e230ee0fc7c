export const BROKER_KINDS = ['kafka', 'pulsar', 'rabbitmq'] as const;
export type BrokerKind = (typeof BROKER_KINDS)[number];

export interface TlsSettings {
  enabled: boolean;
  /** PEM file with the CA bundle to trust. */
  caFile?: string;
  /** Client certificate and key for mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** Skip certificate verification (testing only). */
  insecure?: boolean;
}

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface SaslSettings {
  mechanism: SaslMechanism;
  username: string;
  /** Literal password; prefer passwordEnv so the file holds no secret. */
  password?: string;
  /** Name of an environment variable that holds the password. */
  passwordEnv?: string;
  /** Path of a file that holds the password (the file is read when connecting). */
  passwordFile?: string;
}

/**
 * A Confluent-compatible schema registry (Confluent Schema Registry, Karapace, Apicurio's ccompat API) for
 * `mqctl schema` on Kafka.
 */
export interface SchemaRegistrySettings {
  /** Base URL, e.g. http://host:8081 (credentials in the URL are sent as basic auth). */
  url: string;
  /** Basic auth user name. */
  username?: string;
  /** Literal password; prefer passwordEnv or passwordFile so the file holds no secret. */
  password?: string;
  passwordEnv?: string;
  passwordFile?: string;
  /** TLS for an https URL (default: the context's tls settings, e.g. its CA). */
  tls?: TlsSettings;
}

export interface KafkaContext {
  kind: 'kafka';
  brokers: string[];
  clientId?: string;
  sasl?: SaslSettings;
  tls?: TlsSettings;
  schemaRegistry?: SchemaRegistrySettings;
}

export type PulsarDataPath = 'auto' | 'binary' | 'native' | 'websocket';

export interface PulsarContext {
  kind: 'pulsar';
  /** Binary protocol URL, pulsar://host:6650 or pulsar+ssl://host:6651. */
  serviceUrl: string;
  /** Admin REST and WebSocket base URL, http://host:8080. */
  adminUrl: string;
  token?: string;
  tokenEnv?: string;
  /** Path of a file that holds the token (the file is read when connecting). */
  tokenFile?: string;
  tenant?: string;
  namespace?: string;
  dataPath?: PulsarDataPath;
  tls?: TlsSettings;
}

export interface RabbitContext {
  kind: 'rabbitmq';
  /** AMQP URL, amqp://user:pass@host:5672/vhost (or amqps://). */
  url: string;
  /** Management HTTP API base URL, http://host:15672. */
  managementUrl: string;
  username?: string;
  password?: string;
  passwordEnv?: string;
  /** Path of a file that holds the password (the file is read when connecting). */
  passwordFile?: string;
  vhost?: string;
  tls?: TlsSettings;
}

export type ContextSpec = KafkaContext | PulsarContext | RabbitContext;

/** A context after flags, environment and the config file have been merged. */
export type ResolvedContext = ContextSpec & {
  /** The context's name, or "(flags)" when built from flags and environment alone. */
  name: string;
  /** Where the settings came from, for `context show` and error messages. */
  source: 'flags' | 'env' | 'config';
};

export interface ConfigFile {
  currentContext?: string;
  contexts: Record<string, ContextSpec>;
}
