import { connect, type BrokerConnection } from '../brokers';
import { groupAdminFor } from '../brokers/group-admin';
import { queueAdminFor } from '../brokers/queues';
import { topicAdminFor } from '../brokers/topics';
import { listContexts } from '../config/contexts';
import { resolveContext, type ConnectionOverrides } from '../config/resolve';
import { ConfigStore } from '../config/store';
import type { DynamicKind } from './completion';

/** How long a lookup may take before completion gives up and offers nothing. */
export const COMPLETION_TIMEOUT_MS = 2000;

/** The connection flags typed on the line (long names, as completionRequest collects them). */
function overridesOf(flags: Record<string, string | true>): ConnectionOverrides {
  const s = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  return {
    context: s('context'),
    kind: s('kind'),
    brokers: s('brokers'),
    url: s('url'),
    adminUrl: s('admin-url'),
    username: s('username'),
    password: s('password'),
    passwordFile: s('password-file'),
    saslMechanism: s('sasl-mechanism'),
    token: s('token'),
    tokenFile: s('token-file'),
    tls: flags.tls === true || undefined,
    tlsCa: s('tls-ca'),
    tlsCert: s('tls-cert'),
    tlsKey: s('tls-key'),
    tlsInsecure: flags['tls-insecure'] === true || undefined,
    vhost: s('vhost'),
  };
}

/**
 * Names of one kind from the current context (or the connection flags typed on the line), through the
 * brokers' capability factories. Any failure, and anything slower than `timeoutMs`, gives an empty list:
 * completion never prints errors and never hangs.
 */
export async function lookupNames(
  kind: DynamicKind,
  flags: Record<string, string | true>,
  timeoutMs: number = COMPLETION_TIMEOUT_MS,
): Promise<string[]> {
  if (kind === 'context') {
    try {
      return listContexts(new ConfigStore()).map((c) => c.name);
    } catch {
      return [];
    }
  }
  let connection: BrokerConnection | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
    timer.unref();
  });
  const work = (async (): Promise<string[]> => {
    connection = connect(resolveContext(overridesOf(flags)), { timeoutMs, debug: false });
    const namespace = typeof flags.namespace === 'string' ? flags.namespace : undefined;
    switch (kind) {
      case 'topic':
        return (await topicAdminFor(connection).list({ namespace })).map((t) => t.name);
      case 'group': {
        const topics = typeof flags.topic === 'string' ? [flags.topic] : [];
        return (await groupAdminFor(connection).listGroups({ topics, namespace })).map((g) => g.group);
      }
      case 'queue':
        return (await queueAdminFor(connection).listQueues({})).map((q) => q.name);
    }
  })().catch(() => [] as string[]);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    if (timer) clearTimeout(timer);
    // closing a connection to a dead broker must not hold the answer up either
    if (connection) void connection.close().catch(() => undefined);
  }
}
