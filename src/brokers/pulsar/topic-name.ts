import { UsageError } from '../../core/errors';
import { refuseProtected } from '../contracts/protected';

export interface PulsarTopicName {
  domain: 'persistent' | 'non-persistent';
  tenant: string;
  namespace: string;
  local: string;
  /** persistent://tenant/namespace/local */
  full: string;
  /** persistent/tenant/namespace/local, as admin REST and WebSocket paths want it. */
  restPath: string;
}

const SEGMENT = /^[A-Za-z0-9_.=:-]+$/;

/**
 * `orders` → persistent://public/default/orders; `tenant/ns/orders` → persistent://tenant/ns/orders;
 * full names are kept. Invalid names are usage errors.
 */
export function parsePulsarTopic(
  name: string,
  defaults = { tenant: 'public', namespace: 'default' },
): PulsarTopicName {
  let domain: PulsarTopicName['domain'] = 'persistent';
  let rest = name.trim();
  const scheme = /^(persistent|non-persistent):\/\//.exec(rest);
  if (scheme) {
    domain = scheme[1] as PulsarTopicName['domain'];
    rest = rest.slice(scheme[0].length);
  }
  const parts = rest.split('/');
  let tenant = defaults.tenant;
  let namespace = defaults.namespace;
  let local: string;
  if (parts.length === 1 && !scheme) local = parts[0]!;
  else if (parts.length === 3) [tenant, namespace, local] = parts as [string, string, string];
  else {
    throw new UsageError(`invalid Pulsar topic name "${name}"`, {
      hint: 'use a short name (public/default), tenant/namespace/topic, or persistent://tenant/namespace/topic',
    });
  }
  for (const segment of [tenant, namespace, local]) {
    if (!segment || !SEGMENT.test(segment)) {
      throw new UsageError(`invalid Pulsar topic name "${name}"`, {
        hint: 'names use letters, digits and _ . = : -',
      });
    }
  }
  const full = `${domain}://${tenant}/${namespace}/${local}`;
  return {
    domain,
    tenant,
    namespace,
    local,
    full,
    restPath: `${domain}/${tenant}/${namespace}/${encodeURIComponent(local)}`,
  };
}

/** Pulsar tenant and namespace names (NamedEntity): letters, digits and _ . = : - */
export function validatePulsarPath(role: 'tenant' | 'namespace', name: string): void {
  const parts = name.split('/');
  const expected = role === 'tenant' ? 1 : 2;
  if (parts.length !== expected || parts.some((p) => !SEGMENT.test(p))) {
    throw new UsageError(`invalid Pulsar ${role} name "${name}"`, {
      hint:
        role === 'tenant'
          ? 'tenant names use letters, digits and _ . = : -'
          : 'use tenant/namespace; names use letters, digits and _ . = : -',
    });
  }
}

/** Subscription names: non-empty, no control characters. */
export function validatePulsarSubscription(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (!name || /[\u0000-\u001f\u007f]/.test(name))
    throw new UsageError(`invalid Pulsar subscription name "${name}"`);
}

/** Refuses (exit 2) to change a Pulsar system topic; see contracts/protected.ts. */
export function refuseSystemTopic(action: string, topic: PulsarTopicName): void {
  refuseProtected(action, { kind: 'pulsar', type: 'topic', ...topic });
}
