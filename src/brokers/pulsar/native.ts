export interface NativePulsarStatus {
  available: boolean;
  version?: string;
  reason: string;
  module?: unknown;
}

let cached: NativePulsarStatus | undefined;

/**
 * `pulsar-client` is an optional dependency: its install downloads a prebuilt libpulsar binary, which
 * fails on machines without that network access. When it does not load, mqctl uses the WebSocket API.
 */
export function loadNativePulsar(): NativePulsarStatus {
  if (cached) return cached;
  if (process.env.MQCTL_PULSAR_NATIVE === '0') {
    cached = { available: false, reason: 'native client disabled by MQCTL_PULSAR_NATIVE=0' };
    return cached;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('pulsar-client') as unknown;
    let version: string | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      version = (require('pulsar-client/package.json') as { version?: string }).version;
    } catch {
      version = undefined;
    }
    cached = { available: true, version, reason: 'pulsar-client loaded', module: mod };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    cached = {
      available: false,
      reason:
        code === 'MODULE_NOT_FOUND'
          ? 'native pulsar-client not installed'
          : `native pulsar-client failed to load: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  return cached;
}
