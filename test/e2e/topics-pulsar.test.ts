import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { requirePulsar, uniqueName } from '../helpers/brokers';
import { isolatedConfigEnv, parseJson, runCli, expectExit } from '../helpers/cli';

const env = isolatedConfigEnv();
const run = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });

// The topic commands through bin/run.js on pulsar: one file per broker (test/e2e/topics-*.test.ts), so the
// three run side by side (scripts/node-matrix.sh runs them on the other Node lines too).
describe('e2e: mqctl topic, tenant and namespace on Pulsar (bin/run.js)', () => {
  before(requirePulsar);
  const p = ['--kind', 'pulsar'];

  it('create → describe → alter → delete round trip', async () => {
    const name = uniqueName('mqctl-e2e');
    const full = `persistent://public/default/${name}`;
    const created = await run([
      'topic',
      'create',
      name,
      '--partitions',
      '2',
      '--config',
      'message-ttl-seconds=600',
      ...p,
    ]);
    expectExit(created, 0);
    assert.equal(created.stdout.trim(), `created topic ${full} (2 partitions)`);
    const described = await run(['topic', 'describe', full, '-o', 'yaml', ...p]);
    expectExit(described, 0);
    assert.match(
      described.stdout,
      new RegExp(
        `^kind: pulsar\\ncluster: http://127.0.0.1:8080\\nname: ${full}\\npartitioned: true\\npartitions: 2\\n`,
      ),
    );
    assert.match(described.stdout, /stats:\n\s+producers: 0\n\s+subscriptions: \[\]\n\s+backlog: 0/);
    expectExit(
      await run(['topic', 'alter', name, '--partitions', '1', ...p]),
      2,
      /Pulsar can only add partitions/,
    );
    const alter = await run(['topic', 'alter', name, '--partitions', '3', ...p]);
    expectExit(alter, 0);
    assert.equal(alter.stdout.trim(), `topic ${full}: partitions 2 → 3`);
    const table = await run(['topic', 'describe', name, ...p]);
    assert.match(table.stdout, /PARTITIONS \(3\)/);
    assert.match(table.stdout, /message-ttl-seconds\s+600\s+topic/);
    const deleted = await run(['topic', 'delete', name, '--yes', ...p]);
    expectExit(deleted, 0);
    assert.equal(deleted.stdout.trim(), `deleted topic ${full}`);
    expectExit(
      await run(['topic', 'describe', name, ...p]),
      3,
      /not found on Pulsar at http:\/\/127\.0\.0\.1:8080/,
    );
  });

  it('tenant list and namespace create → list → delete', async () => {
    const tenants = parseJson<{ items: Array<{ name: string }> }>(
      await run(['tenant', 'list', '-o', 'json', ...p]),
    ).items;
    assert.ok(tenants.some((t) => t.name === 'public'));
    const ns = `public/${uniqueName('mqctl-e2e')}`;
    expectExit(await run(['namespace', 'create', ns, ...p]), 0);
    const list = await run(['namespace', 'list', 'public', ...p]);
    assert.match(list.stdout, new RegExp(`^${ns}\\s+public`, 'm'));
    expectExit(await run(['namespace', 'delete', ns, ...p]), 2, /refusing to delete namespace/);
    expectExit(await run(['namespace', 'delete', ns, '--yes', ...p]), 0);
    expectExit(await run(['namespace', 'list', uniqueName('nobody'), ...p]), 3, /tenant .* not found/);
    expectExit(await run(['namespace', 'list', '--kind', 'kafka']), 2, /only on Pulsar/);
  });
});
