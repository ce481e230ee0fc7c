import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryClient } from '../../src/brokers/kafka/schema-registry';
import type { KafkaConnection } from '../../src/brokers/kafka/connection';
import type { KafkaContext } from '../../src/config/types';

/** Only what registryClient reads of a Kafka connection. */
const connection = (settings: Partial<KafkaContext> = {}) =>
  ({
    target: '127.0.0.1:9092',
    timeoutMs: 1000,
    settings: { kind: 'kafka', brokers: ['127.0.0.1:9092'], ...settings },
  }) as unknown as KafkaConnection;

describe('which schema registry mqctl schema talks to on Kafka', () => {
  it('none named: exit 2 saying where to name one', () => {
    assert.throws(
      () => registryClient(connection(), {}, {}),
      (e: Error & { exitCode?: number }) => e.exitCode === 2 && /none is named/.test(e.message),
    );
  });

  it('flag, then MQCTL_REGISTRY_URL, then the context', async () => {
    const ctx = connection({ schemaRegistry: { url: 'http://ctx:8081' } });
    const env = { MQCTL_REGISTRY_URL: 'http://env:8081' };
    const urls = [
      registryClient(ctx, { registryUrl: 'http://flag:8081/' }, env),
      registryClient(ctx, {}, env),
      registryClient(ctx, {}, {}),
    ];
    assert.deepEqual(
      urls.map((c) => c.baseUrl),
      ['http://flag:8081', 'http://env:8081', 'http://ctx:8081'],
    );
    await Promise.all(urls.map((c) => c.close()));
  });

  it('credentials in the URL are sent, never kept in the URL shown', async () => {
    const client = registryClient(connection(), { registryUrl: 'http://u:s3cret@reg:8081' }, {});
    assert.equal(client.baseUrl, 'http://reg:8081');
    await client.close();
  });

  it('a URL that is not http(s): exit 2', () => {
    assert.throws(
      () => registryClient(connection(), { registryUrl: 'kafka://x:1' }, {}),
      (e: Error & { exitCode?: number }) => e.exitCode === 2,
    );
  });
});
