import { LOCAL } from './brokers';

/** `persistent/<tenant>/<ns>/<topic>` for a short name, `ns/topic` or a full topic URL. */
export function pulsarTopicPath(topic: string): string {
  const m = /^(persistent|non-persistent):\/\/(.+)$/.exec(topic);
  if (m) return `${m[1]}/${m[2]}`;
  return `persistent/${topic.includes('/') ? topic : `public/default/${topic}`}`;
}

async function admin(method: string, path: string): Promise<Response> {
  return fetch(`${LOCAL.pulsar.adminUrl}/admin/v2/${path}`, { method, signal: AbortSignal.timeout(30_000) });
}

/**
 * Deletes topics (partitioned or not) with their subscriptions, whatever their state: for a test's after().
 * A topic that does not exist is fine; any other failure is thrown (a cleanup that fails must say so).
 */
export async function deletePulsarTopics(topics: Iterable<string>): Promise<void> {
  for (const topic of topics) {
    const path = pulsarTopicPath(topic);
    let response = await admin('DELETE', `${path}/partitions?force=true`);
    // 404: no partitioned topic of that name; 409: it is a non-partitioned one
    if (response.status === 404 || response.status === 409) {
      await response.body?.cancel();
      response = await admin('DELETE', `${path}?force=true`);
    }
    if (!response.ok && response.status !== 404)
      throw new Error(`delete Pulsar topic ${topic}: HTTP ${response.status} ${await response.text()}`);
    await response.body?.cancel();
  }
}

/** A subscription's backlog and unacknowledged count on a topic (summed over partitions), or undefined when it does not exist. */
export async function pulsarSubscription(
  topic: string,
  subscription: string,
): Promise<{ backlog: number; unacked: number; consumers: number } | undefined> {
  const path = pulsarTopicPath(topic);
  let response = await admin('GET', `${path}/partitioned-stats`);
  if (response.status === 404) response = await admin('GET', `${path}/stats`);
  if (!response.ok) throw new Error(`stats of ${topic}: HTTP ${response.status} ${await response.text()}`);
  const stats = (await response.json()) as {
    subscriptions?: Record<string, { msgBacklog?: number; unackedMessages?: number; consumers?: unknown[] }>;
  };
  const s = stats.subscriptions?.[subscription];
  if (!s) return undefined;
  return { backlog: s.msgBacklog ?? 0, unacked: s.unackedMessages ?? 0, consumers: s.consumers?.length ?? 0 };
}
