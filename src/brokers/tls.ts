import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { UsageError } from '../core/errors';
import type { TlsSettings } from '../config/types';

function readPem(path: string, what: string, flag: string, label: RegExp): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new UsageError(
      `${flag}: cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  // A file that is not PEM (or holds the wrong kind of block) is the user's input, not an unreachable broker.
  if (!label.test(pem.toString('latin1'))) {
    throw new UsageError(`${flag}: ${path} is not a PEM ${what}`, {
      hint: 'expected a -----BEGIN ... ----- block (convert DER with: openssl x509 -inform der -in FILE -out FILE.pem)',
    });
  }
  return pem;
}

const CERTIFICATE = /-----BEGIN (TRUSTED )?CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;

/** Node TLS options from a context's TLS settings (CA, client cert/key, verification). */
export function tlsOptions(tls: TlsSettings | undefined): ConnectionOptions | undefined {
  if (!tls?.enabled) return undefined;
  const options: ConnectionOptions = { rejectUnauthorized: !tls.insecure };
  if (tls.caFile) options.ca = readPem(tls.caFile, 'CA certificate', '--tls-ca', CERTIFICATE);
  if (tls.certFile) options.cert = readPem(tls.certFile, 'certificate', '--tls-cert', CERTIFICATE);
  if (tls.keyFile) options.key = readPem(tls.keyFile, 'private key', '--tls-key', PRIVATE_KEY);
  return options;
}
