import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { PulsarBinaryClient } from '../../src/brokers/pulsar/binary/client';
import { encodeCommand, FrameReader } from '../../src/brokers/pulsar/binary/frame';
import { DEFAULT_PRODUCER_SETTINGS } from '../../src/brokers/pulsar/binary/producer';
import { CommandType, ServerError, toNumber, type Uint64 } from '../../src/brokers/pulsar/binary/proto';
import { ExitCode, MqctlError } from '../../src/core/errors';

/**
 * The binary client's answers to protocol situations the local standalone broker never produces (it does
 * not redirect lookups): a scripted protocol peer plays the broker's side
 * of those exchanges. Everything a real broker can show is tested against one in
 * test/integration/pulsar/binary.test.ts.
 */
describe('Pulsar binary client against a scripted protocol peer', () => {
  it('follows a lookup redirect to the broker that owns the topic', async () => {
    const producerCommands: number[] = [];
    // eslint-disable-next-line prefer-const
    let owner: { server: Server; port: number };
    const ownerPort = () => owner.port;
    owner = await scriptedPeer(
      (command, reply) => {
        producerCommands.push(command.type);
        // asked again by the client after the redirect, the owner answers for itself
        if (command.type === CommandType.LOOKUP)
          reply({
            type: CommandType.LOOKUP_RESPONSE,
            lookupTopicResponse: {
              requestId: command.requestId,
              response: 1, // Connect
              brokerServiceUrl: `pulsar://127.0.0.1:${ownerPort()}`,
              authoritative: true,
            },
          });
        if (command.type === CommandType.PRODUCER)
          reply({
            type: CommandType.PRODUCER_SUCCESS,
            producerSuccess: { requestId: command.requestId, producerName: 'scripted', lastSequenceId: -1 },
          });
      },
      { onSend: true },
    );
    const lookup = await scriptedPeer((command, reply) => {
      if (command.type === CommandType.PARTITIONED_METADATA)
        reply({
          type: CommandType.PARTITIONED_METADATA_RESPONSE,
          partitionMetadataResponse: { requestId: command.requestId, partitions: 0, response: 0 },
        });
      if (command.type === CommandType.LOOKUP)
        reply({
          type: CommandType.LOOKUP_RESPONSE,
          lookupTopicResponse: {
            requestId: command.requestId,
            response: 0, // Redirect
            brokerServiceUrl: `pulsar://127.0.0.1:${owner.port}`,
            authoritative: true,
          },
        });
    });
    const client = new PulsarBinaryClient({
      serviceUrl: `pulsar://127.0.0.1:${lookup.port}`,
      timeoutMs: 5000,
    });
    try {
      const producer = await client.createProducer(
        'persistent://public/default/redirected',
        DEFAULT_PRODUCER_SETTINGS,
      );
      let acked = 0;
      producer.send({ payload: Buffer.from('x'), properties: [] }, { settle: (_i, e) => !e && acked++ }, 0);
      await producer.flush(5000);
      assert.equal(acked, 1, 'the receipt came from the broker the lookup redirected to');
      assert.ok(producerCommands.includes(CommandType.PRODUCER), 'the producer was opened on the owner');
    } finally {
      await client.close();
      owner.server.close();
      lookup.server.close();
    }
  });

  // What the broker does with a token is tested against the real one (test/integration/pulsar/auth.test.ts);
  // this only checks how the client turns a handshake ERROR(AuthenticationError) frame into an exit code.
  it('maps a CONNECT answered by ERROR(AuthenticationError) to exit 77 without printing the token', async () => {
    const peer = await scriptedPeer(() => undefined, { refuseAuth: true });
    const client = new PulsarBinaryClient({
      serviceUrl: `pulsar://127.0.0.1:${peer.port}`,
      token: 'wrong',
      timeoutMs: 3000,
    });
    try {
      const error = await client.partitions('t').catch((e: MqctlError) => e);
      assert.ok(error instanceof MqctlError);
      assert.equal(error.exitCode, ExitCode.AUTH, error.message);
      assert.doesNotMatch(error.message, /wrong/, 'the token is never printed');
    } finally {
      await client.close();
      peer.server.close();
    }
  });
});

interface PeerCommand {
  type: number;
  requestId?: number;
  producerId?: number;
  sequenceId?: number;
}

/**
 * The broker's side of the binary protocol, scripted: answers CONNECT (or refuses it like a broker with a
 * bad token), acknowledges SEND when asked, and hands every other command to `handle`.
 */
async function scriptedPeer(
  handle: (command: PeerCommand, reply: (command: object) => void) => void,
  options: { refuseAuth?: boolean; onSend?: boolean } = {},
): Promise<{ server: Server; port: number }> {
  const onSocket = (socket: Socket) => {
    const reader = new FrameReader();
    const reply = (command: object) => socket.write(encodeCommand(command));
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      for (const { command } of reader.push(data)) {
        const c = command as unknown as Record<string, Record<string, Uint64 | number> | number | null>;
        if (command.type === CommandType.CONNECT) {
          if (options.refuseAuth) {
            reply({
              type: CommandType.ERROR,
              error: { requestId: -1, error: ServerError.AuthenticationError, message: 'invalid token' },
            });
            socket.end();
          } else
            reply({
              type: CommandType.CONNECTED,
              connected: { serverVersion: 'scripted', protocolVersion: 19 },
            });
          continue;
        }
        if (command.type === CommandType.SEND && options.onSend) {
          const send = c.send as Record<string, Uint64>;
          reply({
            type: CommandType.SEND_RECEIPT,
            sendReceipt: {
              producerId: send.producerId,
              sequenceId: send.sequenceId,
              messageId: { ledgerId: 1, entryId: 1 },
            },
          });
          continue;
        }
        const sub = Object.values(c).find((v) => v && typeof v === 'object' && 'requestId' in v) as
          { requestId?: Uint64 } | undefined;
        handle(
          { type: command.type, requestId: sub?.requestId ? toNumber(sub.requestId) : undefined },
          reply,
        );
      }
    });
  };
  const server = createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}
