import { Kafka, logLevel } from '../../src/brokers/kafka/kafkajs';
import { LOCAL } from './brokers';
import { deleteKafkaGroups } from './leftovers';
import { deletePulsarTopics } from './pulsar-admin';

/**
 * What a test created on a local broker, deleted for its after(): the topics (Kafka: with the consumer groups
 * holding offsets on them; Pulsar: partitioned or not, with their subscriptions) or queues (RabbitMQ, vhost /).
 * `prefixes` also takes every topic or queue whose name starts with one of them (names a run derives from the
 * test's, like a retry's `<topic>-retry2`). A topic that does not exist is fine; any other failure is thrown.
 */
export async function deleteCreated(
  kind: 'kafka' | 'pulsar' | 'rabbitmq',
  names: string[],
  { prefixes = false }: { prefixes?: boolean } = {},
): Promise<void> {
  if (names.length === 0) return;
  const matches = (existing: string[], short: (n: string) => string = (n) => n) =>
    prefixes ? existing.filter((e) => names.some((n) => short(e).startsWith(n))) : names;
  if (kind === 'kafka') {
    const admin = new Kafka({ brokers: [LOCAL.kafka.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      const topics = matches(existing).filter((t) => existing.includes(t));
      await deleteKafkaGroups(topics);
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
  } else if (kind === 'pulsar') {
    let topics = names;
    if (prefixes) {
      const base = `${LOCAL.pulsar.adminUrl}/admin/v2/persistent/public/default`;
      const list = async (url: string) => (await (await fetch(url)).json()) as string[];
      const existing = [...new Set([...(await list(`${base}/partitioned`)), ...(await list(base))])]
        .map((t) => t.replace(/^persistent:\/\/public\/default\//, ''))
        .filter((t) => !/-partition-\d+$/.test(t));
      topics = matches(existing);
    }
    await deletePulsarTopics(topics);
  } else {
    const api = `${LOCAL.rabbitmq.managementUrl}/api`;
    const auth = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` };
    let queues = names;
    if (prefixes) {
      const rows = (await (
        await fetch(`${api}/queues/%2F?columns=name`, { headers: auth })
      ).json()) as Array<{
        name: string;
      }>;
      queues = matches(rows.map((r) => r.name));
    }
    for (const q of queues) {
      const response = await fetch(`${api}/queues/%2F/${encodeURIComponent(q)}`, {
        method: 'DELETE',
        headers: auth,
      });
      if (!response.ok && response.status !== 404)
        throw new Error(`delete RabbitMQ queue ${q}: HTTP ${response.status} ${await response.text()}`);
      await response.body?.cancel();
    }
  }
}
