import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { AuthError, type MqctlError, UnavailableError, UsageError } from '../core/errors';
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

/**
 * Node's codes for a server certificate this process does not trust (OpenSSL's verify results, and the host
 * name check).
 */
const UNTRUSTED_SERVER_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const UNTRUSTED_SERVER_TEXT =
  /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate has expired|Hostname\/IP does not match certificate/i;
/**
 * TLS alerts a server sends when it refuses the client's certificate (or its absence): bad_certificate (42),
 * unsupported_certificate (43), certificate_revoked (44), certificate_expired (45), certificate_unknown (46),
 * unknown_ca (48), access_denied (49), certificate_required (116); in Node's error code
 * (ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE, ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, ...) or OpenSSL's text.
 */
const CLIENT_CERT_REFUSED =
  /alert[ _](bad[ _]certificate|unsupported[ _]certificate|certificate[ _]revoked|certificate[ _]expired|certificate[ _]unknown|unknown[ _]ca|access[ _]denied|certificate[ _]required)/i;

/** The error and what it wraps (`cause`, kafkajs' `originalError`, an aggregate's first error). */
function errorChain(error: unknown): Array<{ code?: unknown; message?: unknown }> {
  const chain: Array<{ code?: unknown; message?: unknown }> = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 6 && !chain.includes(current)) {
    chain.push(current);
    const e = current as { cause?: unknown; originalError?: unknown; errors?: unknown[] };
    current = e.cause ?? e.originalError ?? e.errors?.[0];
  }
  return chain;
}

/**
 * A TLS handshake failure as mqctl's error, or undefined when the error is not one: a broker certificate this
 * process does not trust is exit 69 (the broker is not usable as configured; the hint names --tls-ca and
 * --tls-insecure), a client certificate the broker refuses (or its absence) is exit 77.
 * `where` names the broker ("Kafka at 127.0.0.1:9095").
 */
export function tlsFailure(error: unknown, where: string): MqctlError | undefined {
  for (const e of errorChain(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (UNTRUSTED_SERVER_CODES.has(code) || UNTRUSTED_SERVER_TEXT.test(message)) {
      const text = message.replace(/^Connection error: /, '');
      const reason = code && UNTRUSTED_SERVER_CODES.has(code) ? `${text} (${code})` : text;
      return new UnavailableError(
        `${where}: TLS handshake failed: the broker's certificate is not trusted: ${reason}`,
        {
          hint: 'pass the CA that signed the broker certificate with --tls-ca FILE (PEM), or skip verification with --tls-insecure (testing only)',
          cause: error,
        },
      );
    }
    if (CLIENT_CERT_REFUSED.test(code) || CLIENT_CERT_REFUSED.test(message)) {
      const alert = CLIENT_CERT_REFUSED.exec(code)?.[1] ?? CLIENT_CERT_REFUSED.exec(message)?.[1] ?? '';
      return new AuthError(
        `${where}: TLS handshake failed: the broker refused the client certificate (alert ${alert.toLowerCase().replace(/_/g, ' ')})`,
        {
          hint: 'the broker requires a client certificate it trusts: pass --tls-cert FILE and --tls-key FILE (PEM)',
          cause: error,
        },
      );
    }
  }
  return undefined;
}
