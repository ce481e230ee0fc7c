/**
 * `npm run bench -- rss`: does mqctl's memory stay flat over a long run? One `mqctl perf produce` at a
 * fixed rate (BENCH_RSS_RATE, default 20,000 msg/s of 100 bytes) to the local Kafka (BENCH_RSS_KIND) for
 * BENCH_RSS_SECONDS (default 600; 60 when every benchmark runs), RSS read from /proc every 5 s.
 *
 * Prints RSS per minute (min–max), the least-squares trend in MiB per minute after the second minute (JIT,
 * pools and the first GC cycles settled), and the run's own verdict (rate held, send delay).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './_process';

function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function main(): Promise<void> {
  const selected = process.argv.slice(2).includes('rss');
  const seconds = Number(process.env.BENCH_RSS_SECONDS ?? (selected ? 600 : 60));
  const rate = Number(process.env.BENCH_RSS_RATE ?? 20_000);
  const kind = process.env.BENCH_RSS_KIND ?? 'kafka';
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-bench-rss-'));
  const resultFile = join(dir, 'result.json');
  const topic = `bench-rss-${Date.now().toString(36)}`;
  const args = [
    join(ROOT, 'bin', 'run.js'),
    'perf',
    'produce',
    '--kind',
    kind,
    '--topic',
    topic,
    '--create-topic',
    '--rate',
    String(rate),
    '--record-size',
    '100',
    '--duration',
    `${seconds}s`,
    '--warmup',
    '0',
    '--interval',
    '5s',
    '--result',
    resultFile,
    '--output',
    'json',
  ];
  process.stderr.write(`bench rss: ${kind} ${rate} msg/s for ${seconds} s …\n`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const samples: Array<{ t: number; rss: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const rss = rssMiB(child.pid!);
    if (rss !== undefined) samples.push({ t: (Date.now() - started) / 1000, rss });
  }, 5000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  if (code !== 0 || !existsSync(resultFile))
    throw new Error(`mqctl exited ${code}: ${stderr.split('\n').slice(-3).join(' ')}`);
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  const lines = ['minute  RSS MiB (min–max of its 5 s samples)'];
  for (let m = 1; m <= Math.ceil(seconds / 60); m++) {
    const inMinute = samples.filter((x) => x.t > (m - 1) * 60 && x.t <= m * 60).map((x) => x.rss);
    if (inMinute.length > 0)
      lines.push(
        `${String(m).padStart(6)}  ${Math.min(...inMinute).toFixed(1)}–${Math.max(...inMinute).toFixed(1)}`,
      );
  }
  // the garbage collector's sawtooth hides a trend in any two samples: fit a line through all of them
  const settledAt = Math.min(120, seconds / 2);
  const settled = samples.filter((x) => x.t >= settledAt);
  const mt = settled.reduce((n, x) => n + x.t, 0) / settled.length;
  const mr = settled.reduce((n, x) => n + x.rss, 0) / settled.length;
  const slope =
    settled.reduce((n, x) => n + (x.t - mt) * (x.rss - mr), 0) /
    Math.max(
      1e-9,
      settled.reduce((n, x) => n + (x.t - mt) ** 2, 0),
    );
  lines.push(
    `peak ${Math.max(...samples.map((x) => x.rss)).toFixed(1)} MiB; after ${settledAt} s: mean ${mr.toFixed(1)} MiB, least-squares trend ${(slope * 60 >= 0 ? '+' : '') + (slope * 60).toFixed(2)} MiB/min over ${settled.length} samples`,
    `run: ${r.acked} acked, send rate ${r.sendRate?.toFixed(1)} msg/s (target ${rate}), send delay p99 ${r.latency.sendDelay?.p99} ms, ${r.valid ? 'valid' : `invalid: ${r.invalidReason}`}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => {
    spawn(
      process.execPath,
      [join(ROOT, 'bin', 'run.js'), 'topic', 'delete', topic, '--kind', kind, '--yes'],
      {
        stdio: 'ignore',
      },
    ).on('close', () => resolve());
  });
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
