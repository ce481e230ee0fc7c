import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkKafkajsLoad, PINNED_KAFKAJS_VERSION, REPLACED } from '../../src/brokers/kafka/kafkajs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../../../package.json') as { dependencies: Record<string, string> };

describe('kafkajs replacements fail loudly instead of silently doing nothing (issue 12 item 14)', () => {
  it('package.json pins kafkajs to exactly the version the replacements were compared with', () => {
    assert.equal(pkg.dependencies.kafkajs, PINNED_KAFKAJS_VERSION);
  });
  it('another kafkajs version is refused', () => {
    assert.throws(
      () => checkKafkajsLoad('2.2.5', {}, (id) => id),
      /kafkajs 2\.2\.5 is installed, but mqctl's kafkajs replacements were verified against 2\.2\.4/,
    );
  });
  it('kafkajs loaded first (its producer already bound the originals) is refused', () => {
    const resolve = (id: string) => `/x/${id}`;
    const cache: Record<string, NodeJS.Module | undefined> = {
      [resolve('kafkajs/src/producer/sendMessages')]: {} as NodeJS.Module,
      [REPLACED.groupMessagesPerPartition]: { exports: () => ({}) } as unknown as NodeJS.Module,
    };
    assert.throws(
      () => checkKafkajsLoad(PINNED_KAFKAJS_VERSION, cache, resolve),
      /kafkajs was loaded before src\/brokers\/kafka\/kafkajs\.ts/,
    );
  });
  it('a process where mqctl loaded first passes', () => {
    assert.doesNotThrow(() => checkKafkajsLoad(PINNED_KAFKAJS_VERSION, {}, (id) => id));
  });
});
