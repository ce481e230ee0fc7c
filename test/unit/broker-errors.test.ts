import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ExitCode, MqctlError, formatErrorLine } from '../../src/core/errors';
import { redact } from '../../src/core/redact';
import { HTTP_STATUSES, HttpJsonClient } from '../../src/brokers/http';
import {
  KAFKA_PROTOCOL_ERRORS,
  KAFKAJS_UNAVAILABLE_ERRORS,
  mapKafkaError,
} from '../../src/brokers/kafka/errors';
import { AMQP_REPLY_CODES, AMQPLIB_CONNECTION_LOST, mapAmqpError } from '../../src/brokers/rabbitmq/errors';
import { PULSAR_SERVER_ERRORS, serverError } from '../../src/brokers/pulsar/binary/errors';

/**
 * Every row of the broker error tables (issue 16 item 5), from an error shaped as the client library makes
 * it. The expected exit codes are written here, not read from the tables; each table's keys must all appear
 * below, so a row added without a case fails the coverage check.
 */

// kafkajs' error classes (its typings lack some) and its own table of protocol errors
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajs = require('kafkajs') as Record<string, unknown>;
const kafkajsClass = (name: string) => kafkajs[name] as new (message: unknown, options?: object) => Error;
const KafkaJSAggregateError = kafkajs.KafkaJSAggregateError as new (
  message: string,
  errors: Error[],
) => Error;
const KafkaJSNumberOfRetriesExceeded = kafkajsClass('KafkaJSNumberOfRetriesExceeded');
const KafkaJSConnectionError = kafkajsClass('KafkaJSConnectionError');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsProtocol = require('kafkajs/src/protocol/error') as {
  errorCodes: Array<{ type: string; code: number; retriable: boolean; message: string }>;
  createErrorFromCode: (code: number) => Error & { type: string; code: number };
};

/** One line on stderr (no newline in `message — hint`), which the redactor leaves as it is. */
function assertOneLine(error: MqctlError): void {
  const line = formatErrorLine(error);
  assert.ok(!line.includes('\n'), line);
  assert.equal(redact(line), line, 'the redactor would mask part of the hint');
}

describe('Kafka errors (KAFKA_PROTOCOL_ERRORS, kafkajs error classes)', () => {
  const protocolCases: Array<[code: number, exit: number]> = [
    [3, ExitCode.NOT_FOUND], // UNKNOWN_TOPIC_OR_PARTITION
    [69, ExitCode.NOT_FOUND], // GROUP_ID_NOT_FOUND
    [29, ExitCode.AUTH], // TOPIC_AUTHORIZATION_FAILED (ACL denied)
    [30, ExitCode.AUTH], // GROUP_AUTHORIZATION_FAILED
    [31, ExitCode.AUTH], // CLUSTER_AUTHORIZATION_FAILED
    [53, ExitCode.AUTH], // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    [65, ExitCode.AUTH], // DELEGATION_TOKEN_AUTHORIZATION_FAILED
    [58, ExitCode.AUTH], // SASL_AUTHENTICATION_FAILED
    [33, ExitCode.AUTH], // UNSUPPORTED_SASL_MECHANISM
    [34, ExitCode.AUTH], // ILLEGAL_SASL_STATE
    [17, ExitCode.USAGE], // INVALID_TOPIC_EXCEPTION
    [37, ExitCode.USAGE], // INVALID_PARTITIONS
    [38, ExitCode.USAGE], // INVALID_REPLICATION_FACTOR
    [39, ExitCode.USAGE], // INVALID_REPLICA_ASSIGNMENT
    [40, ExitCode.USAGE], // INVALID_CONFIG
    [42, ExitCode.USAGE], // INVALID_REQUEST
    [36, ExitCode.USAGE], // TOPIC_ALREADY_EXISTS
    [44, ExitCode.USAGE], // POLICY_VIOLATION
    [68, ExitCode.USAGE], // NON_EMPTY_GROUP
    [24, ExitCode.USAGE], // INVALID_GROUP_ID
    [35, ExitCode.USAGE], // UNSUPPORTED_VERSION
    [5, ExitCode.FAILURE], // LEADER_NOT_AVAILABLE: not in the table
    [10, ExitCode.FAILURE], // MESSAGE_TOO_LARGE: not in the table
  ];

  it('every table row has a case, and names the code as kafkajs does', () => {
    const tested = new Set(protocolCases.map(([code]) => code));
    for (const [code, row] of Object.entries(KAFKA_PROTOCOL_ERRORS)) {
      assert.ok(tested.has(Number(code)), `no case for Kafka error ${code} ${row.type}`);
      const kafkajs = kafkajsProtocol.errorCodes.find((e) => e.code === Number(code));
      assert.equal(kafkajs?.type, row.type, `kafkajs names code ${code} ${kafkajs?.type}`);
    }
  });

  for (const [code, exit] of protocolCases) {
    const type = kafkajsProtocol.errorCodes.find((e) => e.code === code)?.type;
    it(`${type} (${code}) → exit ${exit}, alone and after kafkajs' retries`, () => {
      const error = kafkajsProtocol.createErrorFromCode(code);
      const mapped = mapKafkaError(error, '127.0.0.1:9092', 'topic t');
      assert.equal(mapped.exitCode, exit, mapped.message);
      assert.match(mapped.message, new RegExp(`\\(${type}\\)`));
      if (exit === ExitCode.AUTH) assert.ok(mapped.hint, 'an auth error says what to check');
      assertOneLine(mapped);
      const retried = new KafkaJSNumberOfRetriesExceeded(kafkajsProtocol.createErrorFromCode(code), {
        retryCount: 5,
        retryTime: 100,
      });
      // after retries the wrapper decides when the code is not in the table: the cluster did not get ready
      const expectedAfterRetries = exit === ExitCode.FAILURE ? ExitCode.UNAVAILABLE : exit;
      assert.equal(mapKafkaError(retried, '127.0.0.1:9092').exitCode, expectedAfterRetries);
    });
  }

  it('an aggregate (createTopics) maps by its first error', () => {
    const aggregate = new KafkaJSAggregateError('Topic creation errors', [
      kafkajsProtocol.createErrorFromCode(36),
    ]);
    assert.equal(mapKafkaError(aggregate, '127.0.0.1:9092').exitCode, ExitCode.USAGE);
  });

  const classCases: Array<[name: string, error: Error, exit: number, hint: RegExp]> = [
    [
      'KafkaJSSASLAuthenticationError',
      new (kafkajsClass('KafkaJSSASLAuthenticationError'))(
        'SASL SCRAM SHA256 authentication failed: Invalid credentials',
      ),
      ExitCode.AUTH,
      /password/,
    ],
    [
      'KafkaJSConnectionError',
      new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1', {
        code: 'ECONNREFUSED',
      }),
      ExitCode.UNAVAILABLE,
      /broker running/,
    ],
    [
      'KafkaJSConnectionClosedError',
      new (kafkajsClass('KafkaJSConnectionClosedError'))('Closed connection', {
        host: '127.0.0.1',
        port: 9094,
      }),
      ExitCode.UNAVAILABLE,
      /SASL .* or TLS/,
    ],
    [
      'KafkaJSRequestTimeoutError',
      new (kafkajsClass('KafkaJSRequestTimeoutError'))('Request Metadata(key: 3, version: 6) timed out'),
      ExitCode.UNAVAILABLE,
      /broker running/,
    ],
    [
      'KafkaJSBrokerNotFound',
      new (kafkajsClass('KafkaJSBrokerNotFound'))('Broker 1 not found in the cached metadata'),
      ExitCode.UNAVAILABLE,
      /broker running/,
    ],
    [
      'KafkaJSNumberOfRetriesExceeded',
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection timeout'), {
        retryCount: 5,
        retryTime: 100,
      }),
      ExitCode.UNAVAILABLE,
      /broker running/,
    ],
  ];

  it('every kafkajs error class in the table has a case', () => {
    const tested = new Set(classCases.map(([name]) => name));
    for (const name of KAFKAJS_UNAVAILABLE_ERRORS) assert.ok(tested.has(name), `no case for ${name}`);
  });

  for (const [name, error, exit, hint] of classCases) {
    it(`${name} → exit ${exit} with a hint`, () => {
      assert.equal(error.name, name);
      const mapped = mapKafkaError(error, '127.0.0.1:9092');
      assert.equal(mapped.exitCode, exit, mapped.message);
      assert.match(mapped.hint ?? '', hint);
      assertOneLine(mapped);
    });
  }

  it('anything else is exit 1 with the client message', () => {
    const mapped = mapKafkaError(new Error('something odd'), '127.0.0.1:9092');
    assert.equal(mapped.exitCode, ExitCode.FAILURE);
    assert.match(mapped.message, /something odd/);
  });
});

/** An amqplib channel or connection close, formatted as amqplib does (lib/format.js closeMessage). */
function amqpClose(prefix: string, code: number, name: string, text: string): Error & { code: number } {
  return Object.assign(
    new Error(`${prefix}: ${code} (${name.replace(/_/g, '-')}) with message "${name} - ${text}"`),
    {
      code,
      classId: 50,
      methodId: 10,
    },
  );
}

describe('RabbitMQ errors (AMQP_REPLY_CODES)', () => {
  const target = 'amqp://127.0.0.1:5672';
  const replyCases: Array<[code: number, name: string, exit: number]> = [
    [311, 'CONTENT_TOO_LARGE', ExitCode.USAGE],
    [312, 'NO_ROUTE', ExitCode.FAILURE],
    [313, 'NO_CONSUMERS', ExitCode.FAILURE],
    [320, 'CONNECTION_FORCED', ExitCode.UNAVAILABLE],
    [402, 'INVALID_PATH', ExitCode.USAGE],
    [403, 'ACCESS_REFUSED', ExitCode.AUTH],
    [404, 'NOT_FOUND', ExitCode.NOT_FOUND],
    [405, 'RESOURCE_LOCKED', ExitCode.FAILURE],
    [406, 'PRECONDITION_FAILED', ExitCode.USAGE],
    [501, 'FRAME_ERROR', ExitCode.FAILURE],
    [502, 'SYNTAX_ERROR', ExitCode.FAILURE],
    [503, 'COMMAND_INVALID', ExitCode.FAILURE],
    [504, 'CHANNEL_ERROR', ExitCode.FAILURE],
    [505, 'UNEXPECTED_FRAME', ExitCode.FAILURE],
    [506, 'RESOURCE_ERROR', ExitCode.UNAVAILABLE],
    [530, 'NOT_ALLOWED', ExitCode.AUTH],
    [540, 'NOT_IMPLEMENTED', ExitCode.FAILURE],
    [541, 'INTERNAL_ERROR', ExitCode.UNAVAILABLE],
  ];

  it('every table row has a case', () => {
    const tested = new Map(replyCases.map(([code, name]) => [code, name]));
    for (const [code, row] of Object.entries(AMQP_REPLY_CODES)) {
      assert.equal(tested.get(Number(code)), row.name, `no case for AMQP reply ${code} ${row.name}`);
    }
  });

  for (const [code, name, exit] of replyCases) {
    it(`${code} ${name} → exit ${exit}, on a channel and on the connection, never from the text alone`, () => {
      for (const prefix of [
        'Operation failed: QueueDeclare;',
        'Channel closed by server',
        'Connection closed',
      ]) {
        const mapped = mapAmqpError(amqpClose(prefix.replace(/;$/, ''), code, name, 'reason'), target);
        assert.equal(mapped.exitCode, exit, mapped.message);
        assert.match(mapped.message, new RegExp(`${name} - reason \\(reply code ${code}\\)`));
        assert.ok(mapped.hint, 'every reply code has a hint');
        assertOneLine(mapped);
      }
    });
  }

  it('a reply code in the text but not in `code` is not read from the broker text', () => {
    // the old mapper matched /403|ACCESS_REFUSED/ anywhere in the message
    const mapped = mapAmqpError(new Error('queue "orders-403" is ACCESS_REFUSED-ish'), target);
    assert.equal(mapped.exitCode, ExitCode.FAILURE);
  });

  // recorded from RabbitMQ 4 through amqplib (see test/integration/rabbitmq/errors.test.ts for the live ones)
  it('wrong password at the handshake → exit 77, "refused the login", credentials hint', () => {
    const error = new Error(
      'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
    );
    const mapped = mapAmqpError(error, target);
    assert.equal(mapped.exitCode, ExitCode.AUTH);
    assert.match(mapped.message, /refused the login: ACCESS_REFUSED - Login was refused/);
    assert.match(mapped.hint ?? '', /user name and password/);
    assertOneLine(mapped);
  });

  it('connection.open refused (no such vhost, or no access to it) → exit 77 naming the vhost', () => {
    const mapped = mapAmqpError(
      new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'),
      target,
      'v1',
    );
    assert.equal(mapped.exitCode, ExitCode.AUTH);
    assert.match(mapped.message, /refused the connection to vhost "v1" \(NOT_ALLOWED\)/);
    assert.match(mapped.hint ?? '', /vhost exists/);
    assertOneLine(mapped);
  });

  it('a permission refused on a channel (403 with a code) → exit 77 with the permissions hint', () => {
    const error = amqpClose(
      'Operation failed: QueueDeclare',
      403,
      'ACCESS_REFUSED',
      "access to queue 'q' in vhost '/' refused for user 'u'",
    );
    const mapped = mapAmqpError(error, target);
    assert.equal(mapped.exitCode, ExitCode.AUTH);
    assert.match(mapped.hint ?? '', /permissions/);
  });

  const lostCases = [
    'Socket closed abruptly during opening handshake',
    'Unexpected close',
    'Heartbeat timeout',
    'channel closed',
    'Channel ended, no reply will be forthcoming',
    'Connection closed (by client)',
    'connect ETIMEDOUT',
  ];
  it("amqplib's connection-lost texts (every pattern) → exit 69", () => {
    for (const re of AMQPLIB_CONNECTION_LOST)
      assert.ok(
        lostCases.some((c) => re.test(c)),
        `no case for ${re}`,
      );
    for (const text of lostCases)
      assert.equal(mapAmqpError(new Error(text), target).exitCode, ExitCode.UNAVAILABLE);
  });

  it('a socket error code → exit 69; anything else → exit 1', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(mapAmqpError(refused, target).exitCode, ExitCode.UNAVAILABLE);
    assert.equal(mapAmqpError(new Error('message nacked'), target).exitCode, ExitCode.FAILURE);
  });
});

describe('HTTP statuses (HTTP_STATUSES: Pulsar admin and WebSocket, RabbitMQ management)', () => {
  let server: Server;
  let client: HttpJsonClient;
  before(async () => {
    server = createServer((req, res) => {
      const status = Number(req.url?.slice(1));
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ reason: `answer ${status}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new HttpJsonClient({
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 5000,
      service: 'test API',
    });
  });
  after(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const statusCases: Array<[status: number, exit: number]> = [
    [400, ExitCode.USAGE],
    [401, ExitCode.AUTH],
    [403, ExitCode.AUTH],
    [404, ExitCode.NOT_FOUND],
    [409, ExitCode.USAGE],
    [412, ExitCode.USAGE],
    [422, ExitCode.USAGE],
    [502, ExitCode.UNAVAILABLE],
    [503, ExitCode.UNAVAILABLE],
    [504, ExitCode.UNAVAILABLE],
    [405, ExitCode.FAILURE],
    [429, ExitCode.FAILURE],
    [500, ExitCode.FAILURE],
  ];

  it('every table row has a case', () => {
    const tested = new Set(statusCases.map(([status]) => status));
    for (const status of Object.keys(HTTP_STATUSES))
      assert.ok(tested.has(Number(status)), `no case for ${status}`);
  });

  for (const [status, exit] of statusCases) {
    it(`HTTP ${status} → exit ${exit}`, async () => {
      const error = await client.get(`/${status}`).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e as MqctlError,
      );
      assert.equal(error.exitCode, exit, error.message);
      assert.match(error.message, new RegExp(`answer ${status}`));
      if (exit === ExitCode.AUTH)
        assert.match(error.hint ?? '', status === 401 ? /user name and password/ : /permissions/);
      assertOneLine(error);
    });
  }
});

describe('Pulsar ServerError codes (PULSAR_SERVER_ERRORS)', () => {
  // codes from PulsarApi.proto's ServerError enum
  const codeCases: Array<[code: number, name: string, exit: number]> = [
    [0, 'UnknownError', ExitCode.FAILURE],
    [1, 'MetadataError', ExitCode.UNAVAILABLE],
    [2, 'PersistenceError', ExitCode.UNAVAILABLE],
    [3, 'AuthenticationError', ExitCode.AUTH],
    [4, 'AuthorizationError', ExitCode.AUTH],
    [6, 'ServiceNotReady', ExitCode.UNAVAILABLE],
    [11, 'TopicNotFound', ExitCode.NOT_FOUND],
    [12, 'SubscriptionNotFound', ExitCode.NOT_FOUND],
    [14, 'TooManyRequests', ExitCode.UNAVAILABLE],
    [16, 'ProducerBusy', ExitCode.FAILURE],
    [17, 'InvalidTopicName', ExitCode.NOT_FOUND],
  ];

  it('every table row has a case', () => {
    const tested = new Set(codeCases.map(([code]) => code));
    for (const code of Object.keys(PULSAR_SERVER_ERRORS))
      assert.ok(tested.has(Number(code)), `no case for ${code}`);
  });

  for (const [code, name, exit] of codeCases) {
    it(`${name} (${code}) → exit ${exit}`, () => {
      const mapped = serverError(code, 'broker text', 'send to t', 'pulsar://127.0.0.1:6650');
      assert.equal(mapped.exitCode, exit);
      assert.match(mapped.message, new RegExp(`answered ${name} \\(broker text\\)`));
      if (exit === ExitCode.AUTH) assert.match(mapped.hint ?? '', /token/);
      assertOneLine(mapped);
    });
  }
});
