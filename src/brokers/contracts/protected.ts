import { UsageError } from '../../core/errors';

/**
 * Broker-owned state (DESIGN.md §6): the one policy for what mqctl never deletes, purges, alters,
 * reconfigures or resets, whatever `--yes` says. Every admin adapter calls `refuseProtected` before such a
 * change (and before it asks for confirmation), so the rule lives here and nowhere else.
 *
 * There is no override flag, on purpose: kafka-topics.sh refuses to delete an internal topic with no flag to
 * force it, Pulsar's admin refuses to terminate system topics, and RabbitMQ itself refuses to delete the
 * default and `amq.*` exchanges (ACCESS_REFUSED). The one tool with a force flag (rpk's
 * `add-partitions --force`) targets Redpanda; on Kafka, more `__consumer_offsets` partitions move every group
 * to another partition and so lose its committed offsets. Operators who must change broker state use the
 * broker's own tools.
 */

/**
 * Kafka topics the broker creates and owns, known by name: Kafka's own internal-topic set plus the KRaft
 * metadata log. Refused before mqctl connects. Any other topic the broker's Metadata answer flags internal
 * (`is_internal`, read by KafkaConnection.listTopics: kafkajs' admin API drops the flag) is refused too, once
 * the answer is in (`brokerInternal`), so a later Kafka's new internal topic needs no new mqctl.
 */
export const KAFKA_INTERNAL_TOPICS: readonly string[] = [
  '__consumer_offsets',
  '__transaction_state',
  '__share_group_state',
  '__cluster_metadata',
];

/** Pulsar system topics are named `__...` (`__change_events`, `__transaction_buffer_snapshot`, ...). */
const PULSAR_SYSTEM_SUFFIXES = ['__transaction_pending_ack', '__transaction_buffer_snapshot'];

export type ProtectedObject =
  | {
      kind: 'kafka';
      type: 'topic';
      name: string;
      /** the broker's Metadata flags the topic internal (unknown until mqctl asked: undefined) */
      brokerInternal?: boolean;
    }
  | { kind: 'pulsar'; type: 'topic'; tenant: string; namespace: string; local: string; full: string }
  | { kind: 'rabbitmq'; type: 'exchange' | 'queue'; name: string };

/** Why the object belongs to the broker (or another tool), or undefined when mqctl may change it. */
export function protectedReason(object: ProtectedObject): string | undefined {
  switch (object.kind) {
    case 'kafka':
      if (KAFKA_INTERNAL_TOPICS.includes(object.name))
        return `"${object.name}" is an internal Kafka topic (owned by the broker)`;
      if (object.brokerInternal)
        return `"${object.name}" is a topic the Kafka broker flags internal (owned by the broker)`;
      return undefined;
    case 'pulsar': {
      const local = object.local.replace(/-partition-\d+$/, '');
      if (local.startsWith('__') || PULSAR_SYSTEM_SUFFIXES.some((s) => local.endsWith(s)))
        return `"${object.full}" is a Pulsar system topic (owned by the broker)`;
      if (object.tenant === 'pulsar' && object.namespace === 'system')
        return `"${object.full}" is in Pulsar's system namespace pulsar/system`;
      return undefined;
    }
    case 'rabbitmq':
      if (object.type === 'exchange' && object.name === '')
        return 'the default exchange ("") belongs to RabbitMQ (it routes by queue name)';
      if (object.name.startsWith('amq.'))
        return `"${object.name}" is a RabbitMQ-reserved ${object.type} name (amq.*)`;
      return undefined;
  }
}

/** Throws exit 2 with a one-line reason when `action` would change broker-owned state. */
export function refuseProtected(action: string, object: ProtectedObject): void {
  const reason = protectedReason(object);
  if (!reason) return;
  throw new UsageError(`refusing to ${action}: ${reason}`, {
    hint: "mqctl never changes broker-owned state (no flag overrides this); use the broker's own tools",
  });
}
