import { BaseCommand, connectionFlags } from '../src/cli/base-command';
import { verifyFlags, verifyOptionsFromFlags } from '../src/cli/flags/verify';
import { InterruptedError } from '../src/core/errors';
import { renderJson, renderYaml } from '../src/core/output';
import { gateSummaryLine, renderGateTable } from '../src/gates/report';
import {
  evaluateVerifyGates,
  verifyGateFailure,
  writeVerifyReports,
  writeVerifyResult,
} from '../src/verify/gates';
import { renderVerifySummary } from '../src/verify/render';
import { runVerify, validateVerify } from '../src/verify/run';

export default class VerifyCommand extends BaseCommand<typeof VerifyCommand> {
  /** It produces records, consumes them with its own group or subscription, and with --create-topic creates the topic. */
  static override writes = true;
  static override summary =
    'Prove delivery guarantees: count lost, duplicated and reordered records, under faults';
  static override description = `Producers send records carrying a run id, a producer id and a sequence number at an exact rate (the perf engine's open-loop schedule, perf's producer flags); a consumer reads them back. At the end every record is accounted for: sent, acknowledged, refused, received, lost (acknowledged, never received), unconfirmed (never acknowledged; delivered or not), duplicated, reordered, outage windows, with examples. --fault runs your commands at moments of the run; --consumer-restarts kills the consumer mid-run. Gates (--gate 'lost==0') exit 99 when one fails.`;
  static override examples = [
    "<%= config.bin %> verify --kind kafka -b 127.0.0.1:19092,127.0.0.1:19093 --topic orders --rate 500 --duration 30s --acks all --idempotent --fault 'at=10s cmd=docker kill kafka-2' --gate 'lost==0' --gate 'duplicated==0' --gate 'reordered==0'",
    "<%= config.bin %> verify --kind rabbitmq --topic q1 --create-topic --queue-type quorum --persistent --rate 200 --duration 20s --consumer-restarts 2 --gate 'lost==0'",
  ];
  static override flags = { ...connectionFlags, ...verifyFlags };

  async run(): Promise<void> {
    const kind = this.resolveContext().kind;
    const { options, gates, resultPath, junit, summaryMd } = verifyOptionsFromFlags(this.flags, kind);
    validateVerify(kind, options);
    const result = await runVerify(() => this.connect(), options, {
      signal: this.signal,
      onNote: (text) => this.note(text),
    });
    const outcomes = evaluateVerifyGates(gates, result);
    result.gates = outcomes;
    if (resultPath) writeVerifyResult(resultPath, result);
    writeVerifyReports(result, outcomes, { junit, summaryMd });
    if (this.outputFormat === 'json') this.out(renderJson(result));
    else if (this.outputFormat === 'yaml') this.out(renderYaml(result));
    else this.out(renderVerifySummary(result));
    if (outcomes.length > 0) {
      const table = `${renderGateTable(outcomes, this.style)}\n${gateSummaryLine(outcomes)}`;
      if (this.outputFormat === 'json' || this.outputFormat === 'yaml') this.note(table);
      else this.out(table);
    }
    const failure = verifyGateFailure(outcomes);
    if (failure) throw failure;
    if (result.interrupted)
      throw new InterruptedError('interrupted: the summary above covers the part that ran');
  }
}
