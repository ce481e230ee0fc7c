/**
 * `npm run bench`: runs every benchmark module in bench/ (each exports `main()`), one after the other,
 * side by side with the reference tools. `npm run bench -- topics perf` runs only those. Speed claims
 * live here, never in timed unit tests.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

interface BenchModule {
  main: () => Promise<void>;
}

async function run(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_'))
    .map((f) => basename(f, '.js'))
    .filter((name) => wanted.length === 0 || wanted.includes(name))
    .sort();
  if (names.length === 0) throw new Error(`no benchmark matches ${wanted.join(' ')}`);
  const failures: string[] = [];
  for (const name of names) {
    process.stdout.write(`\n=== bench ${name} ===\n`);
    const started = Date.now();
    try {
      const mod = (await import(join(__dirname, `${name}.js`))) as BenchModule;
      await mod.main();
    } catch (error) {
      failures.push(name);
      process.stderr.write(`bench ${name} failed: ${(error as Error).message}\n`);
    }
    process.stdout.write(`=== ${name} took ${((Date.now() - started) / 1000).toFixed(0)} s ===\n`);
  }
  if (failures.length > 0) {
    process.stderr.write(`benchmarks failed: ${failures.join(', ')}\n`);
    process.exitCode = 1;
  }
}

void run();
