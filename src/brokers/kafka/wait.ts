import type { ITopicMetadata } from './kafkajs';
import { sleep } from '../../util/timeout';
import type { KafkaConnection } from './connection';

/**
 * After CreateTopics the controller has the topic, but a KRaft broker's metadata cache may not for a
 * moment (seconds on a busy broker): poll, bounded by --timeout, until every partition has a leader.
 * Undefined if that did not happen in time; the topic exists either way.
 */
export async function waitForTopicLeaders(
  connection: KafkaConnection,
  name: string,
): Promise<ITopicMetadata | undefined> {
  const admin = await connection.admin();
  const deadline = Date.now() + connection.timeoutMs;
  for (;;) {
    const topic = await admin
      .fetchTopicMetadata({ topics: [name] })
      .then((m) => m.topics.find((t) => t.name === name))
      .catch(() => undefined);
    if (topic && topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0)) return topic;
    if (Date.now() >= deadline) return undefined;
    await sleep(200);
  }
}
