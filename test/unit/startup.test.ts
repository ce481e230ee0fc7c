import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Start-up: a command loads the SDK of the broker kind it talks to, and only when it talks to one. The
 * factories in src/brokers/*.ts load each kind on first use; an eager import of a kind (or of an SDK outside
 * its kind's folder) would load kafkajs, undici, protobufjs, amqplib and ws into every run, including
 * `--help` and a mistyped flag (measured: 616 modules and 1.1 s of CPU per `topic describe --no-such-flag`
 * before, 270 modules and 0.65 s after).
 */
const DIST = resolve(__dirname, '..', '..');
const SDKS = ['kafkajs', 'undici', 'protobufjs', 'amqplib', 'ws'];

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return commandFiles(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

/** The broker SDK packages in require.cache after a child process ran `script` (CommonJS). */
function sdksLoadedBy(script: string): Record<string, string[]> {
  const probe = `${script}
const sdks = ${JSON.stringify(SDKS)};
const loaded = {};
for (const key of Object.keys(require.cache)) {
  for (const sdk of sdks) if (key.includes('/node_modules/' + sdk + '/')) loaded[sdk] = true;
}
process.stdout.write(JSON.stringify(Object.keys(loaded)));`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', probe], { cwd: DIST, encoding: 'utf8', timeout: 60_000 }),
  );
}

describe('start-up: broker SDKs load on first use', () => {
  it('loading any of the command modules loads no broker SDK', () => {
    const files = commandFiles(join(DIST, 'commands'));
    assert.ok(files.length >= 50, `found ${files.length} command modules`);
    const script = files.map((f) => `require(${JSON.stringify(f)});`).join('\n');
    assert.deepEqual(sdksLoadedBy(script), []);
  });

  it('every factory in src/brokers/ plus a Kafka topic admin loads kafkajs and no other broker SDK', () => {
    // http.js is the HTTP door itself (undici, for Pulsar's and RabbitMQ's admin APIs), not a factory
    const factories = readdirSync(join(DIST, 'src', 'brokers')).filter(
      (name) => name.endsWith('.js') && name !== 'http.js',
    );
    assert.ok(factories.length >= 10, `found ${factories.length} factory modules`);
    const script = `${factories.map((f) => `require('./src/brokers/${f}');`).join('\n')}
const { topicAdminFor } = require('./src/brokers/topics.js');
topicAdminFor({ kind: 'kafka', target: '127.0.0.1:1' });`;
    assert.deepEqual(sdksLoadedBy(script), ['kafkajs']);
  });
});
