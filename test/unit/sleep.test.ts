import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { sleep } from '../../src/util/timeout';

test('sleep leaves no abort listener behind: 20 sleeps on one signal (a lag --watch refresh loop) hold none after they end', async () => {
  const controller = new AbortController();
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    for (let i = 0; i < 20; i++) await sleep(1, controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('sleep ends early when its signal aborts, and at once when it was aborted before', async () => {
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 20);
  await sleep(10_000, controller.signal);
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  const again = Date.now();
  await sleep(10_000, controller.signal);
  assert.ok(Date.now() - again < 100);
});
