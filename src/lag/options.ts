import { redact } from '../core/redact';
import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError, forFlag } from '../core/errors';
import type { ResetPlan, ResetSpec, ResetTarget } from '../brokers/group-admin';
import { parseDuration, parseInstant } from '../util/duration';
import type { FailOn, LagThresholds } from './thresholds';

/** `--watch`, `--watch 2s`, `--watch=500ms`, `--watch 5` (seconds). Bare `--watch` means 5s. */
export const DEFAULT_WATCH_INTERVAL = '5s';

/**
 * oclif flags cannot have an optional value, so a bare `--watch` (last, or followed by another flag) gets
 * the default interval before parsing.
 */
export function normalizeWatchArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === '--watch' || arg === '-w') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-') || !/^\d/.test(next)) {
        out.push(`--watch=${DEFAULT_WATCH_INTERVAL}`);
        continue;
      }
    }
    out.push(arg);
  }
  return out;
}

export function parseInterval(text: string, flag = '--watch'): number {
  const ms = forFlag(flag, () => parseDuration(text, 's'));
  if (ms < 100) throw new UsageError(`${flag} interval must be at least 100ms`, { hint: 'e.g. --watch 5s' });
  return ms;
}

export function parseThresholds(flags: {
  'max-lag'?: number;
  'max-time-lag'?: string;
  'fail-on'?: string;
}): LagThresholds {
  const t: LagThresholds = {};
  if (flags['max-lag'] !== undefined) {
    if (flags['max-lag'] < 0) throw new UsageError('--max-lag must be 0 or more');
    t.maxLag = flags['max-lag'];
  }
  if (flags['max-time-lag'] !== undefined)
    t.maxTimeLagMs = forFlag('--max-time-lag', () => parseDuration(flags['max-time-lag']!, 's'));
  if (flags['fail-on'] !== undefined) t.failOn = flags['fail-on'] as FailOn;
  return t;
}

/** `--group` and `--all-groups` pick the groups two ways: together they are a usage error. */
export function checkGroupSelection(flags: { group?: string[]; 'all-groups'?: boolean }): void {
  if (flags['all-groups'] && flags.group?.length)
    throw new UsageError('--all-groups and --group exclude each other');
}

/** `orders`, `orders:0,1,2`, `orders:0-3` → a reset target. */
export function parseTopicPartitions(text: string): ResetTarget {
  const idx = text.lastIndexOf(':');
  // Pulsar full names contain "://": only a suffix of digits, commas and ranges is a partition list.
  if (idx === -1 || !/^[\d,\s-]+$/.test(text.slice(idx + 1))) return { topic: text, partitions: [] };
  const topic = text.slice(0, idx);
  const partitions = new Set<number>();
  for (const part of text.slice(idx + 1).split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!range)
      throw new UsageError(`invalid partition list in "${text}"`, { hint: 'use topic:0,1,2 or topic:0-3' });
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from) throw new UsageError(`invalid partition range in "${text}"`);
    for (let p = from; p <= to; p++) partitions.add(p);
  }
  return { topic, partitions: [...partitions].sort((a, b) => a - b) };
}

/** ISO-8601 durations (`PT1H30M`, `P1DT2H`) as Kafka's --by-duration takes them, or mqctl's `1h30m`. */
export function parseResetDuration(text: string): number {
  const iso =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
      text.trim(),
    );
  if (iso && text.trim().length > 1 && !/T$/i.test(text.trim())) {
    const [, d, h, m, s] = iso;
    return (
      Number(d ?? 0) * 86_400_000 +
      Number(h ?? 0) * 3_600_000 +
      Number(m ?? 0) * 60_000 +
      Number(s ?? 0) * 1000
    );
  }
  return parseDuration(text);
}

/**
 * A timestamp for --to-datetime: ISO-8601 (a zone-less one is UTC), or Unix time told apart by digits as
 * rpk does (10 = seconds, 13 = milliseconds, 19 = nanoseconds).
 */
export function parseResetDatetime(text: string): number {
  const t = text.trim();
  if (/^\d{10}$/.test(t)) return Number(t) * 1000;
  if (/^\d{13}$/.test(t)) return Number(t);
  if (/^\d{19}$/.test(t)) return Math.floor(Number(BigInt(t) / 1_000_000n));
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(t)) return forFlag('--to-datetime', () => parseInstant(`${t}Z`));
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) return forFlag('--to-datetime', () => parseInstant(t));
  throw new UsageError(`invalid --to-datetime "${text}"`, {
    hint: 'use e.g. 2026-01-01T00:00:00Z, 2026-01-01T00:00:00.000 (UTC), or Unix seconds/milliseconds',
  });
}

export interface ResetSpecFlags {
  'to-earliest'?: boolean;
  'to-latest'?: boolean;
  'to-datetime'?: string;
  'by-duration'?: string;
  'to-offset'?: number;
  'shift-by'?: number;
  'from-file'?: string;
}

export function parseResetSpec(flags: ResetSpecFlags, now = Date.now()): ResetSpec {
  const chosen = (
    ['to-earliest', 'to-latest', 'to-datetime', 'by-duration', 'to-offset', 'shift-by', 'from-file'] as const
  ).filter((k) => flags[k] !== undefined && flags[k] !== false);
  if (chosen.length !== 1) {
    throw new UsageError(
      chosen.length === 0
        ? 'choose where to reset to'
        : `choose one reset target, not ${chosen.map((c) => `--${c}`).join(' and ')}`,
      {
        hint: 'one of --to-earliest, --to-latest, --to-datetime, --by-duration, --to-offset, --shift-by, --from-file',
      },
    );
  }
  switch (chosen[0]!) {
    case 'to-earliest':
      return { to: 'earliest' };
    case 'to-latest':
      return { to: 'latest' };
    case 'to-datetime':
      return { to: 'datetime', timestamp: parseResetDatetime(flags['to-datetime']!) };
    case 'by-duration':
      return {
        to: 'datetime',
        timestamp: now - forFlag('--by-duration', () => parseResetDuration(flags['by-duration']!)),
      };
    case 'to-offset':
      if (flags['to-offset']! < 0) throw new UsageError('--to-offset must be 0 or more');
      return { to: 'offset', offset: flags['to-offset']! };
    case 'shift-by':
      return { to: 'shift', by: flags['shift-by']! };
    case 'from-file':
      return { to: 'file', entries: readResetFile(flags['from-file']!) };
  }
}

/**
 * The CSV `--export` writes and `--from-file` reads: `topic,partition,offset` per line, as
 * kafka-consumer-groups.sh exports for one group (a `group,topic,partition,offset` form and a header line
 * are accepted too).
 */
export function parseResetCsv(
  text: string,
  source = 'file',
): Array<{ topic: string; partition: number; offset: number }> {
  const entries: Array<{ topic: string; partition: number; offset: number }> = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    if (i === 0 && /^(group|topic)$/i.test(cells[0] ?? '')) return;
    const [topic, partition, offset] = cells.length === 4 ? cells.slice(1) : cells;
    if (
      cells.length < 3 ||
      cells.length > 4 ||
      !topic ||
      !/^\d+$/.test(partition ?? '') ||
      !/^\d+$/.test(offset ?? '')
    ) {
      throw new UsageError(`${source} line ${i + 1}: expected topic,partition,offset, got "${line}"`);
    }
    entries.push({ topic, partition: Number(partition), offset: Number(offset) });
  });
  if (entries.length === 0) throw new UsageError(`${source} has no topic,partition,offset lines`);
  return entries;
}

export function readResetFile(path: string): Array<{ topic: string; partition: number; offset: number }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --from-file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  return parseResetCsv(text, path);
}

export function resetPlanCsv(plan: ResetPlan): string {
  return plan.rows
    .filter((r) => r.partition !== null && r.newOffset !== null)
    .map((r) => `${r.topic},${r.partition},${r.newOffset}`)
    .join('\n')
    .concat('\n');
}

export function writeResetPlan(path: string, plan: ResetPlan): void {
  try {
    writeFileSync(path, redact(resetPlanCsv(plan)));
  } catch (error) {
    throw new UsageError(`cannot write --export ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}
