import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  groupDeleteQuestion,
  namespaceDeleteQuestion,
  skipQuestion,
  topicDeleteQuestion,
} from '../../src/topics/prompt';
import type { TopicAdmin, TopicDescription } from '../../src/brokers/contracts/topics';

/** A topic admin that only describes, from fixtures. */
function describing(topics: Record<string, Partial<TopicDescription>>): TopicAdmin {
  return {
    describe: async (name: string) =>
      ({
        kind: 'kafka',
        cluster: 'c',
        name,
        partitioned: true,
        partitions: 0,
        internal: false,
        underReplicatedPartitions: 0,
        offlinePartitions: 0,
        partitionDetails: [],
        configs: [],
        ...topics[name],
      }) as TopicDescription,
  } as unknown as TopicAdmin;
}

const partitions = (...messages: number[]) =>
  messages.map((m, partition) => ({ partition, messages: m, underReplicated: false, offline: false }));

describe('confirmation prompts say how much goes (issue 11 item 4)', () => {
  it('topic delete: partitions, messages, and the groups that read it where known', async () => {
    const admin = describing({
      orders: { partitions: 2, partitionDetails: partitions(1, 0) },
      pay: { partitions: 1, partitionDetails: partitions(0) },
      p: {
        kind: 'pulsar',
        partitioned: false,
        stats: {
          backlog: 3,
          subscriptions: [
            { name: 'b', backlog: 3, consumers: 0 },
            { name: 'a', backlog: 0, consumers: 0 },
          ],
        } as never,
      },
    });
    const groups = async () =>
      new Map([
        ['orders', ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7']],
        ['pay', []],
      ]);
    assert.equal(
      await topicDeleteQuestion(admin, ['orders', 'pay'], groups),
      'Delete topics orders (2 partitions, 1 message; 7 consumer groups with offsets on it: g1, g2, g3, g4, g5 and 2 more), pay (1 partition, 0 messages; no consumer group has offsets on it)',
    );
    assert.equal(
      await topicDeleteQuestion(admin, ['orders'], async () => undefined),
      'Delete topic orders (2 partitions, 1 message)',
      'too many groups to ask: left out',
    );
    assert.equal(
      await topicDeleteQuestion(admin, ['orders'], async () => {
        throw new Error('coordinator not available');
      }),
      'Delete topic orders (2 partitions, 1 message)',
      'the group scan is best effort',
    );
    assert.equal(
      await topicDeleteQuestion(admin, ['p']),
      'Delete topic p (not partitioned, 3 messages in backlog; 2 subscriptions: a, b)',
    );
  });
  it('group delete: Kafka partitions of committed offsets, Pulsar backlog per topic', () => {
    assert.equal(
      groupDeleteQuestion('kafka', 'g', [
        { topic: 'a', partitions: 1 },
        { topic: 'b', partitions: 2 },
      ]),
      'Delete consumer group g and its committed offsets: 3 partitions of a, b',
    );
    assert.equal(
      groupDeleteQuestion('kafka', 'g', []),
      'Delete consumer group g (it has no committed offsets)',
    );
    assert.equal(
      groupDeleteQuestion('pulsar', 's', [
        { topic: 'persistent://t/n/a', backlog: 1 },
        { topic: 'persistent://t/n/b', backlog: 1200 },
      ]),
      'Delete subscription s on persistent://t/n/a (its cursor and a backlog of 1 message), persistent://t/n/b (its cursor and a backlog of 1,200 messages)',
    );
  });
  it('group skip and namespace delete', () => {
    assert.equal(
      skipQuestion('s', 'T', 'all', 1200),
      'Skip the whole backlog (1,200 messages) of subscription s on T',
    );
    assert.equal(skipQuestion('s', 'T', 1, 0), 'Skip 1 message of a backlog of 0 of subscription s on T');
    assert.equal(namespaceDeleteQuestion('t/n', [], false), 'Delete namespace t/n (no topics)');
    assert.equal(namespaceDeleteQuestion('t/n', ['x'], true), 'Delete namespace t/n and its 1 topic: x');
    assert.equal(
      namespaceDeleteQuestion('t/n', ['x', 'y'], false),
      'Delete namespace t/n (2 topics: x, y; Pulsar refuses this without --force)',
    );
  });
});
