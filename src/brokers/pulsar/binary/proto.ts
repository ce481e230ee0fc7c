import protobuf from 'protobufjs';

/**
 * The subset of Pulsar's wire schema (PulsarApi.proto, proto2) that mqctl's binary client speaks,
 * built with protobufjs reflection. Only the messages and fields mqctl reads or writes are declared;
 * field numbers, types and proto2 defaults are Pulsar's (checked against the pinned release's generated
 * classes). Every field is declared optional so a peer that omits one never makes decoding throw; required
 * fields are always set when mqctl encodes. Enums travel as varints (int32).
 */

/** [field number, type, 'repeated' or undefined, proto2 default when absent] */
type FieldSpec = readonly [id: number, type: string, rule?: 'repeated', defaultValue?: unknown];

/**
 * The schema, written once: protobufjs builds the codecs from it and TypeScript derives the decoded types from
 * it (Decoded<'BaseCommand'>, ...), so a field's number, type and decoded shape cannot drift apart. Field
 * numbers, types and defaults are checked against the pinned Pulsar release's generated classes by
 * test/integration/pulsar/proto-conformance.test.ts, and the decoders against frames recorded from the real
 * broker (test/fixtures/pulsar-frames).
 */
const SCHEMA = {
  KeyValue: { key: [1, 'string'], value: [2, 'string'] },
  MessageIdData: {
    ledgerId: [1, 'uint64'],
    entryId: [2, 'uint64'],
    partition: [3, 'int32', undefined, -1],
    batchIndex: [4, 'int32', undefined, -1],
    batchSize: [6, 'int32'],
  },
  MessageMetadata: {
    producerName: [1, 'string'],
    sequenceId: [2, 'uint64'],
    publishTime: [3, 'uint64'],
    properties: [4, 'KeyValue', 'repeated'],
    partitionKey: [6, 'string'],
    compression: [8, 'int32'],
    uncompressedSize: [9, 'uint32'],
    numMessagesInBatch: [11, 'int32', undefined, 1],
    eventTime: [12, 'uint64'],
    highestSequenceId: [24, 'uint64'],
    nullValue: [25, 'bool'],
  },
  SingleMessageMetadata: {
    properties: [1, 'KeyValue', 'repeated'],
    partitionKey: [2, 'string'],
    payloadSize: [3, 'int32'],
    compactedOut: [4, 'bool'],
    eventTime: [5, 'uint64'],
    sequenceId: [8, 'uint64'],
    nullValue: [9, 'bool'],
  },
  CommandConnect: {
    clientVersion: [1, 'string'],
    authData: [3, 'bytes'],
    protocolVersion: [4, 'int32'],
    authMethodName: [5, 'string'],
    proxyToBrokerUrl: [6, 'string'],
  },
  CommandConnected: {
    serverVersion: [1, 'string'],
    protocolVersion: [2, 'int32'],
    maxMessageSize: [3, 'int32'],
  },
  CommandSubscribe: {
    topic: [1, 'string'],
    subscription: [2, 'string'],
    subType: [3, 'int32'],
    consumerId: [4, 'uint64'],
    requestId: [5, 'uint64'],
    consumerName: [6, 'string'],
    durable: [8, 'bool', undefined, true],
    initialPosition: [13, 'int32'],
  },
  CommandPartitionedTopicMetadata: { topic: [1, 'string'], requestId: [2, 'uint64'] },
  CommandPartitionedTopicMetadataResponse: {
    partitions: [1, 'uint32'],
    requestId: [2, 'uint64'],
    response: [3, 'int32'],
    error: [4, 'int32'],
    message: [5, 'string'],
  },
  CommandLookupTopic: {
    topic: [1, 'string'],
    requestId: [2, 'uint64'],
    authoritative: [3, 'bool'],
  },
  CommandLookupTopicResponse: {
    brokerServiceUrl: [1, 'string'],
    brokerServiceUrlTls: [2, 'string'],
    response: [3, 'int32'],
    requestId: [4, 'uint64'],
    authoritative: [5, 'bool'],
    error: [6, 'int32'],
    message: [7, 'string'],
    proxyThroughServiceUrl: [8, 'bool'],
  },
  CommandProducer: {
    topic: [1, 'string'],
    producerId: [2, 'uint64'],
    requestId: [3, 'uint64'],
    producerName: [4, 'string'],
  },
  CommandSend: {
    producerId: [1, 'uint64'],
    sequenceId: [2, 'uint64'],
    numMessages: [3, 'int32', undefined, 1],
    highestSequenceId: [6, 'uint64'],
  },
  CommandSendReceipt: {
    producerId: [1, 'uint64'],
    sequenceId: [2, 'uint64'],
    messageId: [3, 'MessageIdData'],
    highestSequenceId: [4, 'uint64'],
  },
  CommandSendError: {
    producerId: [1, 'uint64'],
    sequenceId: [2, 'uint64'],
    error: [3, 'int32'],
    message: [4, 'string'],
  },
  CommandMessage: {
    consumerId: [1, 'uint64'],
    messageId: [2, 'MessageIdData'],
    redeliveryCount: [3, 'uint32'],
  },
  CommandAck: {
    consumerId: [1, 'uint64'],
    ackType: [2, 'int32'],
    messageId: [3, 'MessageIdData', 'repeated'],
  },
  CommandFlow: { consumerId: [1, 'uint64'], messagePermits: [2, 'uint32'] },
  CommandSuccess: { requestId: [1, 'uint64'] },
  CommandError: { requestId: [1, 'uint64'], error: [2, 'int32'], message: [3, 'string'] },
  CommandCloseProducer: { producerId: [1, 'uint64'], requestId: [2, 'uint64'] },
  CommandCloseConsumer: { consumerId: [1, 'uint64'], requestId: [2, 'uint64'] },
  CommandProducerSuccess: {
    requestId: [1, 'uint64'],
    producerName: [2, 'string'],
    lastSequenceId: [3, 'int64', undefined, -1],
    // [default = true] in Pulsar's schema: only an explicit false means "not ready yet"
    producerReady: [6, 'bool', undefined, true],
  },
  CommandPing: {},
  CommandPong: {},
  CommandReachedEndOfTopic: { consumerId: [1, 'uint64'] },
  BaseCommand: {
    type: [1, 'int32'],
    connect: [2, 'CommandConnect'],
    connected: [3, 'CommandConnected'],
    subscribe: [4, 'CommandSubscribe'],
    producer: [5, 'CommandProducer'],
    send: [6, 'CommandSend'],
    sendReceipt: [7, 'CommandSendReceipt'],
    sendError: [8, 'CommandSendError'],
    message: [9, 'CommandMessage'],
    ack: [10, 'CommandAck'],
    flow: [11, 'CommandFlow'],
    success: [13, 'CommandSuccess'],
    error: [14, 'CommandError'],
    closeProducer: [15, 'CommandCloseProducer'],
    closeConsumer: [16, 'CommandCloseConsumer'],
    producerSuccess: [17, 'CommandProducerSuccess'],
    ping: [18, 'CommandPing'],
    pong: [19, 'CommandPong'],
    partitionMetadata: [21, 'CommandPartitionedTopicMetadata'],
    partitionMetadataResponse: [22, 'CommandPartitionedTopicMetadataResponse'],
    lookupTopic: [23, 'CommandLookupTopic'],
    lookupTopicResponse: [24, 'CommandLookupTopicResponse'],
    reachedEndOfTopic: [27, 'CommandReachedEndOfTopic'],
  },
} as const satisfies Record<string, Record<string, FieldSpec>>;

export type PulsarSchema = typeof SCHEMA;
export type MessageName = keyof PulsarSchema;

/** What a field of each wire type decodes to (uint64/int64: Long from the `long` package, or number). */
interface ScalarValue {
  string: string;
  bytes: Uint8Array;
  bool: boolean;
  int32: number;
  uint32: number;
  int64: Uint64;
  uint64: Uint64;
}
type SingleValue<T> = T extends keyof ScalarValue
  ? ScalarValue[T]
  : T extends MessageName
    ? // an absent sub-message decodes to null (protobufjs's default for message fields)
      Decoded<T> | null
    : never;
type RepeatedValue<T> = T extends keyof ScalarValue
  ? ScalarValue[T]
  : T extends MessageName
    ? Decoded<T>
    : never;
type FieldValue<S> = S extends readonly [number, infer T, 'repeated', ...unknown[]]
  ? Array<RepeatedValue<T>>
  : S extends readonly [number, infer T, ...unknown[]]
    ? SingleValue<T>
    : never;

/**
 * A decoded message of the schema: every field readable (an absent scalar reads as its proto2 default, an absent
 * sub-message as null, an absent repeated field as []); hasField tells whether it was on the wire.
 */
export type Decoded<M extends MessageName> = {
  readonly [F in keyof PulsarSchema[M]]: FieldValue<PulsarSchema[M][F]>;
};

function toReflection(fields: Record<string, FieldSpec>): protobuf.INamespace & protobuf.IType {
  const out: Record<string, protobuf.IField & { rule?: string }> = {};
  for (const [name, [id, type, rule, defaultValue]] of Object.entries(fields))
    out[name] = {
      id,
      type,
      ...(rule ? { rule } : {}),
      ...(defaultValue !== undefined ? { options: { default: defaultValue } } : {}),
    };
  return { fields: out };
}

const root = protobuf.Root.fromJSON({
  nested: Object.fromEntries(Object.entries(SCHEMA).map(([name, fields]) => [name, toReflection(fields)])),
});

/** The schema's field specs, for the conformance test. */
export const WIRE_SCHEMA: Readonly<Record<MessageName, Readonly<Record<string, FieldSpec>>>> = SCHEMA;

/** Decodes message `name` from its wire bytes, typed by the schema it was decoded with. */
export function decodeMessage<M extends MessageName>(name: M, bytes: Uint8Array): Decoded<M> {
  const decoded: object = root.lookupType(name).decode(bytes);
  return decoded as Decoded<M>;
}

export const BaseCommand = root.lookupType('BaseCommand');
export const MessageIdDataType = root.lookupType('MessageIdData');
export const MessageMetadata = root.lookupType('MessageMetadata');
export const SingleMessageMetadata = root.lookupType('SingleMessageMetadata');

/** BaseCommand.Type values mqctl sends or handles. */
export const CommandType = {
  CONNECT: 2,
  CONNECTED: 3,
  SUBSCRIBE: 4,
  PRODUCER: 5,
  SEND: 6,
  SEND_RECEIPT: 7,
  SEND_ERROR: 8,
  MESSAGE: 9,
  ACK: 10,
  FLOW: 11,
  SUCCESS: 13,
  ERROR: 14,
  CLOSE_PRODUCER: 15,
  CLOSE_CONSUMER: 16,
  PRODUCER_SUCCESS: 17,
  PING: 18,
  PONG: 19,
  PARTITIONED_METADATA: 21,
  PARTITIONED_METADATA_RESPONSE: 22,
  LOOKUP: 23,
  LOOKUP_RESPONSE: 24,
  REACHED_END_OF_TOPIC: 27,
} as const;

/** ServerError values mqctl maps to its own error classes (the rest are "failed"). */
export const ServerError = {
  UnknownError: 0,
  MetadataError: 1,
  PersistenceError: 2,
  AuthenticationError: 3,
  AuthorizationError: 4,
  ConsumerBusy: 5,
  ServiceNotReady: 6,
  ProducerBlockedQuotaExceededError: 7,
  ProducerBlockedQuotaExceededException: 8,
  ChecksumError: 9,
  UnsupportedVersionError: 10,
  TopicNotFound: 11,
  SubscriptionNotFound: 12,
  ConsumerNotFound: 13,
  TooManyRequests: 14,
  TopicTerminatedError: 15,
  ProducerBusy: 16,
  InvalidTopicName: 17,
  NotAllowedError: 22,
} as const;

export const SERVER_ERROR_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ServerError).map(([name, code]) => [code, name]),
);

export const CompressionType = { NONE: 0, LZ4: 1, ZLIB: 2, ZSTD: 3, SNAPPY: 4 } as const;
export const SubType = { Exclusive: 0, Shared: 1, Failover: 2, Key_Shared: 3 } as const;
export const InitialPosition = { Latest: 0, Earliest: 1 } as const;
export const AckType = { Individual: 0, Cumulative: 1 } as const;
export const LookupType = { Redirect: 0, Connect: 1, Failed: 2 } as const;

/** uint64 fields decode to Long (protobufjs with the `long` package) or number. */
export type Uint64 = number | { toNumber(): number; toString(): string };

export function toNumber(value: Uint64 | undefined | null): number {
  if (value === undefined || value === null) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface MessageIdData {
  ledgerId: Uint64;
  entryId: Uint64;
  partition?: number;
  batchIndex?: number;
}

/** A decoded BaseCommand: `type` plus the one sub-command that type carries. */
export type DecodedCommand = Decoded<'BaseCommand'>;
export type DecodedMessageMetadata = Decoded<'MessageMetadata'>;
export type DecodedSingleMessageMetadata = Decoded<'SingleMessageMetadata'>;

/** Whether a decoded message carries field `name` on the wire (defaults live on the prototype). */
export function hasField(message: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(message, name);
}
