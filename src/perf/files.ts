import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HistogramLogWriter } from 'hdr-histogram-js';
import { UsageError } from '../core/errors';
import { redact } from '../core/redact';
import { renderJson } from '../core/output';
import { decodeHistogram, type Histogram } from './histograms';
import type { MqctlPerfResult } from './result';
import { HISTOGRAM_TAGS, type HistogramName } from './result-schema';

function write(path: string, text: string, what: string): void {
  try {
    writeFileSync(path, redact(text));
  } catch (error) {
    throw new UsageError(`cannot write ${what} ${path}: ${(error as Error).message}`);
  }
}

/**
 * Before any load: an output file must be writable (an existing regular file we may write, or a new file in
 * an existing, writable directory), so a long run is never lost at the end to a typo in a path.
 */
export function checkWritable(path: string, flag: string): void {
  const fail = (why: string) => {
    throw new UsageError(`cannot write ${flag} ${path}: ${why}`, {
      hint: 'fix the path before the run: nothing was sent',
    });
  };
  let stats;
  try {
    stats = statSync(path);
  } catch {
    stats = undefined;
  }
  if (stats?.isDirectory()) fail('it is a directory');
  const target = stats ? path : dirname(resolve(path));
  try {
    if (!stats && !statSync(target).isDirectory()) fail(`${target} is not a directory`);
    accessSync(target, constants.W_OK);
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode !== undefined) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    fail(
      code === 'ENOENT'
        ? `directory ${target} does not exist`
        : code === 'EACCES'
          ? 'permission denied'
          : String(code),
    );
  }
}

export function writeResultFile(path: string, result: MqctlPerfResult): void {
  write(path, `${renderJson(result)}\n`, '--result');
}

export interface LogInterval {
  startEpochMs: number;
  endEpochMs: number;
  histograms: ReadonlyMap<HistogramName, Histogram>;
}

/**
 * An HdrHistogram interval log (.hlog, format 1.3), one tagged line per histogram per interval, values in
 * microseconds (the Max column in ms). Readable by HistogramLogReader (Java and JS) and HdrHistogram's
 * HistogramLogAnalyzer; `Tag=latency` is response latency.
 */
export function renderHdrLog(intervals: readonly LogInterval[], startEpochMs: number): string {
  const lines: string[] = [];
  const writer = new HistogramLogWriter((text) => lines.push(text));
  writer.outputComment(
    'mqctl perf: values in microseconds; Tag=latency is response latency (ack - intended)',
  );
  writer.outputLogFormatVersion();
  writer.outputStartTime(startEpochMs);
  writer.outputLegend();
  for (const interval of intervals) {
    for (const [name, h] of interval.histograms) {
      if (h.totalCount === 0) continue;
      h.tag = HISTOGRAM_TAGS[name];
      // timestamps relative to the StartTime comment, as Java's HistogramLogWriter writes them
      const start = (interval.startEpochMs - startEpochMs) / 1000;
      const end = (interval.endEpochMs - startEpochMs) / 1000;
      writer.outputIntervalHistogram(h, start, end, 1000);
    }
  }
  return lines.join('');
}

export function writeHdrLog(path: string, intervals: readonly LogInterval[], startEpochMs: number): void {
  write(path, renderHdrLog(intervals, startEpochMs), '--hdr-log');
}

/** The percentile distribution (.hgrm) in milliseconds, as the HdrHistogram plotter reads it. */
export function renderHgrm(histogram: Histogram): string {
  return histogram.outputPercentileDistribution(5, 1000);
}

/**
 * `--hgrm FILE`: FILE gets response latency; the other histograms go next to it as
 * FILE-without-.hgrm plus `.service.hgrm`, `.send_delay.hgrm`, `.e2e.hgrm`. Returns the paths written.
 */
export function writeHgrmFiles(path: string, result: MqctlPerfResult): string[] {
  const written: string[] = [];
  const base = path.replace(/\.hgrm$/, '');
  const primary: HistogramName = result.histograms.latency ? 'latency' : 'e2e';
  for (const [name, encoded] of Object.entries(result.histograms)) {
    if (!encoded) continue;
    // file suffixes are histogram tags (`.send_delay.hgrm`), not JSON keys: they kept their v1 names
    const target = name === primary ? path : `${base}.${HISTOGRAM_TAGS[name as HistogramName]}.hgrm`;
    write(target, renderHgrm(decodeHistogram(encoded)), '--hgrm');
    written.push(target);
  }
  return written;
}
