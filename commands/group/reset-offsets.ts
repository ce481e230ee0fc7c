import { Args, Flags } from '@oclif/core';
import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { UsageError } from '../../src/core/errors';
import { groupAdminFor } from '../../src/brokers/group-admin';
import { parseResetSpec, parseTopicPartitions, writeResetPlan } from '../../src/lag/options';
import { renderResetPlan } from '../../src/lag/render';
import { resetQuestion } from '../../src/topics/prompt';

export default class GroupResetOffsetsCommand extends BaseCommand<typeof GroupResetOffsetsCommand> {
  static override writes = true;
  static override summary = 'Plan (default) or apply (--execute) new committed offsets for an inactive group';
  static override description = `Like kafka-consumer-groups.sh --reset-offsets: prints the plan and changes nothing unless --execute is given (which asks on a TTY, and needs --yes without one). Refused while the group has active members. --export writes the plan as topic,partition,offset CSV that --from-file reads back. Offsets are clamped to the log-start..log-end range.
Pulsar: resets a subscription cursor (--to-earliest, --to-latest, --to-datetime, --by-duration).`;
  static override examples = [
    '<%= config.bin %> group reset-offsets billing --topic orders --to-earliest',
    '<%= config.bin %> group reset-offsets billing --topic orders:0,1 --shift-by -100 --execute --yes',
    '<%= config.bin %> group reset-offsets billing --topic orders --by-duration 1h --export plan.csv',
    '<%= config.bin %> group reset-offsets billing --from-file plan.csv --execute --yes',
    '<%= config.bin %> group reset-offsets my-sub --kind pulsar --topic orders --to-datetime 2026-01-01T00:00:00Z --execute --yes',
  ];
  static override args = {
    group: Args.string({ description: 'consumer group or subscription', required: true }),
  };
  static override flags = {
    ...connectionFlags,
    topic: Flags.string({
      char: 't',
      description: 'topic, or topic:0,1,2 / topic:0-3 for some partitions; repeatable',
      multiple: true,
    }),
    'to-earliest': Flags.boolean({ description: 'to the log start', helpGroup: 'TARGET' }),
    'to-latest': Flags.boolean({ description: 'to the log end (skip everything)', helpGroup: 'TARGET' }),
    'to-datetime': Flags.string({
      description: 'to the first offset at or after this time (ISO-8601; zone-less is UTC; or Unix s/ms)',
      helpGroup: 'TARGET',
    }),
    'by-duration': Flags.string({ description: 'to this long ago (1h30m or PT1H30M)', helpGroup: 'TARGET' }),
    'to-offset': Flags.integer({ description: 'to this offset', helpGroup: 'TARGET' }),
    'shift-by': Flags.integer({ description: 'move by ±N from the committed offset', helpGroup: 'TARGET' }),
    'from-file': Flags.string({
      description: 'offsets from a topic,partition,offset CSV (as --export writes)',
      helpGroup: 'TARGET',
    }),
    execute: Flags.boolean({ description: 'apply the plan (default: dry run)', default: false }),
    export: Flags.string({ description: 'write the plan as CSV to this file' }),
    yes: Flags.boolean({
      char: 'y',
      description: 'with --execute: do not ask (required without a TTY)',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const spec = parseResetSpec(this.flags);
    const targets = (this.flags.topic ?? []).map(parseTopicPartitions);
    if (spec.to !== 'file' && targets.length === 0) {
      throw new UsageError('no topic to reset', { hint: 'pass --topic T (or T:0,1 for some partitions)' });
    }
    const connection = await this.connect();
    const admin = groupAdminFor(connection);
    const plan = await admin.planReset(this.args.group, targets, spec);
    if (this.flags.export) writeResetPlan(this.flags.export, plan);

    if (!this.flags.execute) {
      this.out(renderResetPlan(plan, false, this.outputFormat, this.style));
      this.note('dry run: nothing changed (add --execute to apply)');
      return;
    }
    await this.confirm(resetQuestion(this.args.group, plan.rows, plan.kind), this.flags.yes);
    await admin.executeReset(plan);
    this.out(renderResetPlan(plan, true, this.outputFormat, this.style));
    this.note(`applied: ${plan.rows.length} row(s) of ${this.args.group}`);
  }
}
