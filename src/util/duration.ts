import { UsageError } from '../core/errors';

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses `500ms`, `30s`, `5m`, `1h30m`, `1.5s`. A bare number is rejected unless `defaultUnit` is given. */
export function parseDuration(text: string, defaultUnit?: keyof typeof DURATION_UNITS_MS): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    if (!defaultUnit)
      throw new UsageError(`duration "${text}" needs a unit`, { hint: 'use e.g. 500ms, 30s, 5m, 1h' });
    return Number(trimmed) * DURATION_UNITS_MS[defaultUnit]!;
  }
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
    consumed += match[0].length;
  }
  if (consumed !== trimmed.length || trimmed.length === 0) {
    throw new UsageError(`invalid duration "${text}"`, { hint: 'use e.g. 500ms, 30s, 5m, 1h30m' });
  }
  return total;
}

/** Parses an RFC 3339 / ISO-8601 instant, or a duration meaning "that long ago" (`--since 1h`). */
export function parseInstant(text: string, now: number = Date.now()): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms))
      throw new UsageError(`invalid timestamp "${text}"`, { hint: 'use e.g. 2026-01-01T00:00:00Z' });
    return ms;
  }
  if (/^\d{13}$/.test(text)) return Number(text);
  return now - parseDuration(text);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const abs = Math.abs(ms);
  if (abs < 1) return `${(ms * 1000).toFixed(0)}µs`;
  if (abs < 1000) return `${ms.toFixed(abs < 10 ? 2 : 0)}ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(abs < 10_000 ? 2 : 1)}s`;
  if (abs < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** Parses `100`, `1KiB`, `1MB`, `512b`. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = match?.[2]?.toLowerCase() ?? '';
  if (!match || (unit !== '' && !(unit in SIZE_UNITS))) {
    throw new UsageError(`invalid size "${text}"`, { hint: 'use e.g. 100, 1KiB, 4MB' });
  }
  return Math.round(Number(match[1]) * (unit === '' ? 1 : SIZE_UNITS[unit]!));
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${value} B` : `${value.toFixed(1)} ${units[i]}`;
}
