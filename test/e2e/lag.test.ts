import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Admin } from 'kafkajs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { KafkaConnection } from '../../src/brokers/kafka/connection';
import {
  BIN,
  recordChild,
  assertWithinTimeout,
  cliStartupMs,
  isolatedConfigEnv,
  parseJson,
  runCli,
} from '../helpers/cli';
import { CLOSED_PORT, LOCAL, requireKafka, uniqueName } from '../helpers/brokers';
import { kafkaConnection, produceWithTimestamps } from '../integration/kafka/lag-helpers';
import { createKafkaTopics } from '../helpers/topics';
import { tempDir } from '../helpers/tmp';

const K = ['--brokers', LOCAL.kafka.brokers];

describe('mqctl lag and mqctl group, as a user runs them', () => {
  let conn: KafkaConnection;
  let admin: Admin;
  const env = isolatedConfigEnv();
  const topic = uniqueName('lag-e2e');
  const group = uniqueName('lag-e2e-g');

  before(async () => {
    await requireKafka();
    conn = kafkaConnection();
    admin = await conn.admin();
    await createKafkaTopics(admin, [{ topic, numPartitions: 2 }]);
    await produceWithTimestamps(conn.kafka, topic, 2, 100, Date.now() - 90_000);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '40' },
        { partition: 1, offset: '70' },
      ],
    });
  });

  after(async () => {
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await conn.close();
  });

  it('thresholds exit 99 with one line when breached and 0 when not', async () => {
    const breached = await runCli(
      ['lag', ...K, '--group', group, '--max-lag', '89', '--max-time-lag', '10m'],
      { env },
    );
    assert.equal(breached.code, 99, breached.stderr);
    assert.equal(breached.stderr.trim().split('\n').length, 1);
    assert.match(breached.stderr, new RegExp(`^Error: lag threshold breached: ${group} lag 90 > 89\\n$`));
    assert.match(breached.stdout, /TOTAL-LAG/);

    const fine = await runCli(
      ['lag', ...K, '--group', group, '--max-lag', '90', '--max-time-lag', '10m', '-o', 'json'],
      { env },
    );
    assert.equal(fine.code, 0, fine.stderr);
    const doc = parseJson<{
      groups: Array<{ totalLag: number }>;
      rows: Array<{ lag: number; timeLagMs: number }>;
    }>(fine);
    assert.equal(doc.groups[0]!.totalLag, 90);
    assert.deepEqual(
      doc.rows.map((r) => r.lag),
      [60, 30],
    );

    const timeLag = await runCli(['lag', ...K, '--group', group, '--max-time-lag', '30s'], { env });
    assert.equal(timeLag.code, 99);
    assert.match(timeLag.stderr, /time lag .* > 30\.0s/);
  });

  it('--output prometheus parses with a real parser; csv and yaml render', async () => {
    const result = await runCli(['lag', ...K, '--group', group, '--output', 'prometheus'], { env });
    assert.equal(result.code, 0, result.stderr);
    const families = parsePrometheusTextFormat(result.stdout);
    const lag = families.find((f) => f.name === 'mqctl_consumergroup_lag')!;
    assert.deepEqual(lag.metrics.map((m) => [m.labels!.partition, m.value]).sort(), [
      ['0', '60'],
      ['1', '30'],
    ]);
    const seconds = families.find((f) => f.name === 'mqctl_consumergroup_lag_seconds')!;
    assert.ok(Number(seconds.metrics[0]!.value) > 80);
    const csv = await runCli(['lag', ...K, '--group', group, '-o', 'csv'], { env });
    assert.equal(csv.stdout.trim().split('\n').length, 3);
    const yaml = await runCli(['lag', ...K, '--group', group, '-o', 'yaml'], { env });
    assert.match(yaml.stdout, /totalLag: 90/);
  });

  it('--output prometheus labels like lag serve: the context name, --cluster-name, --metric-names', async () => {
    const ctxEnv = isolatedConfigEnv();
    const context = uniqueName('lag-e2e-ctx');
    const added = await runCli(['context', 'add', context, '--kind', 'kafka', ...K], { env: ctxEnv });
    assert.equal(added.code, 0, added.stderr);
    const clusterNames = (text: string) =>
      new Set(parsePrometheusTextFormat(text).flatMap((f) => f.metrics.map((m) => m.labels!.cluster_name)));

    const viaContext = await runCli(['lag', '--context', context, '--group', group, '-o', 'prometheus'], {
      env: ctxEnv,
    });
    assert.equal(viaContext.code, 0, viaContext.stderr);
    assert.deepEqual([...clusterNames(viaContext.stdout)], [context], 'the context name, as lag serve');

    const named = await runCli(
      [
        'lag',
        ...K,
        '--group',
        group,
        '-o',
        'prometheus',
        '--metric-names',
        'kafka-lag-exporter',
        '--cluster-name',
        'prod',
      ],
      { env },
    );
    assert.equal(named.code, 0, named.stderr);
    assert.deepEqual([...clusterNames(named.stdout)], ['prod']);
    const families = parsePrometheusTextFormat(named.stdout);
    const sum = families.find((f) => f.name === 'kafka_consumergroup_group_sum_lag')!;
    assert.deepEqual(sum.metrics[0]!.labels, { cluster_name: 'prod', group });
    assert.equal(sum.metrics[0]!.value, '90');
    assert.ok(!families.some((f) => f.name === 'mqctl_consumergroup_lag'), 'kafka-lag-exporter names only');

    for (const flag of [
      ['--cluster-name', 'prod'],
      ['--metric-names', 'kafka-lag-exporter'],
    ]) {
      const wrong = await runCli(['lag', ...K, '--group', group, ...flag], { env });
      assert.equal(wrong.code, 2, wrong.stderr);
      assert.match(wrong.stderr, new RegExp(`^Error: ${flag[0]} applies to --output prometheus`));
    }
  });

  it('--watch without a TTY prints one record per refresh and stops after --count', async () => {
    const result = await runCli(
      [
        'lag',
        ...K,
        '--group',
        group,
        '--watch',
        '200ms',
        '--count',
        '4',
        '-o',
        'json',
        '--fail-on',
        'stalled',
      ],
      {
        env,
      },
    );
    // Four samples of a group that does not move while lagging: STALLED, exit 99.
    assert.equal(result.code, 99, result.stderr);
    assert.match(result.stderr, /STALLED/);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).samples),
      [1, 2, 3, 4],
    );
    const table = await runCli(['lag', ...K, '--group', group, '--watch', '--count', '1'], { env });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^# mqctl lag .* every 5s {2}refresh 1/);
  });

  it('reset-offsets: dry run by default, --execute needs --yes without a TTY, --export/--from-file round trip', async () => {
    const dir = tempDir('mqctl-reset-');
    const plan = join(dir, 'plan.csv');
    const dry = await runCli(
      ['group', 'reset-offsets', group, ...K, '--topic', topic, '--shift-by', '-10', '--export', plan],
      { env },
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /dry run: nothing changed/);
    assert.equal(readFileSync(plan, 'utf8'), `${topic},0,30\n${topic},1,60\n`);
    const committed = async () =>
      (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions
        .sort((a, b) => a.partition - b.partition)
        .map((p) => Number(p.offset));
    assert.deepEqual(await committed(), [40, 70]);

    const refused = await runCli(['group', 'reset-offsets', group, ...K, '--from-file', plan, '--execute'], {
      env,
    });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /without confirmation — pass --yes/);
    assert.deepEqual(await committed(), [40, 70]);

    const applied = await runCli(
      ['group', 'reset-offsets', group, ...K, '--from-file', plan, '--execute', '--yes', '-o', 'json'],
      {
        env,
      },
    );
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(parseJson<{ executed: boolean }>(applied).executed, true);
    assert.deepEqual(await committed(), [30, 60]);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '40' },
        { partition: 1, offset: '70' },
      ],
    });

    const usage = await runCli(['group', 'reset-offsets', group, ...K, '--topic', topic], { env });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /choose where to reset to/);
  });

  it('group list and describe; unreachable brokers exit 69 within the timeout', async () => {
    const list = await runCli(['group', 'list', ...K, '-o', 'json'], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.ok(
      parseJson<{ items: Array<{ group: string; state: string }> }>(list).items.some(
        (g) => g.group === group,
      ),
    );
    const describe = await runCli(['group', 'describe', group, ...K], { env });
    assert.equal(describe.code, 0, describe.stderr);
    assert.match(describe.stdout, /\(no active members\)/);
    assert.match(describe.stdout, /total lag\s+90/);
    const missing = await runCli(['group', 'describe', uniqueName('none'), ...K], { env });
    assert.equal(missing.code, 3);
    const deadArgs = ['lag', '--brokers', `127.0.0.1:${CLOSED_PORT}`];
    const startup = await cliStartupMs(deadArgs, env);
    const down = await runCli([...deadArgs, '--timeout', '2s'], { env });
    assert.equal(down.code, 69, down.stderr);
    assert.equal(down.stderr.trim().split('\n').length, 1);
    assertWithinTimeout(down, 2000, startup);
  });

  function serve(extra: string[]) {
    const child = recordChild(
      spawn(
        process.execPath,
        [BIN, 'lag', 'serve', ...K, '--group', group, '--interval', '300ms', ...extra],
        { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const url = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL: ${stderr}`)), 20_000);
      child.stderr.on('data', () => {
        const m = /serving (http:\/\/\S+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    return { child, url, closed, stderr: () => stderr };
  }

  /** Scrapes until the background samples have produced a STALLED verdict (status 4). */
  async function scrapeStalled(url: string, statusLine: RegExp): Promise<string> {
    let text = '';
    for (let i = 0; i < 50; i++) {
      const res = await fetch(url);
      text = await res.text();
      if (res.status === 200 && statusLine.test(text)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return text;
  }

  it('lag serve exposes /metrics (status a number, process metrics, promtool-clean) and stops on SIGINT with 130', async () => {
    const s = serve(['--port', '0', '--cluster-name', 'e2e']);
    after(() => s.child.kill('SIGKILL'));
    const text = await scrapeStalled(await s.url, /^mqctl_consumergroup_status\{[^}]*\} 4$/m);
    const families = parsePrometheusTextFormat(text);
    const up = families.find((f) => f.name === 'mqctl_lag_up')!;
    assert.equal(up.metrics[0]!.value, '1');
    assert.equal(up.metrics[0]!.labels!.cluster_name, 'e2e');
    assert.equal(families.find((f) => f.name === 'mqctl_consumergroup_sum_lag')!.metrics[0]!.value, '90');
    const status = families.find((f) => f.name === 'mqctl_consumergroup_status')!;
    assert.equal(status.metrics[0]!.value, '4', 'STALLED from the background samples, as a number');
    assert.equal(status.metrics[0]!.labels!.status, undefined, 'no status label');
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ])
      assert.ok(
        families.some((f) => f.name === name),
        `${name} (prom-client default metrics)`,
      );
    // Prometheus' own linter on the real output.
    const lint = spawnSync('promtool', ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(lint.error, undefined, 'promtool not found: apt-get install prometheus');
    assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);
    assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '', 'promtool check metrics reports no problem');

    s.child.kill('SIGINT');
    assert.equal(await s.closed, 130);
  });

  it('lag serve --metric-names kafka-lag-exporter serves its names; SIGTERM exits 0 without a word', async () => {
    const s = serve(['--port', '0', '--metric-names', 'kafka-lag-exporter']);
    after(() => s.child.kill('SIGKILL'));
    const text = await scrapeStalled(await s.url, /^kafka_consumergroup_group_sum_lag\{[^}]*\} 90$/m);
    const families = parsePrometheusTextFormat(text);
    const sum = families.find((f) => f.name === 'kafka_consumergroup_group_sum_lag')!;
    assert.deepEqual(sum.metrics[0]!.labels, { cluster_name: LOCAL.kafka.brokers, group });
    assert.equal(families.filter((f) => f.name === 'kafka_consumergroup_group_lag')[0]!.metrics.length, 2);
    const before = s.stderr();
    s.child.kill('SIGTERM');
    assert.equal(await s.closed, 0);
    assert.equal(s.stderr(), before, 'nothing printed on SIGTERM');
  });

  it('lag serve on a port in use exits 2 with one line', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const result = await runCli(['lag', 'serve', ...K, '--group', group, '--port', String(port)], {
        env,
        timeoutMs: 30_000,
      });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`^Error: port 127\\.0\\.0\\.1:${port} is already in use — pick another with --port`),
      );
    } finally {
      blocker.close();
    }
  });
});
