import type { ITopicMetadata } from './kafkajs';
import { sleep } from '../../util/timeout';
import type { KafkaConnection } from './connection';

/**
 * After CreateTopics the controller has the topic, but a KRaft broker's metadata cache may not for a
 * moment (seconds on a busy broker): poll, bounded by --timeout, until every partition has a leader and
 * that leader answers ListOffsets for it. Metadata names the leader before the leader hosts the partition;
 * a produce in that window fails for that partition only, and kafkajs retries the whole request, writing
 * the other partitions' records twice unless the producer is idempotent.
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
    if (topic && topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0)) {
      const offsets = await admin.fetchTopicOffsets(name).catch(() => undefined);
      if (offsets?.length === topic.partitions.length) return topic;
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(200);
  }
}
