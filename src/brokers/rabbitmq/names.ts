import { UsageError } from '../../core/errors';

/**
 * RabbitMQ's naming rule for queues and exchanges: at most 255 bytes of UTF-8 (AMQP 0-9-1 short string).
 * Checked before any request, so an impossible name is a usage error (exit 2), not "not found".
 */
export function validateRabbitObjectName(what: 'queue' | 'exchange', name: string): void {
  if (!name && what === 'queue') throw new UsageError('queue name is empty');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 255) {
    throw new UsageError(`invalid ${what} name "${name.slice(0, 40)}…": ${bytes} bytes, at most 255`, {
      hint: 'RabbitMQ queue and exchange names are at most 255 bytes of UTF-8',
    });
  }
}
