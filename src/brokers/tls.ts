import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { UsageError } from '../cli/errors';
import type { TlsSettings } from '../config/types';

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** Node TLS options from a context's TLS settings (CA, client cert/key, verification). */
export function tlsOptions(tls: TlsSettings | undefined): ConnectionOptions | undefined {
  if (!tls?.enabled) return undefined;
  const options: ConnectionOptions = { rejectUnauthorized: !tls.insecure };
  if (tls.caFile) options.ca = readPem(tls.caFile, 'CA file');
  if (tls.certFile) options.cert = readPem(tls.certFile, 'client certificate');
  if (tls.keyFile) options.key = readPem(tls.keyFile, 'client key');
  return options;
}
