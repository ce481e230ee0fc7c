import { Flags, type Interfaces } from '@oclif/core';
import { UsageError, forFlag } from '../../core/errors';
import { parseDuration } from '../../util/duration';
import { checkWritable } from '../../perf/files';
import { parseFault } from '../../verify/faults';
import { parseVerifyGate, type VerifyGate } from '../../verify/gates';
import type { VerifyOptions } from '../../verify/run';
import { perfRunFlags, produceFlags, produceOptionsFromFlags } from './perf';

/**
 * `mqctl verify` takes the perf producer's flags as they are (rate, count or duration, record size,
 * producers, --acks / --idempotent / --producer-props, --confirm / --persistent / --queue-type, Pulsar
 * batching, --create-topic), plus the consumer's ack mode, the faults and the gates.
 */
const { topic, 'num-records': numRecords, duration, interval, 'pulsar-client': pulsarClient } = perfRunFlags;
const {
  threads: _threads,
  'client-thread': _clientThread,
  shard: _shard,
  'payload-file': _payloadFile,
  'payload-delimiter': _payloadDelimiter,
  'key-pattern': _keyPattern,
  'key-space': _keySpace,
  'max-send-delay': _maxSendDelay,
  throughput: _throughput,
  ...producerFlags
} = produceFlags;

export const verifyFlags = {
  topic,
  'num-records': numRecords,
  duration,
  interval,
  'pulsar-client': pulsarClient,
  ...producerFlags,
  group: Flags.string({
    char: 'g',
    description: 'consumer group / subscription (default: a fresh one per run)',
  }),
  prefetch: Flags.integer({ description: 'RabbitMQ prefetch / Pulsar receiver queue', default: 1000 }),
  'auto-ack': Flags.boolean({
    description:
      '[RabbitMQ] consumer with automatic acknowledgement (at most once); default: manual ack after receipt',
    default: false,
    helpGroup: 'RABBITMQ',
  }),
  'pulsar-ack': Flags.string({
    description:
      '[Pulsar] how the consumer acknowledges (binary client): cumulative (up to the newest entry; the default) or individual (each entry)',
    options: ['cumulative', 'individual'],
    helpGroup: 'PULSAR',
  }),
  'consumer-restarts': Flags.integer({
    description: 'kill the consumer N times during the run (evenly spaced) and start a fresh one each time',
    default: 0,
    helpGroup: 'FAULTS',
  }),
  'consumer-hang': Flags.string({
    description:
      'a killed consumer first hangs this long (receives nothing, acknowledges nothing), then its connection drops',
    default: '1s',
    helpGroup: 'FAULTS',
  }),
  fault: Flags.string({
    description:
      "run a command at a moment of the run, repeatable: 'at=20s cmd=docker kill kafka-2' (any shell command: docker, kubectl, systemctl, ssh; optional timeout=60s before cmd=)",
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'FAULTS',
  }),
  'drain-timeout': Flags.string({
    description: 'after the producers finished, stop reading when nothing new arrived for this long',
    default: '10s',
  }),
  'outage-threshold': Flags.string({
    description:
      'a gap this long with no acknowledgement (or no delivery) while some were due is an outage window',
    default: '1s',
  }),
  examples: Flags.integer({ description: 'examples kept per anomaly', default: 5 }),
  result: Flags.string({ description: 'write the JSON result (schema mqctl.verify.result/v1) to FILE' }),
  gate: Flags.string({
    description:
      "gate, repeatable: 'lost==0', 'duplicated==0', 'reordered==0', 'unconfirmed<=10' (exit 99 when one fails)",
    multiple: true,
    multipleNonGreedy: true,
    helpGroup: 'GATES',
  }),
  junit: Flags.string({ description: 'write a JUnit XML report, one testcase per gate', helpGroup: 'GATES' }),
  'summary-md': Flags.string({
    description: 'write a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)',
    helpGroup: 'GATES',
  }),
};

export interface VerifyCommandOptions {
  options: VerifyOptions;
  gates: VerifyGate[];
  resultPath?: string;
  junit?: string;
  summaryMd?: string;
}

/** The parsed values of verifyFlags, as oclif types them. */
export type VerifyFlagValues = Interfaces.InferredFlags<typeof verifyFlags>;

/** Everything validated before any record is sent: a bad flag is exit 2 with nothing produced. */
export function verifyOptionsFromFlags(f: VerifyFlagValues, kind: string): VerifyCommandOptions {
  // The producer flags verify does not have, at the values that mean "not given" (one fixed schedule, no
  // warm-up, no payload file, no error allowance: every record is accounted for instead).
  const produce = produceOptionsFromFlags(
    {
      ...f,
      warmup: '0',
      'key-pattern': 'none',
      'key-space': 1,
      'payload-delimiter': '\n',
      'max-send-delay': '1h',
      'payload-file': undefined,
      'client-thread': undefined,
      shard: undefined,
      throughput: undefined,
      'max-errors': undefined,
    },
    kind,
  );
  // Output paths are checked before any record is sent, so a run is never lost to a typo at the end.
  for (const flag of ['result', 'junit', 'summary-md'] as const) {
    const path = f[flag];
    if (typeof path === 'string') checkWritable(path, `--${flag}`);
  }
  const examples = f.examples;
  if (examples < 0) throw new UsageError('--examples must be ≥ 0');
  return {
    options: {
      produce,
      group: f.group,
      prefetch: f.prefetch,
      autoAck: f['auto-ack'],
      pulsarAck: f['pulsar-ack'] as 'cumulative' | 'individual' | undefined,
      consumerRestarts: f['consumer-restarts'],
      consumerHangMs: forFlag('--consumer-hang', () => parseDuration(f['consumer-hang'])),
      faults: (f.fault ?? []).map((t) => forFlag('--fault', () => parseFault(t))),
      drainTimeoutMs: forFlag('--drain-timeout', () => parseDuration(f['drain-timeout'])),
      outageThresholdMs: forFlag('--outage-threshold', () => parseDuration(f['outage-threshold'])),
      maxExamples: examples,
    },
    gates: (f.gate ?? []).map((g) => forFlag('--gate', () => parseVerifyGate(g))),
    resultPath: f.result,
    junit: f.junit,
    summaryMd: f['summary-md'],
  };
}
