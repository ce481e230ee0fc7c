/**
 * `npm run bench -- rss`: does mqctl's memory stay flat over a long run? One `mqctl perf produce` at a
 * fixed rate (BENCH_RSS_RATE, default 20,000 msg/s of 100 bytes) to the local Kafka (BENCH_RSS_KIND) for
 * BENCH_RSS_SECONDS (default 600; 60 when every benchmark runs), RSS read from /proc every 5 s.
 *
 * Prints RSS per minute, the growth from the end of the second minute (JIT, pools and the first GC cycles
 * settled) to the end, as MiB and MiB per minute, and the run's own verdict (rate held, send delay).
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
  const at = (t: number) => samples.filter((s) => s.t <= t).pop()?.rss ?? NaN;
  const lines = ['minute  RSS MiB'];
  for (let m = 1; m <= Math.ceil(seconds / 60); m++)
    lines.push(`${String(m).padStart(6)}  ${at(m * 60).toFixed(1)}`);
  const settledAt = Math.min(120, seconds / 2);
  const settled = at(settledAt);
  const end = samples[samples.length - 1]?.rss ?? NaN;
  const minutes = (samples[samples.length - 1]!.t - settledAt) / 60;
  lines.push(
    `peak ${Math.max(...samples.map((s) => s.rss)).toFixed(1)} MiB; from ${settledAt} s to the end: ${settled.toFixed(1)} → ${end.toFixed(1)} MiB (${(end - settled >= 0 ? '+' : '') + (end - settled).toFixed(1)} MiB, ${((end - settled) / minutes).toFixed(2)} MiB/min)`,
    `run: ${r.acked} acked, send rate ${r.sendRate?.toFixed(1)} msg/s (target ${rate}), send delay p99 ${r.latency.send_delay?.p99} ms, ${r.valid ? 'valid' : `invalid: ${r.invalidReason}`}`,
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
