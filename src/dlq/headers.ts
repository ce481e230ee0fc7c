import { MQCTL_HEADERS, type DlqError, type DlqOrigin, type DlqReplayMark } from './types';

/**
 * Header decoding for the dead-letter conventions real systems use (see docs/dlq.md):
 * Kafka Connect `__connect.errors.*` (UTF-8 strings), Spring Kafka `kafka_dlt-*` (partition as a 4-byte
 * big-endian int, offset and timestamp as 8-byte big-endian longs), Spring AMQP `x-exception-*`,
 * RabbitMQ `x-death` / `x-first-death-*`, Pulsar `REAL_TOPIC` / `ORIGIN_MESSAGE_ID` / `RECONSUMETIMES`,
 * and mqctl's own `mqctl-*` replay marks.
 */

export const SPRING = {
  topic: 'kafka_dlt-original-topic',
  partition: 'kafka_dlt-original-partition',
  offset: 'kafka_dlt-original-offset',
  timestamp: 'kafka_dlt-original-timestamp',
  timestampType: 'kafka_dlt-original-timestamp-type',
  group: 'kafka_dlt-original-consumer-group',
  exceptionClass: 'kafka_dlt-exception-fqcn',
  exceptionCauseClass: 'kafka_dlt-exception-cause-fqcn',
  /** Not written by Spring's DeadLetterPublishingRecoverer itself; some custom recoverers add it. */
  exceptionCauseMessage: 'kafka_dlt-exception-cause-message',
  exceptionMessage: 'kafka_dlt-exception-message',
  exceptionStacktrace: 'kafka_dlt-exception-stacktrace',
} as const;

/**
 * Spring Kafka's non-blocking retry topics (`@RetryableTopic`): records in `<topic>-retry[-N|-<delay>]` and in
 * `<topic>-dlt` carry the `kafka_original-*` / `kafka_exception-*` headers (KafkaHeaders.ORIGINAL_TOPIC ...,
 * same encodings as the `kafka_dlt-*` ones) and the retry headers of RetryTopicHeaders:
 * `retry_topic-attempts` (4-byte big-endian int, 1 byte in old versions), `retry_topic-backoff-timestamp` and
 * `retry_topic-original-timestamp` (epoch ms as Java BigInteger.toByteArray(): minimal big-endian two's
 * complement). Source: spring-kafka DeadLetterPublishingRecovererFactory.addHeaders/getAttempts.
 */
export const SPRING_RETRY = {
  topic: 'kafka_original-topic',
  partition: 'kafka_original-partition',
  offset: 'kafka_original-offset',
  timestamp: 'kafka_original-timestamp',
  group: 'kafka_original-consumer-group',
  exceptionClass: 'kafka_exception-fqcn',
  exceptionCauseClass: 'kafka_exception-cause-fqcn',
  exceptionMessage: 'kafka_exception-message',
  attempts: 'retry_topic-attempts',
  backoffTimestamp: 'retry_topic-backoff-timestamp',
  originalTimestamp: 'retry_topic-original-timestamp',
} as const;

export const CONNECT = {
  topic: '__connect.errors.topic',
  partition: '__connect.errors.partition',
  offset: '__connect.errors.offset',
  connector: '__connect.errors.connector.name',
  exceptionClass: '__connect.errors.exception.class.name',
  exceptionMessage: '__connect.errors.exception.message',
  exceptionStacktrace: '__connect.errors.exception.stacktrace',
} as const;

/**
 * Properties Pulsar's Java client writes on retry-letter and dead-letter messages (RetryMessageUtil, and
 * ConsumerImpl.doReconsumeLater / getPropertiesMap): REAL_TOPIC (the original topic), ORIGIN_MESSAGE_ID and the
 * older ORIGIN_MESSAGE_IDY_TIME (the original message id, `ledger:entry:partition`), RECONSUMETIMES (1 on the
 * first reconsumeLater, +1 each time; above maxRedeliverCount the message goes to the DLQ) and DELAY_TIME (the
 * requested delay in ms; the retry message is sent with deliverAfter of that delay).
 */
export const PULSAR = {
  realTopic: 'REAL_TOPIC',
  originMessageId: 'ORIGIN_MESSAGE_ID',
  originMessageIdLegacy: 'ORIGIN_MESSAGE_IDY_TIME',
  reconsumeTimes: 'RECONSUMETIMES',
  delayTime: 'DELAY_TIME',
} as const;

/** Spring headers whose values are binary numbers, by byte width. */
const SPRING_BINARY: Record<string, 4 | 8> = {
  [SPRING.partition]: 4,
  [SPRING.offset]: 8,
  [SPRING.timestamp]: 8,
  [SPRING_RETRY.partition]: 4,
  [SPRING_RETRY.offset]: 8,
  [SPRING_RETRY.timestamp]: 8,
};

/** Spring retry headers written as Java BigInteger.toByteArray() (1 to 8 bytes) or, for attempts, an int. */
const SPRING_BIGINT = new Set<string>([
  SPRING_RETRY.attempts,
  SPRING_RETRY.backoffTimestamp,
  SPRING_RETRY.originalTimestamp,
]);

/** A big-endian two's-complement integer of 1 to 8 bytes (Java BigInteger.toByteArray, ByteBuffer.putInt). */
export function decodeBigEndianInt(value: Buffer): string | undefined {
  if (value.length === 0 || value.length > 8) return undefined;
  let n = 0n;
  for (const b of value) n = (n << 8n) | BigInt(b);
  if (value[0]! & 0x80) n -= 1n << BigInt(8 * value.length);
  return n.toString();
}

/** A header value as printable text: UTF-8 when it is text, else 0x-prefixed hex. */
export function headerText(value: Buffer): string {
  const text = value.toString('utf8');
  // Replacement characters or control bytes (other than tab/newline) mean the value is binary.
  // eslint-disable-next-line no-control-regex
  if (text.includes('\uFFFD') || /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text))
    return `0x${value.toString('hex')}`;
  return text;
}

/** Decodes a Spring binary number header; tolerates writers that used a decimal string. */
export function decodeSpringNumber(value: Buffer, width: 4 | 8): string | undefined {
  // Decimal text first: a writer that sends the number as text ("12345678" is 8 bytes) must not be read
  // as a binary long. Binary values whose every byte is an ASCII digit, space or '-' are numbers above
  // 0x2d2d2d2d (757,935,405) as an int and far above any real offset as a long, so preferring text costs
  // nothing real.
  const text = value.toString('latin1');
  if (/^ *-?\d+ *$/.test(text)) return text.trim();
  if (value.length === width) {
    return width === 4 ? String(value.readInt32BE(0)) : value.readBigInt64BE(0).toString();
  }
  const utf8 = value.toString('utf8').trim();
  return /^-?\d+$/.test(utf8) ? utf8 : undefined;
}

/** Kafka record headers (kafkajs gives Buffer or Buffer[] per key) as printable strings. */
export function kafkaHeadersToText(raw: Record<string, Buffer | Buffer[] | string | undefined>): {
  text: Record<string, string>;
  bytes: Record<string, Buffer | Buffer[]>;
} {
  const text: Record<string, string> = {};
  const bytes: Record<string, Buffer | Buffer[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map((v) =>
      Buffer.isBuffer(v) ? v : Buffer.from(String(v)),
    );
    bytes[name] = values.length === 1 ? values[0]! : values;
    // When a header repeats (Spring appends on re-failure), the last value is the most recent.
    const last = values[values.length - 1]!;
    const width = SPRING_BINARY[name];
    text[name] =
      (width && decodeSpringNumber(last, width)) ||
      (SPRING_BIGINT.has(name) && decodeBigEndianInt(last)) ||
      headerText(last);
  }
  return { text, bytes };
}

function toInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  return Number(text);
}

/** Origin and error of a Kafka dead letter (Spring first, then Kafka Connect, then Spring AMQP style). */
export function decodeKafkaOrigin(headers: Record<string, string>): { origin: DlqOrigin; error: DlqError } {
  if (headers[SPRING.topic] !== undefined) {
    const ts = toInt(headers[SPRING.timestamp]);
    return {
      origin: {
        convention: 'spring',
        topic: headers[SPRING.topic],
        partition: toInt(headers[SPRING.partition]),
        offset: headers[SPRING.offset],
        consumerGroup: headers[SPRING.group],
        timestamp: ts,
      },
      error: springError(headers),
    };
  }
  if (headers[SPRING_RETRY.topic] !== undefined) {
    // A record of a Spring retry-topic chain (a retry stage, or the chain's -dlt).
    return {
      origin: {
        convention: 'spring',
        topic: headers[SPRING_RETRY.topic],
        partition: toInt(headers[SPRING_RETRY.partition]),
        offset: headers[SPRING_RETRY.offset],
        consumerGroup: headers[SPRING_RETRY.group],
        timestamp: toInt(headers[SPRING_RETRY.timestamp]),
        deaths: toInt(headers[SPRING_RETRY.attempts]),
        nextAttemptAt: toInt(headers[SPRING_RETRY.backoffTimestamp]),
      },
      error: springError(headers, SPRING_RETRY),
    };
  }
  if (headers[CONNECT.topic] !== undefined) {
    const offset = headers[CONNECT.offset];
    return {
      origin: {
        convention: 'connect',
        topic: headers[CONNECT.topic],
        partition: toInt(headers[CONNECT.partition]),
        offset: offset === '-1' ? undefined : offset,
      },
      error: { className: headers[CONNECT.exceptionClass], message: headers[CONNECT.exceptionMessage] },
    };
  }
  return { origin: { convention: 'unknown' }, error: genericError(headers) };
}

/**
 * Spring's DeadLetterPublishingRecoverer writes the class it was given (`kafka_dlt-exception-fqcn`, almost
 * always ListenerExecutionFailedException) and, since 2.8, that exception's cause (`...-cause-fqcn`). The cause
 * is the error that matters: filters and stats use it, and the wrapper is kept alongside.
 */
function springError(
  headers: Record<string, string>,
  names: { exceptionClass: string; exceptionCauseClass: string; exceptionMessage: string } = SPRING,
): DlqError {
  const outer = headers[names.exceptionClass];
  const cause = headers[names.exceptionCauseClass];
  const outerMessage = headers[names.exceptionMessage];
  const causeMessage = names === SPRING ? headers[SPRING.exceptionCauseMessage] : undefined;
  if (cause && outer && cause !== outer) {
    return {
      className: cause,
      message: causeMessage ?? outerMessage,
      wrapperClassName: outer,
      wrapperMessage: causeMessage !== undefined ? outerMessage : undefined,
    };
  }
  return { className: outer ?? cause, message: outerMessage ?? causeMessage };
}

/** Error headers some frameworks write outside the conventions above. */
function genericError(headers: Record<string, string>): DlqError {
  const explicit = headers['x-exception-class'] ?? headers['exception-class'] ?? headers['exception'];
  const message = headers['x-exception-message'] ?? headers['exception-message'];
  const trace = explicit === undefined ? stacktraceError(headers['x-exception-stacktrace']) : undefined;
  if (trace) return { ...trace, message: message ?? trace.message };
  return { className: explicit, message };
}

/** A Java class name as Throwable.toString() starts with it (package path, `$` for nested classes). */
const JAVA_CLASS = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/** `<class>` or `<class>: <message>`, as Throwable.toString() writes it; undefined when it is not that. */
function throwableLine(line: string): { className: string; message?: string } | undefined {
  const colon = line.indexOf(':');
  const className = (colon < 0 ? line : line.slice(0, colon)).trim();
  if (!JAVA_CLASS.test(className)) return undefined;
  const message = colon < 0 ? undefined : line.slice(colon + 1).replace(/^ /, '');
  return { className, ...(message !== undefined ? { message } : {}) };
}

/**
 * The error a Java stack trace names, as Throwable.printStackTrace writes it (Spring AMQP's RepublishMessageRecoverer
 * puts it in `x-exception-stacktrace`, and writes no class header): the first line is `<class>[: <message>]`, and
 * the first top-level `Caused by: <class>[: <message>]` line is its cause. As for Spring Kafka's cause header, the
 * cause is the error that matters (the recoverer is almost always handed Spring's ListenerExecutionFailedException
 * wrapping the listener's exception, and its `x-exception-message` is that cause's message): the class is the
 * cause's, and the first line's class is kept as the wrapper. Without a `Caused by:` the class is the first line's.
 * Lines of a `Suppressed:` block are indented and not taken.
 */
export function stacktraceError(trace: string | undefined): DlqError | undefined {
  if (!trace) return undefined;
  const lines = trace.split(/\r?\n/);
  const outer = throwableLine(lines[0] ?? '');
  if (!outer) return undefined;
  const causeLine = lines.find((l) => l.startsWith('Caused by: '));
  const cause = causeLine ? throwableLine(causeLine.slice('Caused by: '.length)) : undefined;
  if (cause && cause.className !== outer.className) {
    return {
      className: cause.className,
      message: cause.message,
      wrapperClassName: outer.className,
      wrapperMessage: outer.message,
    };
  }
  return { className: outer.className, message: outer.message };
}

/**
 * The error of a RabbitMQ dead letter: an `x-exception-class` header if a writer added one; else the class Spring
 * AMQP's `x-exception-stacktrace` names (see stacktraceError); else `fallback` (the x-death reason). The message is
 * `x-exception-message` (RepublishMessageRecoverer: the cause's message) or the trace's.
 */
function rabbitError(text: Record<string, string>, fallback: string | undefined): DlqError {
  const explicit = text['x-exception-class'];
  const message = text['x-exception-message'];
  const trace = explicit === undefined ? stacktraceError(text['x-exception-stacktrace']) : undefined;
  if (trace) return { ...trace, message: message ?? trace.message };
  return { className: explicit ?? fallback, message };
}

/** One x-death entry as amqplib decodes it. */
interface XDeathEntry {
  queue?: unknown;
  reason?: unknown;
  exchange?: unknown;
  'routing-keys'?: unknown;
  count?: unknown;
  time?: unknown;
}

function amqpText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'object' && 'value' in (value as object))
    return amqpText((value as { value: unknown }).value);
  return String(value);
}

/** AMQP timestamps arrive as seconds (number) or as a {'!': 'timestamp', value} wrapper. */
function amqpTimeMs(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.getTime();
  const raw =
    typeof value === 'object' && 'value' in (value as object) ? (value as { value: unknown }).value : value;
  const n = Number(raw);
  if (!Number.isFinite(n)) return undefined;
  return n < 1e11 ? n * 1000 : n;
}

/** AMQP header table values as printable strings (x-death summarised). */
export function amqpHeadersToText(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    if (name === 'x-death' && Array.isArray(value)) {
      out[name] = JSON.stringify(
        value.map((d: XDeathEntry) => ({
          queue: amqpText(d.queue),
          reason: amqpText(d.reason),
          count: Number(amqpText(d.count) ?? 0),
          exchange: amqpText(d.exchange),
          'routing-keys': Array.isArray(d['routing-keys']) ? d['routing-keys'].map(amqpText) : [],
          time: amqpTimeMs(d.time) ? new Date(amqpTimeMs(d.time)!).toISOString() : undefined,
        })),
      );
    } else if (Buffer.isBuffer(value)) out[name] = headerText(value);
    else if (typeof value === 'object') out[name] = JSON.stringify(value);
    else out[name] = String(value);
  }
  return out;
}

/** Origin of a RabbitMQ dead letter: the most recent x-death entry (they are kept most recent first). */
export function decodeRabbitOrigin(headers: Record<string, unknown>): {
  origin: DlqOrigin;
  error: DlqError;
  deathTime?: number;
} {
  const deaths = Array.isArray(headers['x-death']) ? (headers['x-death'] as XDeathEntry[]) : [];
  const latest = deaths[0];
  const text = amqpHeadersToText(headers);
  if (latest) {
    const routingKeys = Array.isArray(latest['routing-keys'])
      ? (latest['routing-keys'] as unknown[]).map((k) => amqpText(k) ?? '')
      : [];
    const deathTime = amqpTimeMs(latest.time);
    // One entry per queue and reason, each with its count: a TTL retry cycle (rejected in the work queue,
    // expired in the retry queue) counts up both.
    const deathsByQueue: Record<string, number> = {};
    for (const d of deaths) {
      const queue = amqpText(d.queue);
      if (queue !== undefined)
        deathsByQueue[queue] = (deathsByQueue[queue] ?? 0) + Number(amqpText(d.count) ?? 1);
    }
    return {
      origin: {
        convention: 'rabbitmq',
        topic: amqpText(latest.queue),
        exchange: amqpText(latest.exchange),
        routingKeys,
        reason: amqpText(latest.reason),
        deaths: Number(amqpText(latest.count) ?? 1),
        deathsByQueue,
        timestamp: deathTime,
      },
      error: rabbitError(text, amqpText(latest.reason)),
      deathTime,
    };
  }
  if (text['x-first-death-queue'] !== undefined) {
    return {
      origin: {
        convention: 'rabbitmq',
        topic: text['x-first-death-queue'],
        exchange: text['x-first-death-exchange'],
        reason: text['x-first-death-reason'],
      },
      error: rabbitError(text, text['x-first-death-reason']),
    };
  }
  if (text['x-original-exchange'] !== undefined || text['x-original-routingKey'] !== undefined) {
    // Spring AMQP RepublishMessageRecoverer.
    return {
      origin: {
        convention: 'rabbitmq',
        exchange: text['x-original-exchange'],
        routingKeys: text['x-original-routingKey'] ? [text['x-original-routingKey']] : [],
      },
      error: rabbitError(text, undefined),
    };
  }
  return { origin: { convention: 'unknown' }, error: genericError(text) };
}

/** Origin of a Pulsar dead letter from the properties the client's dead-letter policy writes. */
export function decodePulsarOrigin(
  properties: Record<string, string>,
  dlqTopic?: string,
): { origin: DlqOrigin; error: DlqError } {
  const realTopic = properties[PULSAR.realTopic];
  const messageId = properties[PULSAR.originMessageId] ?? properties[PULSAR.originMessageIdLegacy];
  const error = genericError(properties);
  if (realTopic !== undefined || messageId !== undefined) {
    return {
      origin: {
        convention: 'pulsar',
        topic: realTopic ? stripPartitionSuffix(realTopic) : originFromDlqName(dlqTopic),
        messageId,
        deaths: toInt(properties[PULSAR.reconsumeTimes]),
      },
      error,
    };
  }
  return { origin: { convention: 'unknown', topic: undefined }, error };
}

function stripPartitionSuffix(topic: string): string {
  return topic.replace(/-partition-\d+$/, '');
}

/** `<topic>-<subscription>-DLQ` cannot be split without knowing the subscription: no guess is made. */
function originFromDlqName(_dlq: string | undefined): string | undefined {
  return undefined;
}

/** mqctl's own marks on a message it replayed before. */
export function decodeReplayMark(headers: Record<string, string>): DlqReplayMark {
  const count = toInt(headers[MQCTL_HEADERS.replayCount]);
  return {
    count: count !== undefined && count >= 0 ? count : 0,
    from: headers[MQCTL_HEADERS.replayedFrom],
    at: headers[MQCTL_HEADERS.replayedAt],
  };
}

/** The headers mqctl adds to a replayed copy. */
export function replayHeaders(
  previous: DlqReplayMark,
  from: string,
  jobId: string,
  now: Date = new Date(),
): Record<string, string> {
  return {
    [MQCTL_HEADERS.replayedFrom]: from,
    [MQCTL_HEADERS.replayedAt]: now.toISOString(),
    [MQCTL_HEADERS.replayCount]: String(previous.count + 1),
    [MQCTL_HEADERS.replayJob]: jobId,
  };
}
