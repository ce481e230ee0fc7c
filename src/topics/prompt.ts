import type { TopicAdmin } from '../brokers/contracts/topics';

/**
 * The first line of a confirmation prompt: the verb, the objects and how much goes with them (BaseCommand
 * adds the target). Computed only when a prompt is shown.
 */
function count(n: number, unit: string): string {
  return `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
}

/** "Delete topic orders (3 partitions, 1,200 messages)" — message counts where the broker reports them. */
export async function topicDeleteQuestion(admin: TopicAdmin, names: string[]): Promise<string> {
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
      return `${d.name} (${amount ? `${partitions}, ${amount}` : partitions})`;
    }),
  );
  return `Delete topic${names.length > 1 ? 's' : ''} ${parts.join(', ')}`;
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
