import { UnsupportedError } from '../core/errors';
import type * as PulsarNamespacesModule from './pulsar/namespaces';
import type { NamespaceAdmin } from './contracts/namespaces';
import type { BrokerConnection } from './types';

// Each broker kind's module, and the SDK behind it, is loaded on first use: a command pays the start-up
// cost of the one kind it talks to (see docs/DEVELOPING.md, "Start-up").
const pulsarNamespacesModule = (): typeof PulsarNamespacesModule => require('./pulsar/namespaces');

export * from './contracts/namespaces';

/** `mqctl tenant|namespace ...` only make sense on Pulsar. */
export function namespaceAdminFor(
  connection: BrokerConnection,
  noun: 'tenant' | 'namespace',
): NamespaceAdmin {
  if (connection.kind === 'pulsar') return new (pulsarNamespacesModule().PulsarNamespaceAdmin)(connection);
  const hint =
    connection.kind === 'rabbitmq'
      ? 'RabbitMQ groups queues by virtual host: pass --vhost'
      : 'Kafka has no tenants or namespaces: use `mqctl topic list`';
  throw new UnsupportedError(
    `${noun}s exist only on Pulsar; this context is ${connection.kind} (${connection.target})`,
    { hint },
  );
}
