import { Flags } from '@oclif/core';
import type { BindingSpec } from '../../brokers/contracts/bindings';
import { typeArguments } from '../../brokers/contracts/arguments';
import { parseKeyValues } from '../../topics/validate';

/** Flags `binding create` and `binding delete` share: one binding is source + destination + key + arguments. */
export const bindingFlags = {
  source: Flags.string({ char: 's', description: 'source exchange', required: true }),
  destination: Flags.string({
    char: 'd',
    description: 'destination queue (or exchange with --destination-type exchange)',
    required: true,
  }),
  'destination-type': Flags.string({
    description: 'what the destination is',
    options: ['queue', 'exchange'],
    default: 'queue',
  }),
  'routing-key': Flags.string({ char: 'k', description: 'routing key (binding key)', default: '' }),
  argument: Flags.string({
    char: 'a',
    description: 'binding argument key=value (headers exchanges; repeatable)',
    multiple: true,
  }),
};

export function bindingSpecFrom(flags: {
  source: string;
  destination: string;
  'destination-type': string;
  'routing-key': string;
  argument?: string[];
}): BindingSpec {
  return {
    source: flags.source,
    destination: flags.destination,
    destinationType: flags['destination-type'] === 'exchange' ? 'exchange' : 'queue',
    routingKey: flags['routing-key'],
    arguments: typeArguments(parseKeyValues(flags.argument, '--argument')),
  };
}
