import type { Command } from '@oclif/core';
import { BaseCommand } from '../cli/base-command';
import { InterruptedError } from '../cli/errors';
import type { GateFlagValues } from '../gates/options';
import { GateSession } from '../gates/session';
import { renderCsv, renderJson, renderYaml } from '../cli/output';
import { writeHdrLog, writeHgrmFiles, writeResultFile } from './files';
import { intervalRetention } from './histograms';
import { writeReport } from './report';
import type { PerfInterval } from './result-schema';
import type { PerfRunOutput, RunHooks } from './run';
import {
  kafkaConsumerPerfTestLines,
  kafkaPerfTestLine,
  percentileRows,
  progressLine,
  renderSummary,
} from './summary';

/**
 * What perf produce / consume / e2e share: progress on stderr (a line per interval, a live status line on
 * a TTY), then the one final step — result → files → render → gates → exit code.
 */
export abstract class PerfCommand<T extends typeof Command> extends BaseCommand<T> {
  private statusTimer?: NodeJS.Timeout;
  private statusShown = false;
  /** gates (src/gates): validated in init, before any load is sent; evaluated in finishRun */
  protected gates!: GateSession;

  public override async init(): Promise<void> {
    await super.init();
    this.gates = await GateSession.fromFlags(this.flags as unknown as GateFlagValues);
    // interval histograms outlive their progress row only when an .hlog will be written
    intervalRetention.keep = Boolean((this.flags as Record<string, unknown>)['hdr-log']);
  }

  protected runHooks(): RunHooks {
    const live = Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb';
    return {
      signal: this.gates.signal(this.signal),
      onNote: (text) => this.note(text),
      onIntervalHistograms: (histograms) => this.gates.onIntervalHistograms(histograms),
      onInterval: (row: PerfInterval, consumer: boolean) => {
        this.clearStatus();
        this.note(progressLine(row, consumer));
        this.gates.onInterval(row, (text) => this.note(text));
      },
      onStatus: (status) => {
        if (!live) return;
        this.statusTimer = setInterval(() => {
          process.stderr.write(`\r\u001b[K${status()}`);
          this.statusShown = true;
        }, 1000);
        this.statusTimer.unref();
      },
    };
  }

  private clearStatus(): void {
    if (this.statusShown) process.stderr.write('\r\u001b[K');
    this.statusShown = false;
  }

  protected async finishRun(output: PerfRunOutput): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.clearStatus();
    const f = this.flags as unknown as Record<string, string | undefined>;
    const { result } = output;
    // gates first, so --result and --output json carry the outcomes
    await this.gates.evaluate(result, this.style);
    if (f.result) writeResultFile(f.result, result);
    if (f['hdr-log']) writeHdrLog(f['hdr-log'], output.logIntervals, output.startEpochMs);
    if (f.hgrm) writeHgrmFiles(f.hgrm, result);
    if (f.report) writeReport(f.report, result);
    switch (this.outputFormat) {
      case 'json':
        this.out(renderJson(result));
        break;
      case 'yaml':
        this.out(renderYaml(result));
        break;
      case 'csv':
        this.out(
          renderCsv(percentileRows(result), [
            { header: 'histogram', get: (r) => r.histogram },
            { header: 'count', get: (r) => r.summary.count },
            { header: 'p50_ms', get: (r) => r.summary.p50 },
            { header: 'p90_ms', get: (r) => r.summary.p90 },
            { header: 'p95_ms', get: (r) => r.summary.p95 },
            { header: 'p99_ms', get: (r) => r.summary.p99 },
            { header: 'p999_ms', get: (r) => r.summary.p999 },
            { header: 'p9999_ms', get: (r) => r.summary.p9999 },
            { header: 'max_ms', get: (r) => r.summary.max },
          ]),
        );
        break;
      case 'table':
        this.out(renderSummary(result, this.style));
        this.out(
          result.command === 'consume' ? kafkaConsumerPerfTestLines(result) : kafkaPerfTestLine(result),
        );
        break;
    }
    if (!result.valid) this.note(`warning: run invalid — ${result.invalidReason}`);
    const gateTable = this.gates.tableText();
    if (gateTable) {
      if (this.outputFormat === 'table') this.out(gateTable);
      else this.note(gateTable);
    }
    const gateFailure = this.gates.failure();
    if (gateFailure) throw gateFailure;
    if (result.interrupted)
      throw new InterruptedError('interrupted: the summary above covers the part that ran');
  }
}
