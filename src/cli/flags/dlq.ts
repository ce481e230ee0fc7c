import { Args, Flags } from '@oclif/core';

/** The filter flags peek, stats, replay and purge share (the language is in docs/dlq.md). */
export const filterFlags = {
  where: Flags.string({
    char: 'w',
    description:
      'filter expression, repeatable (ANDed): FIELD OP VALUE or FIELD exists, joined with and/or/not and parentheses. ' +
      'Fields: key, payload, payload.a.b[0], header.NAME, error, error.message, origin, origin.partition, origin.group, ' +
      'origin.exchange, reason, replays, partition, offset, time, age. Operators: == != ~ (contains) !~ =~ (regex) > >= < <=. ' +
      'E.g. "header.kafka_dlt-exception-fqcn ~ Timeout", "payload.amount > 100", "age > 1h"',
    multiple: true,
    helpGroup: 'FILTER',
  }),
  exception: Flags.string({
    description: 'only messages whose error class is CLASS (full name or simple name)',
    helpGroup: 'FILTER',
  }),
  since: Flags.string({
    description: 'only messages at or after this time (2026-01-01T00:00:00Z, or a duration ago: 1h)',
    helpGroup: 'FILTER',
  }),
  until: Flags.string({
    description: 'only messages before this time (timestamp or duration ago)',
    helpGroup: 'FILTER',
  }),
};

export const dlqArg = {
  dlq: Args.string({
    description: 'the DLQ: Kafka topic, RabbitMQ queue, or Pulsar topic (short names are public/default)',
    required: true,
  }),
};
