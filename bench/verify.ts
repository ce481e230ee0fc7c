/**
 * `npm run bench -- verify`: the delivery-guarantee matrix of issue 15, measured with `mqctl verify` on the
 * local three-node clusters (`scripts/brokers.sh up kafka-cluster` / `rabbitmq-cluster`, started here when
 * they are not up and stopped again afterwards unless MQCTL_BENCH_KEEP_CLUSTERS=1).
 *
 * Each cell runs MQCTL_VERIFY_TRIALS (5) trials. A trial: a fresh topic/queue, one `mqctl verify` run of
 * MQCTL_BENCH_VERIFY_SECONDS (15) s at 200 records/s, the fault (a node SIGKILL or restart, through the
 * project's fault helper) at a moment drawn uniformly from [1 s, duration − 1 s] and printed, the killed node
 * started again and the topic/queue deleted afterwards. Every child process has a deadline. The consumer-kill
 * cells use `--consumer-restarts 1`, which kills the consumer at the middle of the run (not a random moment).
 *
 * Selection: MQCTL_BENCH_VERIFY_CELLS=k-all,k-acks1,... (default: every cell but the Pulsar restarts). The Pulsar
 * restart cells restart the SHARED Pulsar standalone (6650/8080) and run only with MQCTL_BENCH_PULSAR_RESTART=1;
 * its consumer-kill cells (cumulative vs individual acks) run by default.
 * Output: per-trial lines and a Markdown table (min–max over the trials of each cell), also written to
 * MQCTL_BENCH_VERIFY_OUT (default $MQCTL_HOME/bench/verify-matrix-<time>.md, ~/.cache/mqctl by default),
 * rewritten after every trial so that an interrupted run keeps what it measured; the JSON result of every
 * trial sits next to it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ROOT, runProcess, type ProcessRun } from './_process';
import type { VerifyResult } from '../src/verify/run';

const KAFKA_BOOTSTRAP = '127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094';
const RATE = 200;
const BROKERS_SH = resolve(ROOT, 'scripts', 'brokers.sh');
const CLI = resolve(ROOT, 'bin', 'run.js');

type Broker = 'kafka' | 'rabbitmq' | 'pulsar';

interface TrialPlan {
  /** `mqctl verify` arguments (without --output/--result) */
  args: string[];
  /** what the trial did, printed and kept (fault node, client node...) */
  note: string;
  /** runs after the verify run whatever happened: start the node again, delete the topic */
  cleanup: () => Promise<void>;
}

interface Cell {
  id: string;
  broker: Broker;
  settings: string;
  fault: string;
  /** the cell's fault is a node fault at a random moment (false: --consumer-restarts, at the middle of the run) */
  randomFault: boolean;
  prepare: (name: string, atMs: number, trial: number, seconds: number) => Promise<TrialPlan>;
}

interface Trial {
  cell: string;
  trial: number;
  /** the node fault's moment; undefined for a consumer kill (at the middle of the run) */
  atMs?: number;
  note: string;
  result?: VerifyResult;
  error?: string;
  seconds: number;
}

function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function sh(args: string[], timeoutMs: number): Promise<ProcessRun> {
  return runProcess('bash', [BROKERS_SH, ...args], timeoutMs);
}

async function mqctl(args: string[], timeoutMs = 60_000): Promise<ProcessRun> {
  return runProcess(process.execPath, [CLI, ...args], timeoutMs);
}

async function must(what: string, run: Promise<ProcessRun>): Promise<ProcessRun> {
  const r = await run;
  if (r.code !== 0)
    throw new Error(
      `${what} failed (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(-500)}`,
    );
  return r;
}

/** Starts node N again (never throws: a failed start is reported, the next trial's lookup will notice). */
async function startNode(cluster: string, node: string): Promise<void> {
  const r = await sh(['start', cluster, node], 420_000);
  if (r.code !== 0) log(`  ! start ${cluster} ${node} failed: ${(r.stderr || r.stdout).trim().slice(-300)}`);
}

// ---------------------------------------------------------------- Kafka

async function kafkaLeader(topic: string): Promise<string> {
  const kafka = new Kafka({
    brokers: KAFKA_BOOTSTRAP.split(','),
    clientId: 'bench-verify',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = md.topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader;
    if (leader === undefined || leader < 1 || leader > 3)
      throw new Error(`no leader for ${topic}/0 (got ${leader})`);
    return String(leader);
  } finally {
    await admin.disconnect();
  }
}

function kafkaCell(
  id: string,
  settings: string,
  fault: string,
  verifyArgs: string[],
  killLeader: boolean,
): Cell {
  return {
    id,
    broker: 'kafka',
    randomFault: killLeader,
    settings,
    fault,
    prepare: async (topic, atMs) => {
      const kafkaArgs = ['--kind', 'kafka', '-b', KAFKA_BOOTSTRAP];
      await must(
        'topic create',
        mqctl([
          'topic',
          'create',
          topic,
          ...kafkaArgs,
          '-p',
          '1',
          '-R',
          '3',
          '--config',
          'min.insync.replicas=2',
        ]),
      );
      const leader = await kafkaLeader(topic);
      const args = ['verify', ...kafkaArgs, '--topic', topic, ...verifyArgs];
      if (killLeader)
        args.push('--fault', `at=${atMs}ms timeout=120s cmd=bash ${BROKERS_SH} kill kafka-cluster ${leader}`);
      return {
        args,
        note: killLeader ? `leader node ${leader} killed` : `leader node ${leader}, not killed`,
        cleanup: async () => {
          if (killLeader) await startNode('kafka-cluster', leader);
          await mqctl(['topic', 'delete', topic, ...kafkaArgs, '--yes']);
        },
      };
    },
  };
}

const KAFKA_RETRIES = ['retries=60', 'retry.backoff.max.ms=1000'];

// ---------------------------------------------------------------- RabbitMQ

const amqp = (n: number): string => `amqp://guest:guest@127.0.0.1:${5680 + n}`;
const mgmt = (n: number): string => `http://guest:guest@127.0.0.1:${15680 + n}`;

/** The node (1..3) holding the queue (classic: its node; quorum: its leader), from node `via`'s management API. */
async function rabbitQueueNode(queue: string, via: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${15680 + via}/api/queues/%2F/${encodeURIComponent(queue)}`, {
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as { node?: string; leader?: string };
      last = JSON.stringify(body).slice(0, 200);
      const m = /^mqctl-cluster-([123])@/.exec(body.leader ?? body.node ?? '');
      if (m) return Number(m[1]);
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`no node for queue ${queue}: ${last}`);
}

function rabbitCell(
  id: string,
  settings: string,
  fault: string,
  queueType: 'classic' | 'quorum',
  verifyArgs: string[],
  nodeFault: 'kill' | 'restart' | undefined,
): Cell {
  return {
    id,
    broker: 'rabbitmq',
    randomFault: nodeFault !== undefined,
    settings,
    fault,
    prepare: async (queue, atMs, trial) => {
      // declared through node 1, 2, 3 in turn; then the queue's node (leader) is looked up, and the clients
      // connect to another node, so that the fault never cuts the clients' own connection
      const declareOn = (trial % 3) + 1;
      await must(
        'queue create',
        mqctl([
          'queue',
          'create',
          queue,
          '--type',
          queueType,
          '--kind',
          'rabbitmq',
          '--url',
          amqp(declareOn),
          '--admin-url',
          mgmt(declareOn),
        ]),
      );
      const home = await rabbitQueueNode(queue, declareOn);
      const client = (home % 3) + 1;
      const conn = ['--kind', 'rabbitmq', '--url', amqp(client), '--admin-url', mgmt(client)];
      const args = ['verify', ...conn, '--topic', queue, '--queue-type', queueType, ...verifyArgs];
      if (nodeFault)
        args.push(
          '--fault',
          `at=${atMs}ms timeout=240s cmd=bash ${BROKERS_SH} ${nodeFault} rabbitmq-cluster ${home}`,
        );
      const role = queueType === 'quorum' ? 'leader' : 'queue node';
      return {
        args,
        note: `${role} ${home}${nodeFault ? ` ${nodeFault === 'kill' ? 'killed' : 'restarted'}` : ''}, clients on node ${client}`,
        cleanup: async () => {
          if (nodeFault === 'kill') await startNode('rabbitmq-cluster', String(home));
          if (nodeFault === 'restart') {
            // the restart is the fault; when it timed out the node may be down
            const st = await sh(['status', 'rabbitmq-cluster'], 60_000);
            if (!new RegExp(`^rabbit-c${home}\\s+up\\b`, 'm').test(st.stdout))
              await startNode('rabbitmq-cluster', String(home));
          }
          await mqctl([
            'queue',
            'delete',
            queue,
            '--kind',
            'rabbitmq',
            '--url',
            amqp(client),
            '--admin-url',
            mgmt(client),
            '--yes',
          ]);
        },
      };
    },
  };
}

// ---------------------------------------------------------------- Pulsar (opt-in: restarts the shared standalone)

function pulsarCell(id: string, settings: string, batching: boolean): Cell {
  return {
    id,
    broker: 'pulsar',
    randomFault: true,
    settings,
    fault: 'broker (standalone) restart',
    prepare: async (topic, atMs) => {
      const t = `persistent://public/default/${topic}`;
      await must('topic create', mqctl(['topic', 'create', t, '--kind', 'pulsar']));
      return {
        args: [
          'verify',
          '--kind',
          'pulsar',
          '--topic',
          t,
          ...(batching ? ['--batching'] : ['--no-batching']),
          '--fault',
          `at=${atMs}ms timeout=300s cmd=bash ${BROKERS_SH} down pulsar && bash ${BROKERS_SH} up pulsar`,
        ],
        note: 'standalone restarted',
        cleanup: async () => {
          await sh(['up', 'pulsar'], 420_000);
          await mqctl(['topic', 'delete', t, '--kind', 'pulsar', '--yes']);
        },
      };
    },
  };
}

/** A Pulsar consumer killed at mid-run (the standalone itself keeps running: not opt-in). */
function pulsarConsumerCell(id: string, settings: string, ack: 'individual' | 'cumulative'): Cell {
  return {
    id,
    broker: 'pulsar',
    randomFault: false,
    settings,
    fault: 'consumer killed at mid-run (1 s hang, --consumer-restarts 1)',
    prepare: async (topic) => {
      const t = `persistent://public/default/${topic}`;
      await must('topic create', mqctl(['topic', 'create', t, '--kind', 'pulsar']));
      return {
        args: ['verify', '--kind', 'pulsar', '--topic', t, '--pulsar-ack', ack, '--consumer-restarts', '1'],
        note: `${ack} acks`,
        cleanup: async () => {
          await mqctl(['topic', 'delete', t, '--kind', 'pulsar', '--yes', '--force']);
        },
      };
    },
  };
}

const CELLS: Cell[] = [
  kafkaCell(
    'k-all',
    'Kafka 3 nodes, RF 3, min.insync.replicas=2; acks=all, idempotent, retries=60',
    'partition leader SIGKILL',
    ['--producer-props', 'acks=all', 'enable.idempotence=true', ...KAFKA_RETRIES],
    true,
  ),
  kafkaCell(
    'k-acks1',
    'Kafka 3 nodes, RF 3, min.insync.replicas=2; acks=1, not idempotent, retries=60',
    'partition leader SIGKILL',
    ['--producer-props', 'acks=1', 'enable.idempotence=false', ...KAFKA_RETRIES],
    true,
  ),
  kafkaCell(
    'k-noidem',
    'Kafka 3 nodes, RF 3, min.insync.replicas=2; acks=all, idempotence off, retries=60',
    'partition leader SIGKILL',
    ['--producer-props', 'acks=all', 'enable.idempotence=false', ...KAFKA_RETRIES],
    true,
  ),
  kafkaCell(
    'k-consumer',
    'Kafka 3 nodes, RF 3; acks=all, idempotent; consumer auto-commit (1 s)',
    'consumer killed at mid-run (1 s hang, --consumer-restarts 1)',
    ['--producer-props', 'acks=all', 'enable.idempotence=true', ...KAFKA_RETRIES, '--consumer-restarts', '1'],
    false,
  ),
  rabbitCell(
    'r-quorum',
    'RabbitMQ 3 nodes; quorum queue, confirms, persistent, manual ack',
    'queue leader SIGKILL (clients on another node)',
    'quorum',
    ['--persistent'],
    'kill',
  ),
  rabbitCell(
    'r-transient',
    'RabbitMQ 3 nodes; classic durable queue, transient messages, confirms, manual ack',
    "restart (SIGKILL + start) of the queue's node (clients on another node)",
    'classic',
    [],
    'restart',
  ),
  rabbitCell(
    'r-autoack',
    'RabbitMQ 3 nodes; classic queue, confirms, persistent, auto-ack',
    'consumer killed at mid-run (1 s hang, --consumer-restarts 1)',
    'classic',
    ['--persistent', '--auto-ack', '--consumer-restarts', '1'],
    undefined,
  ),
  rabbitCell(
    'r-noconfirm',
    'RabbitMQ 3 nodes; quorum queue, confirms off, persistent, manual ack',
    'queue leader SIGKILL (clients on another node)',
    'quorum',
    ['--persistent', '--confirm', '0'],
    'kill',
  ),
  pulsarCell('p-batch', 'Pulsar standalone; batching on', true),
  pulsarCell('p-nobatch', 'Pulsar standalone; batching off', false),
  pulsarConsumerCell(
    'p-ack-cum',
    'Pulsar standalone; binary client, Exclusive subscription, cumulative acks',
    'cumulative',
  ),
  pulsarConsumerCell(
    'p-ack-ind',
    'Pulsar standalone; binary client, Exclusive subscription, individual acks',
    'individual',
  ),
];

// ---------------------------------------------------------------- table

function range(values: number[]): string {
  if (values.length === 0) return '–';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const f = (n: number): string => n.toLocaleString('en-US');
  return lo === hi ? f(lo) : `${f(lo)}–${f(hi)}`;
}

function when(atMs: number | undefined): string {
  return atMs === undefined ? 'consumer killed at mid-run' : `fault at ${(atMs / 1000).toFixed(1)} s`;
}

export function renderMatrix(cells: Cell[], trials: Trial[], header: string): string {
  const lines = [
    header,
    '',
    '| cell | settings | fault | trials | sent | acked | refused | lost | unconfirmed | duplicated (stored twice / redelivered) | reordered | outage s |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const cell of cells) {
    const ts = trials.filter((t) => t.cell === cell.id);
    if (ts.length === 0) continue;
    const ok = ts.map((t) => t.result).filter((r): r is VerifyResult => r !== undefined);
    const failed = ts.length - ok.length;
    const pick = (f: (r: VerifyResult) => number): string => range(ok.map(f));
    lines.push(
      `| ${cell.id} | ${cell.settings} | ${cell.fault} | ${ok.length}${failed ? ` (+${failed} failed)` : ''} | ` +
        `${pick((r) => r.sent)} | ${pick((r) => r.acknowledged)} | ${pick((r) => r.refused)} | ${pick((r) => r.lost)} | ` +
        `${pick((r) => r.unconfirmed)} | ${pick((r) => r.duplicated)} (${pick((r) => r.duplicatedStoredTwice)} / ${pick((r) => r.duplicatedRedelivered)}) | ` +
        `${pick((r) => r.reordered)} | ${range(ok.map((r) => Math.round(r.outages.reduce((s, w) => s + (w.to - w.from), 0) * 10) / 10))} |`,
    );
  }
  lines.push('', 'Trials:', '');
  for (const t of trials) {
    const r = t.result;
    lines.push(
      `- ${t.cell} #${t.trial}: ${when(t.atMs)}, ${t.note}; ` +
        (r
          ? `sent ${r.sent}, acked ${r.acknowledged}, refused ${r.refused}, lost ${r.lost}, unconfirmed ${r.unconfirmed}, ` +
            `duplicated ${r.duplicated} (stored twice ${r.duplicatedStoredTwice}, redelivered ${r.duplicatedRedelivered}), ` +
            `reordered ${r.reordered}, outages ${r.outages.map((w) => `${w.kind} ${w.from}-${w.to}s`).join(', ') || 'none'}` +
            `${r.faults[0] ? `, fault ran ${r.faults[0].at}-${r.faults[0].ended} s exit ${r.faults[0].exitCode}` : ''}`
          : `FAILED: ${t.error}`) +
        ` (${t.seconds.toFixed(0)} s wall)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- main

async function clusterUp(cluster: string): Promise<boolean> {
  const st = await sh(['status', cluster], 60_000);
  const wasUp = st.code === 0 && /\bup\b/.test(st.stdout) && !/\b(down|starting)\b/.test(st.stdout);
  log(`${cluster}: ${wasUp ? 'already up' : 'starting (about 45-60 s)'}`);
  await must(`brokers.sh up ${cluster}`, sh(['up', cluster], 600_000));
  return !wasUp;
}

export async function main(): Promise<void> {
  // 30-40 minutes and 1.4 GiB of clusters: only when asked for by name (`npm run bench -- verify`)
  if (!process.argv.slice(2).includes('verify')) {
    log('skipped: the verify matrix runs only by name, `npm run bench -- verify`');
    return;
  }
  const trialsPerCell = Number(env('MQCTL_VERIFY_TRIALS') ?? 5);
  const seconds = Number(env('MQCTL_BENCH_VERIFY_SECONDS') ?? 15);
  if (!(trialsPerCell >= 1) || !(seconds >= 4))
    throw new Error('MQCTL_VERIFY_TRIALS ≥ 1, MQCTL_BENCH_VERIFY_SECONDS ≥ 4');
  const pulsar = env('MQCTL_BENCH_PULSAR_RESTART') === '1';
  const wanted = env('MQCTL_BENCH_VERIFY_CELLS')
    ?.split(',')
    .map((s) => s.trim());
  const restartsPulsar = (c: Cell) => c.broker === 'pulsar' && c.randomFault;
  const cells = CELLS.filter((c) => (wanted ? wanted.includes(c.id) : !restartsPulsar(c) || pulsar));
  for (const c of cells)
    if (restartsPulsar(c) && !pulsar)
      throw new Error(`${c.id} restarts the shared Pulsar standalone: set MQCTL_BENCH_PULSAR_RESTART=1`);
  if (wanted) for (const w of wanted) if (!CELLS.some((c) => c.id === w)) throw new Error(`no cell ${w}`);
  if (!pulsar)
    log(
      'Pulsar broker-restart cells skipped (they restart the shared standalone; MQCTL_BENCH_PULSAR_RESTART=1 runs them).',
    );

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out =
    env('MQCTL_BENCH_VERIFY_OUT') ??
    join(env('MQCTL_HOME') ?? join(homedir(), '.cache', 'mqctl'), 'bench', `verify-matrix-${stamp}.md`);
  mkdirSync(dirname(out), { recursive: true });
  const header =
    `verify matrix, ${new Date().toISOString()}: ${RATE} records/s for ${seconds} s per trial, ` +
    `fault at a uniform moment in [1 s, ${seconds - 1} s], up to ${trialsPerCell} trials per cell (min–max over trials)`;

  const started: string[] = [];
  const trials: Trial[] = [];
  try {
    for (const cluster of ['kafka-cluster', 'rabbitmq-cluster'] as const) {
      const broker = cluster === 'kafka-cluster' ? 'kafka' : 'rabbitmq';
      if (cells.some((c) => c.broker === broker) && (await clusterUp(cluster))) started.push(cluster);
    }
    for (const cell of cells) {
      log(`\n--- ${cell.id}: ${cell.settings}; fault: ${cell.fault}`);
      for (let i = 1; i <= trialsPerCell; i++) {
        const atMs = Math.round(1000 + Math.random() * (seconds - 2) * 1000);
        const name = `bench-verify-${cell.id}-${Date.now().toString(36)}-${i}`;
        const t0 = Date.now();
        const trial: Trial = {
          cell: cell.id,
          trial: i,
          atMs: cell.randomFault ? atMs : undefined,
          note: '',
          seconds: 0,
        };
        let plan: TrialPlan | undefined;
        try {
          plan = await cell.prepare(name, atMs, i, seconds);
          trial.note = plan.note;
          log(`  trial ${i}: ${name}, ${when(trial.atMs)}, ${plan.note}`);
          const resultFile = out.replace(/\.md$/, `-${cell.id}-${i}.json`);
          const r = await mqctl(
            [
              ...plan.args,
              '--rate',
              String(RATE),
              '--duration',
              `${seconds}s`,
              '--drain-timeout',
              '20s',
              '--output',
              'json',
              '--result',
              resultFile,
            ],
            240_000,
          );
          if (r.code !== 0)
            throw new Error(`verify exit ${r.code ?? r.signal}: ${r.stderr.trim().slice(-400)}`);
          trial.result = JSON.parse(readFileSync(resultFile, 'utf8')) as VerifyResult;
        } catch (error) {
          trial.error = (error as Error).message;
        } finally {
          if (plan) await plan.cleanup().catch((e: Error) => log(`  ! cleanup: ${e.message}`));
        }
        trial.seconds = (Date.now() - t0) / 1000;
        trials.push(trial);
        log(
          renderMatrix([cell], [trial], '')
            .split('\n')
            .filter((l) => l.startsWith('- '))
            .join('\n'),
        );
        writeFileSync(out, renderMatrix(cells, trials, header));
      }
    }
  } finally {
    if (env('MQCTL_BENCH_KEEP_CLUSTERS') !== '1')
      for (const cluster of started) await sh(['down', cluster], 300_000);
  }
  const table = renderMatrix(cells, trials, header);
  writeFileSync(out, table);
  log(`\n${table}\nwritten to ${out}`);
  if (trials.some((t) => t.error))
    throw new Error(`${trials.filter((t) => t.error).length} trial(s) failed, see above`);
}
