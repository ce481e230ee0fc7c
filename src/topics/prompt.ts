import type { TopicAdmin } from '../brokers/contracts/topics';
import type { GroupHolding } from '../brokers/contracts/group-admin';

/**
 * The first line of a confirmation prompt: the verb, the objects and how much goes with them (BaseCommand
 * adds the target). Computed only when a prompt is shown.
 */
function count(n: number, unit: string): string {
  return `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
}

/** "a, b, c and 4 more": at most `max` names. */
function listed(list: string[], max = 5): string {
  if (list.length <= max) return list.join(', ');
  return `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

/**
 * "Delete topic orders (3 partitions, 1,200 messages; consumer groups with offsets on it: billing, audit)" —
 * message counts where the broker reports them; the groups that read it where that is cheap to know (Pulsar:
 * the subscriptions in its stats; Kafka: `groupsReading`, the groups' committed offsets).
 */
export async function topicDeleteQuestion(
  admin: TopicAdmin,
  names: string[],
  groupsReading?: (topics: string[]) => Promise<Map<string, string[]> | undefined>,
): Promise<string> {
  const reading = groupsReading ? await groupsReading(names).catch(() => undefined) : undefined;
  const parts = await Promise.all(
    names.map(async (name) => {
      const d = await admin.describe(name, {});
      const partitions = d.partitioned ? count(d.partitions, 'partition') : 'not partitioned';
      const known = d.partitionDetails.filter((p) => p.messages !== undefined);
      const amount =
        d.kind === 'kafka'
          ? known.length > 0
            ? count(
                known.reduce((sum, p) => sum + (p.messages ?? 0), 0),
                'message',
              )
            : undefined
          : d.stats
            ? `${count(d.stats.backlog, 'message')} in backlog`
            : undefined;
      const groups =
        d.kind === 'pulsar' ? d.stats && d.stats.subscriptions.map((s) => s.name).sort() : reading?.get(name);
      const readers = groups
        ? groups.length > 0
          ? `; ${d.kind === 'pulsar' ? count(groups.length, 'subscription') : `${count(groups.length, 'consumer group')} with offsets on it`}: ${listed(groups)}`
          : `; no ${d.kind === 'pulsar' ? 'subscription' : 'consumer group has offsets on it'}`
        : '';
      return `${d.name} (${amount ? `${partitions}, ${amount}` : partitions}${readers})`;
    }),
  );
  return `Delete topic${names.length > 1 ? 's' : ''} ${parts.join(', ')}`;
}

/**
 * "Delete consumer group billing and its committed offsets: 6 partitions of orders, payments";
 * "Delete subscription s1 on persistent://public/default/orders (its cursor and a backlog of 1,200 messages)".
 */
export function groupDeleteQuestion(kind: string, group: string, holdings: GroupHolding[]): string {
  if (kind === 'pulsar') {
    const parts = holdings.map(
      (h) => `${h.topic} (its cursor and a backlog of ${count(h.backlog ?? 0, 'message')})`,
    );
    return `Delete subscription ${group} on ${parts.join(', ')}`;
  }
  const partitions = holdings.reduce((sum, h) => sum + (h.partitions ?? 0), 0);
  if (partitions === 0) return `Delete consumer group ${group} (it has no committed offsets)`;
  return `Delete consumer group ${group} and its committed offsets: ${count(partitions, 'partition')} of ${listed(holdings.map((h) => h.topic))}`;
}

/** "Skip the whole backlog (1,200 messages) of subscription s1 on T", "Skip 100 of 1,200 backlog messages ...". */
export function skipQuestion(group: string, topic: string, skip: number | 'all', backlog: number): string {
  const what =
    skip === 'all'
      ? `the whole backlog (${count(backlog, 'message')})`
      : `${count(skip, 'message')} of a backlog of ${backlog.toLocaleString('en-US')}`;
  return `Skip ${what} of subscription ${group} on ${topic}`;
}

/** "Delete namespace t/ns and its 3 topics: a, b, c", "Delete namespace t/ns (no topics)". */
export function namespaceDeleteQuestion(name: string, topics: string[], force: boolean): string {
  if (topics.length === 0) return `Delete namespace ${name} (no topics)`;
  if (force) return `Delete namespace ${name} and its ${count(topics.length, 'topic')}: ${listed(topics)}`;
  return `Delete namespace ${name} (${count(topics.length, 'topic')}: ${listed(topics)}; Pulsar refuses this without --force)`;
}

/** "Purge 12 ready messages from queue q1 in vhost /", "Delete queue q1 (12 messages, 1 consumer)". */
export function queueQuestion(
  verb: 'delete' | 'purge',
  queues: Array<{ name: string; messages?: number; messagesReady?: number; consumers?: number }>,
  vhost: string,
): string {
  if (verb === 'purge') {
    const q = queues[0]!;
    return `Purge ${count(q.messagesReady ?? 0, 'ready message')} from queue ${q.name} in vhost ${vhost}`;
  }
  const parts = queues.map(
    (q) => `${q.name} (${count(q.messages ?? 0, 'message')}, ${count(q.consumers ?? 0, 'consumer')})`,
  );
  return `Delete queue${queues.length > 1 ? 's' : ''} ${parts.join(', ')} in vhost ${vhost}`;
}

/** "Delete exchange orders (3 bindings from it)". */
export function exchangeQuestion(
  exchanges: Array<{ name: string; bindings: number }>,
  vhost: string,
): string {
  const parts = exchanges.map((e) => `${e.name} (${count(e.bindings, 'binding')} from it)`);
  return `Delete exchange${exchanges.length > 1 ? 's' : ''} ${parts.join(', ')} in vhost ${vhost}`;
}

/** "Reset committed offsets of group billing: 6 partitions of orders, payments". */
export function resetQuestion(
  group: string,
  rows: Array<{ topic: string; partition: number | null }>,
  kind: string,
): string {
  const topics = [...new Set(rows.map((r) => r.topic))];
  if (kind === 'pulsar')
    return `Reset subscription ${group} on ${count(topics.length, 'topic')}: ${topics.join(', ')}`;
  return `Reset committed offsets of group ${group}: ${count(rows.length, 'partition')} of ${topics.join(', ')}`;
}
