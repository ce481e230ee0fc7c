import type { BrokerKind } from '../../config/types';

export type { BrokerKind };

export interface ConnectOptions {
  /** Deadline for each network wait, in milliseconds. */
  timeoutMs: number;
  debug?: boolean;
}

export interface ClusterNode {
  id: string;
  address: string;
  role?: string;
  /** e.g. "running", "up"; undefined when the broker does not say. */
  state?: string;
  version?: string;
}

/** What `mqctl cluster info` shows. Plain data: no SDK objects cross this line. */
export interface ClusterInfo {
  kind: BrokerKind;
  /** The context name, or "(flags)". */
  context: string;
  /** The address the client connected to (passwords masked). */
  target: string;
  clusterId?: string;
  clusterName?: string;
  version?: string;
  nodes: ClusterNode[];
  /** Kafka: the active controller; Pulsar: the leader broker; RabbitMQ: not applicable. */
  controller?: string;
  /** How messages are produced and consumed, e.g. "kafkajs", "websocket", "native", "amqp 0-9-1". */
  dataPath: string;
  /** Other endpoints the context uses (admin/management URLs). */
  endpoints: Record<string, string>;
  /** Broker-specific facts (features, Erlang version, ...), camelCase keys; `features` is broker-named. */
  details: Record<string, string | number | boolean | Record<string, number>>;
}

/** Common to every broker connection. Capabilities (topics, lag, dlq, perf) build on the kind's connection. */
export interface BrokerConnectionBase {
  readonly kind: BrokerKind;
  /** Display address, secrets masked. */
  readonly target: string;
  readonly contextName: string;
  readonly timeoutMs: number;
  clusterInfo(): Promise<ClusterInfo>;
  close(): Promise<void>;
}
