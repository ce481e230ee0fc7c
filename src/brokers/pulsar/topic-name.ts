import { UsageError } from '../../cli/errors';

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
