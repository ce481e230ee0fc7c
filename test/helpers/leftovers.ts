import {
  AssignerProtocol,
  createPrivateCluster,
  Kafka,
  logLevel,
  type RawCluster,
} from '../../src/brokers/kafka/kafkajs';
import { LOCAL } from './brokers';

/**
 * What a test run left on the local brokers: every resource whose name uniqueName() made in the run tagged
 * `tag` (MQCTL_TEST_RUN), plus the broker state mqctl itself keeps about such resources under names of its
 * own (a consumer group `mqctl-dlq-replay-<hash>` with offsets on a test topic, a Pulsar subscription on a
 * shared topic, a DLQ replay progress record keyed by a test DLQ). Used by test/zz-leftovers.test.ts, the
 * last phase of scripts/test.sh.
 */
export interface Leftover {
  kind: string;
  name: string;
}

/** A uniqueName() made in the run `tag`: `prefix-<time, base 36>-<tag><1 random byte><counter>`. */
export function runPattern(tag: string): RegExp {
  return new RegExp(`-[0-9a-z]{8,9}-${tag}[0-9a-f]{2}[0-9a-z]+`);
}

/** mqctl's Kafka DLQ replay progress topic (compacted; key `<job>:<dlq>:<partition>`, null value = deleted). */
export const KAFKA_PROGRESS_TOPIC = 'mqctl-dlq-progress';

async function json<T>(url: string, auth?: string): Promise<T> {
  const response = await fetch(url, {
    headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {},
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * A topic's high watermark per partition (what kafkajs' admin cannot tell: its ListOffsets is read_committed
 * and answers the last stable offset, which an open transaction holds back).
 */
export async function highWatermarks(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const cluster: RawCluster | undefined = createPrivateCluster(kafka, {
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: 0, // READ_UNCOMMITTED
  });
  if (!cluster) throw new Error('kafkajs moved its cluster factory (see src/brokers/kafka/kafkajs.ts)');
  await cluster.connect();
  try {
    await cluster.addMultipleTargetTopics([topic]);
    const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId }));
    const [offsets] = await cluster.fetchTopicsOffset([{ topic, partitions }]);
    return new Map(offsets!.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  } finally {
    await cluster.disconnect();
  }
}

/**
 * The latest value of every key of a compacted topic (null for a tombstone), read to the high watermark
 * (read_uncommitted: another run's open transaction must not hold the read back; aborted records count too,
 * a tombstone for them is harmless) with a consumer group of its own that is deleted afterwards. A partition
 * is done when kafkajs reports a batch reaching its end (END_BATCH_PROCESS also fires for batches of
 * transaction markers only, which eachBatch never sees).
 */
export async function latestByKey(
  kafka: Kafka,
  topic: string,
  group: string,
): Promise<Map<string, string | null>> {
  const latest = new Map<string, string | null>();
  const remaining = new Map([...(await highWatermarks(kafka, topic))].filter(([, high]) => high > 0n));
  if (remaining.size === 0) return latest;
  const admin = kafka.admin();
  await admin.connect();
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 250, readUncommitted: true });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic} not read to its end within 60 s`)), 60_000);
      consumer.on(consumer.events.CRASH, (e) => {
        clearTimeout(timer);
        reject(e.payload.error);
      });
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        const end = remaining.get(e.payload.partition);
        if (end !== undefined && BigInt(e.payload.lastOffset) + 1n >= end)
          remaining.delete(e.payload.partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages)
              if (m.key) latest.set(m.key.toString('utf8'), m.value ? m.value.toString('utf8') : null);
          },
        })
        .catch(reject);
    });
    return latest;
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.disconnect();
  }
}

export async function kafkaLeftovers(tag: string): Promise<Leftover[]> {
  const pattern = runPattern(tag);
  const kafka = new Kafka({ brokers: [LOCAL.kafka.brokers], logLevel: logLevel.NOTHING });
  const out: Leftover[] = [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    for (const t of topics.filter((t) => pattern.test(t)).sort()) out.push({ kind: 'kafka topic', name: t });

    if (topics.includes(KAFKA_PROGRESS_TOPIC)) {
      const latest = await latestByKey(
        kafka,
        KAFKA_PROGRESS_TOPIC,
        `leftover-check-${Date.now().toString(36)}-${process.pid}`,
      );
      for (const [key, value] of [...latest].sort(([a], [b]) => a.localeCompare(b)))
        if (value !== null && pattern.test(key))
          out.push({ kind: `kafka ${KAFKA_PROGRESS_TOPIC} record`, name: key });
    }

    // Groups named by the run, and groups of any name (mqctl's own: replay jobs, perf, verify, readers)
    // holding committed offsets on one of the run's topics.
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
    for (const groupId of groups) {
      if (groupId.startsWith('leftover-check-') || groupId.startsWith('forget-progress-')) continue;
      if (pattern.test(groupId)) {
        out.push({ kind: 'kafka consumer group', name: groupId });
        continue;
      }
      let offsets: Array<{ topic: string; partitions: Array<{ offset: string }> }>;
      try {
        offsets = await admin.fetchOffsets({ groupId });
      } catch {
        continue; // a group that vanished between the listing and now
      }
      const onRunTopics = offsets
        .filter((o) => pattern.test(o.topic) && o.partitions.some((p) => p.offset !== '-1'))
        .map((o) => o.topic);
      if (onRunTopics.length > 0)
        out.push({ kind: 'kafka consumer group', name: `${groupId} (offsets on ${onRunTopics.join(', ')})` });
    }
  } finally {
    await admin.disconnect();
  }
  return out;
}

export async function pulsarLeftovers(tag: string): Promise<Leftover[]> {
  const pattern = runPattern(tag);
  const admin = `${LOCAL.pulsar.adminUrl}/admin/v2`;
  const out: Leftover[] = [];
  for (const tenant of await json<string[]>(`${admin}/tenants`)) {
    if (pattern.test(tenant)) out.push({ kind: 'pulsar tenant', name: tenant });
    for (const ns of await json<string[]>(`${admin}/namespaces/${tenant}`)) {
      if (pattern.test(ns)) out.push({ kind: 'pulsar namespace', name: ns });
      for (const domain of ['persistent', 'non-persistent']) {
        const partitioned = await json<string[]>(`${admin}/${domain}/${ns}/partitioned`);
        const plain = await json<string[]>(`${admin}/${domain}/${ns}`);
        // Partitions of a partitioned topic are named by their parent.
        const parents = new Set(partitioned);
        const topics = [
          ...partitioned.map((t) => ({ t, kind: `pulsar ${domain} partitioned topic` })),
          ...plain
            .filter((t) => !parents.has(t.replace(/-partition-\d+$/, '')))
            .map((t) => ({ t, kind: `pulsar ${domain} topic` })),
        ];
        for (const { t, kind } of topics) {
          if (pattern.test(t)) {
            out.push({ kind, name: t });
            continue;
          }
          // A topic the run did not name (a shared one): the run's subscriptions on it.
          const path = t.replace(/^[a-z-]+:\/\//, '');
          let subs: string[];
          try {
            subs = await json<string[]>(`${admin}/${domain}/${path}/subscriptions`);
          } catch {
            continue; // deleted since the listing
          }
          for (const s of subs.filter((s) => pattern.test(s)))
            out.push({ kind: 'pulsar subscription', name: `${s} on ${t}` });
        }
      }
    }
  }
  return out;
}

export async function rabbitLeftovers(tag: string): Promise<Leftover[]> {
  const pattern = runPattern(tag);
  const api = `${LOCAL.rabbitmq.managementUrl}/api`;
  const auth = 'guest:guest';
  const named = async (what: string, kind: string, withVhost: boolean): Promise<Leftover[]> => {
    const rows = await json<Array<{ name: string; vhost?: string }>>(`${api}/${what}`, auth);
    return rows
      .filter((r) => pattern.test(r.name))
      .map((r) => ({ kind, name: withVhost ? `${r.name} (vhost ${r.vhost})` : r.name }));
  };
  return [
    ...(await named('vhosts', 'rabbitmq vhost', false)),
    ...(await named('queues?columns=name,vhost', 'rabbitmq queue', true)),
    ...(await named('exchanges?columns=name,vhost', 'rabbitmq exchange', true)),
    ...(await named('users', 'rabbitmq user', false)),
    ...(await named('policies', 'rabbitmq policy', true)),
  ];
}

/** Everything the run `tag` left on the three local brokers. */
export async function findLeftovers(tag: string): Promise<Leftover[]> {
  return [...(await kafkaLeftovers(tag)), ...(await pulsarLeftovers(tag)), ...(await rabbitLeftovers(tag))];
}

/**
 * Forgets what mqctl's Kafka DLQ replays of these DLQs recorded in its progress topic: a tombstone for each of
 * their live keys (`<job>:<dlq>:<partition>`). For a test's after(), next to deleting its topics.
 */
export async function forgetReplayProgress(dlqs: string[]): Promise<void> {
  const kafka = new Kafka({ brokers: [LOCAL.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const exists = (await admin.listTopics()).includes(KAFKA_PROGRESS_TOPIC);
  await admin.disconnect();
  if (!exists) return;
  const wanted = new Set(dlqs);
  const latest = await latestByKey(
    kafka,
    KAFKA_PROGRESS_TOPIC,
    `forget-progress-${Date.now().toString(36)}-${process.pid}`,
  );
  const keys = [...latest]
    .filter(([k, v]) => v !== null && wanted.has(k.split(':')[1] ?? ''))
    .map(([k]) => k);
  if (keys.length === 0) return;
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: KAFKA_PROGRESS_TOPIC,
      acks: -1,
      messages: keys.map((key) => ({ key, value: null })),
    });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Deletes every consumer group holding committed offsets on one of these topics (the groups a test's runs
 * made on its own topics, whatever mqctl named them: replay jobs, perf and verify consumers), plus the named
 * `groups`. Kafka keeps an empty group after its topic is deleted, with nothing left to tell whose it was:
 * call this before deleting the topics.
 */
export async function deleteKafkaGroups(topics: string[], groups: string[] = []): Promise<void> {
  const kafka = new Kafka({ brokers: [LOCAL.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ours = new Set(topics);
    const doomed = new Set(groups);
    for (const { groupId } of (await admin.listGroups()).groups) {
      if (doomed.has(groupId)) continue;
      const offsets = await admin.fetchOffsets({ groupId }).catch(() => []);
      if (offsets.some((o) => ours.has(o.topic) && o.partitions.some((p) => p.offset !== '-1')))
        doomed.add(groupId);
    }
    const existing = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const toDelete = [...doomed].filter((g) => existing.has(g));
    if (toDelete.length > 0) await admin.deleteGroups(toDelete);
  } finally {
    await admin.disconnect();
  }
}

/** The ids of every consumer group on the local Kafka. */
export async function kafkaGroupIds(): Promise<Set<string>> {
  const admin = new Kafka({ brokers: [LOCAL.kafka.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return new Set((await admin.listGroups()).groups.map((g) => g.groupId));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes the throwaway reader groups (`mqctl-dlq-read-<random>`) of replays this test SIGKILLed on `topic`:
 * they never reach the code that deletes them, and a killed member stays in its group until its session
 * times out (30 s). Taken as this test's: created since `before` (kafkaGroupIds() at the start) and either
 * empty, or with members reading `topic` only (waited for, at most 60 s, until their session ended).
 */
export async function deleteKilledReaderGroups(before: Set<string>, topic: string): Promise<void> {
  const admin = new Kafka({ brokers: [LOCAL.kafka.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const fresh = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith('mqctl-dlq-read-') && !before.has(g));
      const described = fresh.length > 0 ? (await admin.describeGroups(fresh)).groups : [];
      const empty = described
        .filter((g) => g.members.length === 0 && g.state === 'Empty')
        .map((g) => g.groupId);
      if (empty.length > 0) await admin.deleteGroups(empty);
      const waiting = described.filter(
        (g) =>
          g.members.length > 0 &&
          g.members.every((m) => {
            const subscribed = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? [];
            return subscribed.length === 1 && subscribed[0] === topic;
          }),
      );
      if (waiting.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `reader groups on ${topic} still have members after 60 s: ${waiting.map((g) => g.groupId).join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}
