import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapKafkaError } from '../../src/brokers/kafka/errors';
import { mapAmqpError } from '../../src/brokers/rabbitmq/errors';
import { tlsFailure } from '../../src/brokers/tls';
import { ExitCode } from '../../src/core/errors';

/** TLS handshake failures as Node, kafkajs and amqplib report them (codes and texts seen from the local brokers). */
function nodeError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

describe('TLS failures → exit codes', () => {
  it('an untrusted broker certificate is exit 69 with a hint naming --tls-ca and --tls-insecure', () => {
    for (const error of [
      nodeError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      nodeError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      nodeError("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      // undici wraps the socket's error as the cause of "fetch failed"
      Object.assign(new Error('fetch failed'), {
        cause: nodeError('unable to get local issuer certificate', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'),
      }),
    ]) {
      const mapped = tlsFailure(error, 'Kafka at 127.0.0.1:9095');
      assert.equal(mapped?.exitCode, ExitCode.UNAVAILABLE, error.message);
      assert.match(mapped.hint ?? '', /--tls-ca.*--tls-insecure/);
      assert.match(
        mapped.message,
        /^Kafka at 127\.0\.0\.1:9095: TLS handshake failed: the broker's certificate is not trusted/,
      );
    }
  });

  it('a client certificate the broker refuses (or its absence) is exit 77 naming --tls-cert and --tls-key', () => {
    for (const error of [
      nodeError(
        '...:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:...',
        'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      ),
      nodeError(
        '...:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:...',
        'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      ),
      nodeError(
        '...:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:...',
        'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
      ),
    ]) {
      const mapped = tlsFailure(error, 'RabbitMQ at 127.0.0.1:5671');
      assert.equal(mapped?.exitCode, ExitCode.AUTH, error.message);
      assert.match(mapped.message, /refused the client certificate/);
      assert.match(mapped.hint ?? '', /--tls-cert.*--tls-key/);
    }
  });

  it('other network errors are not TLS failures', () => {
    assert.equal(tlsFailure(nodeError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'x'), undefined);
    assert.equal(tlsFailure(new Error('Closed connection'), 'x'), undefined);
  });

  it('kafkajs and amqplib errors go through the same mapping', () => {
    const kafkajs = Object.assign(
      new Error('Connection error: self-signed certificate in certificate chain'),
      {
        name: 'KafkaJSConnectionError',
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      },
    );
    const kafka = mapKafkaError(kafkajs, '127.0.0.1:9095');
    assert.equal(kafka.exitCode, ExitCode.UNAVAILABLE);
    assert.match(kafka.message, /certificate is not trusted: self-signed certificate in certificate chain/);
    assert.doesNotMatch(kafka.message, /Connection error:/);
    const refused = Object.assign(new Error('Connection error: ... sslv3 alert bad certificate ...'), {
      name: 'KafkaJSConnectionError',
    });
    assert.equal(mapKafkaError(refused, '127.0.0.1:9095').exitCode, ExitCode.AUTH);
    const amqp = mapAmqpError(
      nodeError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      'amqps://127.0.0.1:5671',
    );
    assert.equal(amqp.exitCode, ExitCode.UNAVAILABLE);
    assert.match(amqp.hint ?? '', /--tls-ca/);
  });
});
