import type { MetricKind } from './metrics';

/** The unit each metric kind is displayed (and stored in GateOutcome.measured) in. */
export const DISPLAY_UNIT: Record<MetricKind, string> = {
  latency: 'ms',
  rate: 'msg/s',
  bandwidth: 'MB/s',
  count: '',
  ratio: '%',
  duration: 's',
};

/** Converts an internal value (µs, fraction, ...) into the display unit. */
export function toDisplay(kind: MetricKind, value: number): number {
  switch (kind) {
    case 'latency':
      return value / 1000;
    case 'ratio':
      return value * 100;
    default:
      return value;
  }
}

function trimNumber(n: number, decimals: number): string {
  return Number(n.toFixed(decimals)).toString();
}

/** Human text for an internal value: `850µs`, `12.3ms`, `1.25s`, `49,876 msg/s`, `0.01%`. */
export function formatValue(kind: MetricKind, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '-';
  switch (kind) {
    case 'latency': {
      const us = value;
      if (Math.abs(us) < 1000) return `${trimNumber(us, 1)}µs`;
      if (Math.abs(us) < 1_000_000) return `${trimNumber(us / 1000, us < 10_000 ? 3 : 2)}ms`;
      return `${trimNumber(us / 1_000_000, 3)}s`;
    }
    case 'rate':
      return `${Math.round(value).toLocaleString('en-US')} msg/s`;
    case 'bandwidth':
      return `${trimNumber(value, 2)} MB/s`;
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'ratio':
      return `${trimNumber(value * 100, 4)}%`;
    case 'duration':
      return `${trimNumber(value, 2)}s`;
  }
}

/** A signed percentage change, `+12.3%` / `-4.0%`. */
export function formatChange(fraction: number | null): string {
  if (fraction === null || Number.isNaN(fraction)) return '-';
  if (!Number.isFinite(fraction)) return fraction > 0 ? '+inf' : '-inf';
  const pct = fraction * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}
