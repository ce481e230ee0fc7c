import { writeFileSync } from 'node:fs';
import { redact } from '../core/redact';
import { UsageError } from '../core/errors';
import { decodeHistogram } from './histograms';
import type { MqctlPerfResult } from './result';
import { HISTOGRAM_TAGS, type HistogramName } from './result-schema';
import { percentileRows } from './summary';

/**
 * `--report FILE.html`: one self-contained page (inline SVG and CSS, no script, no CDN) with throughput
 * over time, latency percentiles over time, and the percentile distribution on a log x-axis
 * (1/(1−p), as the HdrHistogram plotter draws it).
 */

interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  xTickFormat?: (v: number) => string;
}

const W = 1000;
const H = 340;
const M = { left: 80, right: 170, top: 40, bottom: 50 };
const COLORS: Record<HistogramName, string> = {
  latency: '#d62728',
  service: '#1f77b4',
  sendDelay: '#ff7f0e',
  e2e: '#2ca02c',
};

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceNumber(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (Math.abs(v) >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
    return out;
  }
  const span = max - min || 1;
  const step = 10 ** Math.floor(Math.log10(span / 5));
  const mult = span / step > 25 ? 5 : span / step > 10 ? 2 : 1;
  const s = step * mult;
  const out: number[] = [];
  for (let v = Math.ceil(min / s) * s; v <= max + 1e-9; v += s) out.push(+v.toPrecision(12));
  return out;
}

export function lineChart(series: Series[], opt: ChartOptions): string {
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) return `<p class="empty">${esc(opt.title)}: no samples</p>`;
  const pos = (v: number, log?: boolean) => (log ? Math.max(v, 1e-3) : v);
  let xMin = Math.min(...all.map((p) => pos(p[0], opt.xLog)));
  let xMax = Math.max(...all.map((p) => pos(p[0], opt.xLog)));
  let yMin = opt.yLog ? Math.min(...all.map((p) => pos(p[1], true))) : 0;
  let yMax = Math.max(...all.map((p) => pos(p[1], opt.yLog)));
  if (opt.yLog) {
    yMin = 10 ** Math.floor(Math.log10(yMin));
    yMax = 10 ** Math.ceil(Math.log10(yMax));
  } else {
    yMax = yMax <= 0 ? 1 : yMax * 1.1;
  }
  if (opt.xLog) {
    xMin = 10 ** Math.floor(Math.log10(xMin));
    xMax = 10 ** Math.ceil(Math.log10(xMax));
  }
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) yMax = yMin + 1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) =>
    M.left +
    (opt.xLog
      ? ((Math.log10(pos(x, true)) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * pw
      : ((x - xMin) / (xMax - xMin)) * pw);
  const sy = (y: number) =>
    M.top +
    ph -
    (opt.yLog
      ? ((Math.log10(pos(y, true)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph
      : ((y - yMin) / (yMax - yMin)) * ph);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">`);
  parts.push(`<text x="${W / 2 - M.right / 2}" y="22" class="title">${esc(opt.title)}</text>`);
  for (const t of ticks(yMin, yMax, Boolean(opt.yLog))) {
    const y = sy(t);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y + 4}" class="ytick">${niceNumber(t)}</text>`);
  }
  for (const t of ticks(xMin, xMax, Boolean(opt.xLog))) {
    const x = sx(t);
    parts.push(`<line x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + ph}" class="grid"/>`);
    parts.push(
      `<text x="${x}" y="${M.top + ph + 18}" class="xtick">${esc(opt.xTickFormat ? opt.xTickFormat(t) : niceNumber(t))}</text>`,
    );
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" class="frame"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 8}" class="label">${esc(opt.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" class="label">${esc(opt.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    const ly = M.top + 16 + i * 20;
    parts.push(
      `<line x1="${W - M.right + 12}" x2="${W - M.right + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(`<text x="${W - M.right + 42}" y="${ly}" class="legend">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Points of the percentile distribution: x = 1/(1−p) from 1 to 10^5, y = latency in ms. */
export function distributionPoints(encoded: string): Array<[number, number]> {
  const h = decodeHistogram(encoded);
  const points: Array<[number, number]> = [];
  const maxExp = Math.min(5, Math.log10(Math.max(10, h.totalCount)));
  for (let e = 0; e <= maxExp + 1e-9; e += 0.05) {
    const p = 100 * (1 - 10 ** -e);
    points.push([10 ** e, Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000]);
  }
  points.push([10 ** maxExp, h.maxValue / 1000]);
  return points;
}

const pctLabel = (x: number) => {
  const p = 100 * (1 - 1 / x);
  return `${p >= 99 ? +p.toFixed(4) : +p.toFixed(0)}%`;
};

/**
 * The intervals a chart may draw: full ones only. A stray tail interval of 10 ms with a few late records
 * drew a steady 2,000 msg/s run as a collapse to 200 msg/s; an interval is full when it lasted at least
 * 90 % of --interval (the last one may be stretched to take the final acknowledgements).
 */
export function fullIntervals(result: MqctlPerfResult): MqctlPerfResult['intervals'] {
  const nominal = Number(result.settings.intervalSeconds);
  if (!Number.isFinite(nominal) || nominal <= 0) return result.intervals;
  return result.intervals.filter((i, k) => {
    const seconds = i.t - (k > 0 ? result.intervals[k - 1]!.t : 0);
    return seconds >= 0.9 * nominal;
  });
}

const words = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** Settings as the summary reads them: flattened, in words, without unset values. */
export function readableSettings(settings: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(settings)) {
    if (v === null || v === undefined) continue;
    const name = prefix ? `${prefix} ${words(k)}` : words(k);
    if (typeof v === 'object' && !Array.isArray(v))
      out.push(...readableSettings(v as Record<string, unknown>, name));
    else out.push([name, typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)]);
  }
  return out;
}

export function renderReport(result: MqctlPerfResult): string {
  const consumer = result.command === 'consume';
  const ts = fullIntervals(result);
  const throughput: Series[] = [
    {
      name: consumer ? 'received msg/s' : 'acked msg/s',
      color: '#1f77b4',
      points: ts.map((i) => [i.t, i.rate]),
    },
  ];
  if (result.targetRate) {
    throughput.push({
      name: 'target',
      color: '#888',
      dashed: true,
      points: ts.length
        ? [
            [ts[0]!.t, result.targetRate],
            [ts[ts.length - 1]!.t, result.targetRate],
          ]
        : [],
    });
  }
  const overTime: Series[] = [
    { name: 'p50', color: '#2ca02c', points: ts.map((i) => [i.t, i.p50]) },
    { name: 'p99', color: '#ff7f0e', points: ts.map((i) => [i.t, i.p99]) },
    { name: 'max', color: '#d62728', points: ts.map((i) => [i.t, i.max]) },
  ];
  if (ts.some((i) => i.sendDelayP99 !== undefined)) {
    overTime.push({
      name: 'send delay p99',
      color: '#9467bd',
      dashed: true,
      points: ts.map((i) => [i.t, i.sendDelayP99 ?? 0]),
    });
  }
  const distribution: Series[] = Object.entries(result.histograms)
    .filter(([, e]) => e)
    .map(([name, e]) => ({
      name: name === 'latency' ? 'response' : HISTOGRAM_TAGS[name as HistogramName],
      color: COLORS[name as HistogramName],
      points: distributionPoints(e!.encoded),
    }));
  const rows = percentileRows(result)
    .map(
      (r) =>
        `<tr><td>${esc(r.label)}</td><td>${r.summary.count}</td>${[r.summary.p50, r.summary.p90, r.summary.p95, r.summary.p99, r.summary.p999, r.summary.p9999, r.summary.max].map((v) => `<td>${v.toFixed(3)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const settings = readableSettings(result.settings)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('\n');
  const gates = result.gates ?? [];
  const failedGates = gates.filter((g) => !g.passed);
  // the verdict is the run's and its gates': a run that failed 2 of 5 gates is not a green "valid"
  const verdict = !result.valid
    ? `<span class="bad">INVALID</span> — ${esc(result.invalidReason ?? '')}`
    : failedGates.length
      ? `<span class="bad">FAILED</span> — ${failedGates.length} of ${gates.length} gates failed`
      : `<span class="ok">valid</span>${gates.length ? ` — all ${gates.length} gates passed` : ''}`;
  const gateRows = gates
    .map(
      (g) =>
        `<tr><td>${esc(g.expression)}</td><td>${g.measured === null ? '-' : esc(`${g.measured} ${g.unit}`)}</td><td>${g.passed ? '<span class="ok">pass</span>' : '<span class="bad">FAIL</span>'}</td><td>${esc(g.message)}</td></tr>`,
    )
    .join('\n');
  const gateTable = gates.length
    ? `<h2 style="font-size:16px">Gates</h2>\n<table id="gates"><tr><th>gate</th><th>measured</th><th>result</th><th>detail</th></tr>\n${gateRows}\n</table>`
    : '';
  const fewPoints =
    ts.length < 5
      ? `<p class="sub">only ${ts.length} full interval${ts.length === 1 ? '' : 's'} to draw: a shorter --interval gives more points</p>`
      : '';
  const latencyTitle = consumer
    ? 'End-to-end latency per interval (ms)'
    : 'Response latency per interval (ms, ack − intended)';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mqctl perf ${esc(result.command)} — ${esc(result.broker.kind)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1040px}
h1{font-size:20px;margin:0 0 4px} .sub{color:#666;margin-bottom:16px}
table{border-collapse:collapse;margin:8px 0 16px} td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f5f5f5} td:first-child{text-align:left} .kv th{text-align:left}
.ok{color:#2ca02c;font-weight:bold} .bad{color:#d62728;font-weight:bold}
svg{display:block;margin:8px 0 20px;background:#fff} .title{font-size:15px;font-weight:bold;text-anchor:middle}
.grid{stroke:#eee} .frame{fill:none;stroke:#999} .xtick{font-size:11px;text-anchor:middle} .ytick{font-size:11px;text-anchor:end}
.label{font-size:12px;text-anchor:middle;fill:#444} .legend{font-size:12px}
</style></head><body>
<h1>mqctl perf ${esc(result.command)} — ${esc(result.broker.kind)} ${esc(result.broker.target)}</h1>
<div class="sub">${esc(result.environment.startTime)} → ${esc(result.environment.endTime)} · ${esc(result.environment.hostname)} · node ${esc(result.environment.node)} · ${result.environment.cpus} CPUs${result.environment.shard ? ` · shard ${esc(result.environment.shard)}` : ''}</div>
<table class="kv">
<tr><th>throughput</th><td>${result.throughput} msg/s${result.targetRate ? ` of ${result.targetRate} target` : ' (unthrottled)'} · ${result.mbPerSec} MB/s</td></tr>
<tr><th>measured</th><td>${result.durationSeconds} s · sent ${result.sent} · acked ${result.acked}${result.received !== undefined ? ` · received ${result.received}` : ''} · errors ${result.errors}</td></tr>
<tr><th>verdict</th><td id="verdict">${verdict}</td></tr>
</table>
${gateTable}
<table><tr><th>latency (ms)</th><th>count</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>p99.99</th><th>max</th></tr>
${rows}
</table>
${fewPoints}
${lineChart(throughput, { title: 'Throughput over time', xLabel: 'seconds (measured phase)', yLabel: 'msg/s' })}
${lineChart(overTime, { title: latencyTitle, xLabel: 'seconds (measured phase)', yLabel: 'ms (log)', yLog: true })}
${lineChart(distribution, { title: 'Latency by percentile', xLabel: 'percentile (log scale of 1/(1−p))', yLabel: 'ms (log)', xLog: true, yLog: true, xTickFormat: pctLabel })}
<h2 style="font-size:16px">Settings</h2>
<table class="kv">${settings}</table>
<p class="sub">schema ${esc(result.schema)} · mqctl ${esc(result.tool.version)}</p>
</body></html>
`;
}

export function writeReport(path: string, result: MqctlPerfResult): void {
  try {
    writeFileSync(path, redact(renderReport(result)));
  } catch (error) {
    throw new UsageError(`cannot write --report ${path}: ${(error as Error).message}`);
  }
}
