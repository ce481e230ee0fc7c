import type { Command } from '@oclif/core';
import { BaseCommand } from './base-command';
import { ExitCode, InterruptedError, MqctlError, UsageError } from '../core/errors';
import type { GateFlags } from './flags/gates';
import type { PerfFileFlagValues } from './flags/perf';
import { GateSession } from '../gates/session';
import { renderJson, renderYaml } from '../core/output';
import { checkWritable, writeHdrLog, writeHgrmFiles, writeResultFile } from '../perf/files';
import { writeReport } from '../perf/report';
import { HISTOGRAM_TAGS, type HistogramName, type PerfInterval } from '../perf/result-schema';
import type { PerfRunOutput, RunHooks } from '../perf/run';
import {
  kafkaConsumerPerfTestLines,
  kafkaPerfTestLine,
  progressLine,
  renderPercentileCsv,
  renderSummary,
} from '../perf/summary';

/** The histograms and counts each perf command measures; a gate on anything else could never be evaluated. */
const PRODUCIBLE: Record<string, { histograms: HistogramName[]; notCounted: string[] }> = {
  'perf:produce': { histograms: ['latency', 'service', 'sendDelay'], notCounted: ['received'] },
  'perf:consume': { histograms: ['e2e'], notCounted: ['sent', 'acked'] },
  'perf:e2e': { histograms: ['latency', 'service', 'sendDelay', 'e2e'], notCounted: [] },
};

/** Gates are checked against what the command measures before any load (e2e.p99 on perf produce: exit 2). */
function checkGateMetrics(commandId: string, gates: GateSession): void {
  const can = PRODUCIBLE[commandId];
  if (!can) return;
  for (const gate of gates.options.gates) {
    const { histogram, scalar } = gate.metric;
    const missing = histogram
      ? !can.histograms.includes(histogram)
      : scalar
        ? can.notCounted.includes(scalar)
        : false;
    if (missing) {
      throw new UsageError(
        `gate ${gate.expression}: ${commandId.replace(':', ' ')} does not measure ${histogram ? HISTOGRAM_TAGS[histogram] : scalar}`,
        {
          hint: `${commandId.replace(':', ' ')} measures ${can.histograms.map((h) => HISTOGRAM_TAGS[h]).join(', ')} and the counts; e2e latency needs perf e2e or perf consume`,
        },
      );
    }
  }
}

/** The flags every perf command has and this class reads: the gates and the files written at the end. */
export type PerfCommandFlagValues = GateFlags & PerfFileFlagValues;

/**
 * What perf produce / consume / e2e share: progress on stderr (a line per interval, a live status line on
 * a TTY), then the one final step — result → files → render → gates → exit code.
 */
export abstract class PerfCommand<T extends typeof Command> extends BaseCommand<T> {
  private statusTimer?: NodeJS.Timeout;
  private statusShown = false;
  /** gates (src/gates): validated in init, before any load is sent; evaluated in finishRun */
  protected gates!: GateSession;

  /**
   * The gate and output-file flags; each command returns its own `this.flags` (typed from its flag
   * definitions), so a perf command without them, or a renamed one, fails to compile.
   */
  protected abstract perfFlags(): PerfCommandFlagValues;

  public override async init(): Promise<void> {
    await super.init();
    const f = this.perfFlags();
    this.gates = await GateSession.fromFlags(f);
    checkGateMetrics(this.id ?? '', this.gates);
    // output files are checked before any load: a run is never lost at the end to an unwritable path
    // kafka-producer-perf-test refuses both too: the payload file decides each record's bytes
    if (this.givenFlags.has('payload-file') && this.givenFlags.has('record-size'))
      throw new UsageError('--payload-file and --record-size exclude each other', {
        hint: 'the payload file decides the bytes of each record; drop --record-size',
      });
    for (const flag of ['result', 'report', 'hgrm', 'hdr-log', 'junit', 'summary-md'] as const) {
      const path = f[flag];
      if (typeof path === 'string') checkWritable(path, `--${flag}`);
    }
  }

  protected runHooks(): RunHooks {
    const live = Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb';
    return {
      signal: this.gates.signal(this.signal),
      // interval histograms outlive their progress row only when an .hlog will be written
      keepIntervalHistograms: Boolean(this.perfFlags()['hdr-log']),
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
    const f = this.perfFlags();
    const { result } = output;
    // gates first, so --result and --output json carry the outcomes
    await this.gates.evaluate(result, this.style);
    // files are written before the summary, but a failed write is reported after it (the summary is never lost)
    let writeError: unknown;
    const write = (step: () => void) => {
      try {
        step();
      } catch (error) {
        writeError ??= error;
      }
    };
    const { result: resultPath, 'hdr-log': hdrLog, hgrm, report } = f;
    if (resultPath) write(() => writeResultFile(resultPath, result));
    if (hdrLog) write(() => writeHdrLog(hdrLog, output.logIntervals, output.startEpochMs));
    if (hgrm) write(() => writeHgrmFiles(hgrm, result));
    if (report) write(() => writeReport(report, result));
    switch (this.outputFormat) {
      case 'json':
        this.out(renderJson(result));
        break;
      case 'yaml':
        this.out(renderYaml(result));
        break;
      case 'csv':
        this.out(renderPercentileCsv(result));
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
    if (writeError) throw writeError;
    // what ended the run early (a client thread died) wins over what it did to the numbers
    if (output.error) throw output.error;
    const gateFailure = this.gates.failure();
    if (gateFailure) throw gateFailure;
    if (result.interrupted)
      throw new InterruptedError('interrupted: the summary above covers the part that ran');
    if (result.failure)
      throw new MqctlError(`run failed: ${result.failure}`, ExitCode.FAILURE, {
        hint: 'the summary above has the details; --max-errors N or P% allows failed records',
      });
  }
}
