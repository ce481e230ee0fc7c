import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  tolerantAdmin,
  withInternalTopicFlags,
  withPartitionErrorsTolerated,
} from '../../src/brokers/kafka/kafkajs';

// kafkajs' own Metadata response modules, as its request table loads them (v6 is what Kafka 4 is asked with)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const v6 = require('kafkajs/src/protocol/requests/metadata/v6/response') as {
  parse(data: unknown): Promise<unknown>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const v0 = require('kafkajs/src/protocol/requests/metadata/v0/response') as {
  parse(data: unknown): Promise<unknown>;
};

const LEADER_NOT_AVAILABLE = 5;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const NOT_LEADER_OR_FOLLOWER = 6;

/** A Metadata answer from a 3-node cluster with node 3 down: partition 1 of "t" had its only replica there. */
function answer(partitionErrorCode = LEADER_NOT_AVAILABLE, topicErrorCode = 0) {
  return {
    brokers: [
      { nodeId: 1, host: '127.0.0.1', port: 19092 },
      { nodeId: 2, host: '127.0.0.1', port: 19093 },
    ],
    topicMetadata: [
      {
        topicErrorCode,
        topic: 't',
        partitionMetadata: [
          { partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] },
          { partitionErrorCode, partitionId: 1, leader: -1, replicas: [3], isr: [], offlineReplicas: [3] },
        ],
      },
    ],
  };
}

describe('kafkajs Metadata with a partition that has no leader (a broker down)', () => {
  it("outside the admin client kafkajs' behaviour is kept: the whole answer is an error (producers retry on it)", async () => {
    await assert.rejects(v6.parse(answer()), /no leader for this topic-partition/);
    await assert.rejects(v0.parse(answer()), /no leader for this topic-partition/);
  });
  it('inside it the answer is kept as the broker gave it: leader -1 and the error code on that partition', async () => {
    const data = answer();
    const parsed = await withPartitionErrorsTolerated(() => v6.parse(data));
    assert.deepEqual(parsed, answer());
  });
  it('topic errors and other partition errors still throw inside it', async () => {
    await assert.rejects(
      withPartitionErrorsTolerated(() => v6.parse(answer(0, UNKNOWN_TOPIC_OR_PARTITION))),
      /does not host this topic-partition/,
    );
    await assert.rejects(
      withPartitionErrorsTolerated(() => v6.parse(answer(NOT_LEADER_OR_FOLLOWER))),
      /not the leader/,
    );
  });
  it('the tolerance follows the call through awaits (kafkajs parses after the socket answered)', async () => {
    const parsed = await withPartitionErrorsTolerated(async () => {
      await new Promise((done) => setTimeout(done, 5));
      return v6.parse(answer());
    });
    assert.deepEqual(parsed, answer());
    await assert.rejects(v6.parse(answer()), /no leader/);
  });
  it('every call of a tolerant admin is inside it, non-function fields pass through', async () => {
    const fake = {
      name: 'admin',
      fetch(data: unknown) {
        return new Promise((done) => setTimeout(done, 1)).then(() => v6.parse(data));
      },
    };
    const admin = tolerantAdmin(fake);
    assert.equal(admin.name, 'admin');
    assert.deepEqual(await admin.fetch(answer()), answer());
    await assert.rejects(fake.fetch(answer()), /no leader/);
  });
});

/** A Metadata v1+ answer as kafkajs decodes it: `is_internal` per topic. */
function flaggedAnswer() {
  const topic = (name: string, isInternal: boolean) => ({
    topicErrorCode: 0,
    topic: name,
    isInternal,
    partitionMetadata: [{ partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1] }],
  });
  return {
    brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }],
    topicMetadata: [
      topic('__consumer_offsets', true),
      topic('share_group_v2_state', true),
      topic('orders', false),
      topic('__my_app_changelog', false),
    ],
  };
}

describe("kafkajs Metadata: the broker's internal flag (kafkajs' admin API drops it)", () => {
  it('inside withInternalTopicFlags every parsed answer adds its flagged topics, and only those', async () => {
    const { value, internal } = await withInternalTopicFlags(async () => {
      await new Promise((done) => setTimeout(done, 2));
      return v6.parse(flaggedAnswer());
    });
    assert.deepEqual(value, flaggedAnswer(), 'the answer itself is unchanged');
    assert.deepEqual([...internal].sort(), ['__consumer_offsets', 'share_group_v2_state']);
  });
  it('v0 answers carry no flag (nothing is added); outside the scope nothing is collected', async () => {
    const v0Answer = {
      ...flaggedAnswer(),
      topicMetadata: flaggedAnswer().topicMetadata.map(({ isInternal: _, ...t }) => t),
    };
    const { internal } = await withInternalTopicFlags(() => v0.parse(v0Answer));
    assert.equal(internal.size, 0);
    const outer = await withInternalTopicFlags(async () => {
      await withInternalTopicFlags(() => v6.parse(flaggedAnswer()));
      return v6.parse({ ...flaggedAnswer(), topicMetadata: [] });
    });
    assert.equal(outer.internal.size, 0, 'an inner scope keeps its answers to itself');
  });
});
