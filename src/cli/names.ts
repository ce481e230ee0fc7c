import { validateName, type NameRole } from '../brokers/names';
import type { BrokerKind } from '../config/types';

/** Where a command takes a name from: a positional argument, every positional, or a flag. */
type NameSource = { arg: string } | { positionals: true } | { flag: string; stripPartitions?: boolean };
type NameSpec = NameSource & { role: NameRole };

const GROUP_TOPICS: NameSpec[] = [
  { arg: 'group', role: 'group' },
  { flag: 'topic', role: 'topic', stripPartitions: true },
];
const DLQ: NameSpec[] = [{ arg: 'dlq', role: 'topic' }];

/**
 * Every command that takes a name, and what the name stands for. BaseCommand checks them against the
 * broker kind's naming rules before it opens a connection, so an impossible name exits 2 before any broker
 * call, the same way for every command.
 */
const COMMAND_NAMES: Record<string, NameSpec[]> = {
  'topic:create': [{ positionals: true, role: 'topic' }],
  'topic:delete': [{ positionals: true, role: 'topic' }],
  'topic:describe': [{ arg: 'name', role: 'topic' }],
  'topic:alter': [{ arg: 'name', role: 'topic' }],
  'topic:add-partitions': [{ arg: 'name', role: 'topic' }],
  'topic:config:get': [{ arg: 'name', role: 'topic' }],
  'topic:config:set': [{ arg: 'name', role: 'topic' }],
  'topic:config:delete': [{ arg: 'name', role: 'topic' }],
  'queue:create': [{ arg: 'name', role: 'queue' }],
  'queue:delete': [{ positionals: true, role: 'queue' }],
  'queue:describe': [{ arg: 'name', role: 'queue' }],
  'queue:purge': [{ arg: 'name', role: 'queue' }],
  'exchange:create': [{ arg: 'name', role: 'exchange' }],
  'exchange:delete': [{ positionals: true, role: 'exchange' }],
  'binding:create': [{ flag: 'source', role: 'exchange' }],
  'binding:delete': [{ flag: 'source', role: 'exchange' }],
  'binding:list': [{ flag: 'source', role: 'exchange' }],
  'schema:get': [{ arg: 'topic', role: 'topic' }],
  'schema:upload': [{ arg: 'topic', role: 'topic' }],
  'schema:compat': [{ arg: 'topic', role: 'topic' }],
  'schema:delete': [{ arg: 'topic', role: 'topic' }],
  'namespace:create': [{ arg: 'name', role: 'namespace' }],
  'namespace:delete': [{ arg: 'name', role: 'namespace' }],
  'namespace:list': [{ arg: 'tenant', role: 'tenant' }],
  'dlq:peek': DLQ,
  'dlq:stats': DLQ,
  'dlq:purge': DLQ,
  'dlq:replay': [...DLQ, { flag: 'to', role: 'topic' }],
  'group:delete': GROUP_TOPICS,
  'group:describe': GROUP_TOPICS,
  'group:reset-offsets': GROUP_TOPICS,
  'group:skip': GROUP_TOPICS,
  'group:list': [{ flag: 'topic', role: 'topic' }],
  lag: [
    { flag: 'group', role: 'group' },
    { flag: 'topic', role: 'topic' },
  ],
  'lag:serve': [
    { flag: 'group', role: 'group' },
    { flag: 'topic', role: 'topic' },
  ],
  'perf:produce': [
    { flag: 'topic', role: 'topic' },
    { flag: 'exchange', role: 'exchange' },
  ],
  'perf:consume': [
    { flag: 'topic', role: 'topic' },
    { flag: 'group', role: 'group' },
  ],
  verify: [
    { flag: 'topic', role: 'topic' },
    { flag: 'exchange', role: 'exchange' },
    { flag: 'group', role: 'group' },
  ],
  'perf:e2e': [
    { flag: 'topic', role: 'topic' },
    { flag: 'exchange', role: 'exchange' },
    { flag: 'group', role: 'group' },
  ],
};

function values(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Throws a UsageError (exit 2) for the first name the broker kind could never accept. */
export function validateCommandNames(
  commandId: string | undefined,
  kind: BrokerKind,
  input: { args: Record<string, unknown>; flags: Record<string, unknown>; positionals: readonly string[] },
): void {
  const destinationType = input.flags['destination-type'] === 'exchange' ? 'exchange' : 'queue';
  const specs: NameSpec[] = [...(COMMAND_NAMES[commandId ?? ''] ?? [])];
  if (commandId?.startsWith('binding:')) specs.push({ flag: 'destination', role: destinationType });
  for (const spec of specs) {
    let names: string[];
    if ('arg' in spec) names = values(input.args[spec.arg]);
    else if ('positionals' in spec) names = [...input.positionals];
    else names = values(input.flags[spec.flag]);
    for (const raw of names) {
      // `--topic orders:0,1` / `orders:0-3` names partitions of a Kafka topic.
      const name = 'stripPartitions' in spec && kind === 'kafka' ? raw.replace(/:[0-9,\s-]*$/, '') : raw;
      // An empty exchange name is RabbitMQ's default exchange (perf --exchange '').
      if (spec.role === 'exchange' && name === '') continue;
      validateName(kind, spec.role, name);
    }
  }
}
