import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './tmp';

/**
 * The TLS material and Pulsar token key scripts/lib/tls.sh generates for the local brokers
 * (`npm run brokers:up` creates them): $MQCTL_HOME/tls, MQCTL_HOME defaulting to ~/.cache/mqctl.
 */
export const TLS_DIR = join(process.env.MQCTL_HOME ?? join(homedir(), '.cache', 'mqctl'), 'tls');

export const TLS = {
  ca: join(TLS_DIR, 'ca.pem'),
  clientCert: join(TLS_DIR, 'client.pem'),
  clientKey: join(TLS_DIR, 'client.key'),
  tokenSecretKey: join(TLS_DIR, 'token-secret.key'),
};

/** Fails with the command to run when the brokers' TLS material is missing. */
export function requireTlsMaterial(): void {
  for (const file of Object.values(TLS))
    if (!existsSync(file))
      throw new Error(`${file} is missing: start the local brokers with: npm run brokers:up`);
}

/**
 * A CA of the test's own (not the brokers'), and a client certificate it signed: what a broker must not
 * trust, and what must not trust the broker. Generated with openssl in a temporary directory.
 */
export function rogueCa(): { ca: string; clientCert: string; clientKey: string } {
  const dir = tempDir('mqctl-rogue-ca-');
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '2',
    '-subj',
    '/CN=rogue test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-subj',
    '/CN=rogue-client',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    'client.pem',
  );
  return { ca: join(dir, 'ca.pem'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key') };
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * An HS256 JWT for `sub`, as Pulsar's AuthenticationProviderToken checks it: signed with the broker's secret
 * key unless `key` says otherwise, with `exp` (seconds since the epoch) when given.
 */
export function pulsarToken(sub: string, options: { exp?: number; key?: Buffer } = {}): string {
  const header = b64url(JSON.stringify({ alg: 'HS256' }));
  const claims: Record<string, unknown> = { sub };
  if (options.exp !== undefined) claims.exp = options.exp;
  const payload = b64url(JSON.stringify(claims));
  const key = options.key ?? readFileSync(TLS.tokenSecretKey);
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
