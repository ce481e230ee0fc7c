import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../../src/brokers';
import type { RabbitConnection } from '../../../src/brokers/rabbitmq/connection';
import { mapAmqpError } from '../../../src/brokers/rabbitmq/errors';
import { LOCAL, requireRabbit, uniqueName } from '../../helpers/brokers';
import { isolatedConfigEnv, runCli } from '../../helpers/cli';
import { rabbitConnection, rejectsWith } from '../../helpers/topics';

/**
 * The AMQP reply-code table against the real broker (issue 16 item 5): each refusal RabbitMQ sends, through
 * amqplib and mapAmqpError, is the documented exit code; the login refusals also through the CLI, as one
 * line with a hint and without the password.
 */
describe('RabbitMQ refusals → exit codes (real broker at 127.0.0.1:5672/15672)', () => {
  const connection = rabbitConnection();
  const http = connection.management;
  const queues: string[] = [];
  const user = uniqueName('mqctl-errors-user');
  const userPassword = `pw-${uniqueName('x')}`;
  const closers: RabbitConnection[] = [connection];

  before(requireRabbit);
  after(async () => {
    for (const q of queues)
      await http
        .request({ method: 'DELETE', path: `/api/queues/%2F/${encodeURIComponent(q)}`, allow404: true })
        .catch(() => undefined);
    await http
      .request({ method: 'DELETE', path: `/api/users/${encodeURIComponent(user)}`, allow404: true })
      .catch(() => undefined);
    for (const c of closers) await c.close();
  });

  /** The error an AMQP call on a fresh channel fails with, mapped as mqctl maps it. */
  async function amqpFailure(
    on: RabbitConnection,
    call: (ch: Awaited<ReturnType<RabbitConnection['channel']>>) => Promise<unknown>,
  ) {
    const ch = await on.channel();
    return call(ch).then(
      () => assert.fail('expected the broker to refuse'),
      (error: unknown) => mapAmqpError(error, on.target),
    );
  }

  it('404 NOT_FOUND (a passive declare of a missing queue) → exit 3', async () => {
    const mapped = await amqpFailure(connection, (ch) => ch.checkQueue(uniqueName('mqctl-errors-missing')));
    assert.equal(mapped.exitCode, 3, mapped.message);
    assert.match(mapped.message, /NOT_FOUND - no queue .* \(reply code 404\)/);
  });

  it('406 PRECONDITION_FAILED (a redeclare with other arguments) → exit 2', async () => {
    const name = uniqueName('mqctl-errors-args');
    queues.push(name);
    const ch = await connection.channel();
    await ch.assertQueue(name, { durable: false, arguments: { 'x-max-length': 5 } });
    const mapped = await amqpFailure(connection, (c) =>
      c.assertQueue(name, { durable: false, arguments: { 'x-max-length': 6 } }),
    );
    assert.equal(mapped.exitCode, 2, mapped.message);
    assert.match(mapped.message, /PRECONDITION_FAILED - inequivalent arg/);
  });

  it("405 RESOURCE_LOCKED (another connection's exclusive queue) → exit 1 with a hint", async () => {
    const name = uniqueName('mqctl-errors-exclusive');
    const ch = await connection.channel();
    await ch.assertQueue(name, { exclusive: true });
    const other = rabbitConnection();
    closers.push(other);
    const mapped = await amqpFailure(other, (c) => c.consume(name, () => undefined));
    assert.equal(mapped.exitCode, 1, mapped.message);
    assert.match(mapped.message, /RESOURCE_LOCKED/);
    assert.match(mapped.hint ?? '', /exclusive/);
  });

  it('403 ACCESS_REFUSED on a channel (a user without configure permission) → exit 77', async () => {
    await http.request({
      method: 'PUT',
      path: `/api/users/${encodeURIComponent(user)}`,
      body: { password: userPassword, tags: '' },
    });
    await http.request({
      method: 'PUT',
      path: `/api/permissions/%2F/${encodeURIComponent(user)}`,
      body: { configure: '^$', write: '.*', read: '.*' },
    });
    const limited = connect(
      {
        kind: 'rabbitmq',
        url: 'amqp://127.0.0.1:5672',
        managementUrl: LOCAL.rabbitmq.managementUrl,
        username: user,
        password: userPassword,
        name: 'test',
        source: 'flags',
      },
      { timeoutMs: 10_000 },
    ) as RabbitConnection;
    closers.push(limited);
    const mapped = await amqpFailure(limited, (c) => c.assertQueue(uniqueName('mqctl-errors-denied')));
    assert.equal(mapped.exitCode, 77, mapped.message);
    assert.match(mapped.message, /ACCESS_REFUSED - access to queue/);
    assert.match(mapped.hint ?? '', /permissions/);
  });

  it('530 NOT_ALLOWED at connection.open (no such vhost) → exit 77 naming the vhost', async () => {
    const vhost = uniqueName('mqctl-errors-vhost');
    const c = rabbitConnection(vhost);
    closers.push(c);
    const error = await rejectsWith(c.amqp(), 77, new RegExp(`refused the connection to vhost "${vhost}"`));
    assert.match(error.hint ?? '', /vhost exists/);
  });

  it('a wrong password over AMQP and over the management API: exit 77, one line with a hint, never the password', async () => {
    const wrong = `wrong-${uniqueName('pw')}`;
    const env = { ...isolatedConfigEnv(), MQCTL_PASSWORD: wrong };
    const queue = uniqueName('mqctl-errors-login');
    const amqpRun = await runCli(
      ['perf', 'produce', '--kind', 'rabbitmq', '--topic', queue, '--rate', '10', '--num-records', '1'],
      { env },
    );
    const managementRun = await runCli(['queue', 'list', '--kind', 'rabbitmq'], { env });
    for (const [what, run, text] of [
      [
        'AMQP',
        amqpRun,
        /^Error: RabbitMQ at .* refused the login: ACCESS_REFUSED - .* — check the user name and password/,
      ],
      [
        'management',
        managementRun,
        /^Error: RabbitMQ management API .* refused: .* — check the user name and password/,
      ],
    ] as const) {
      assert.equal(run.code, 77, `${what}: ${run.stderr}`);
      const errorLines = run.stderr.split('\n').filter((l) => l.startsWith('Error:'));
      assert.equal(errorLines.length, 1, run.stderr);
      assert.match(errorLines[0]!, text);
      assert.ok(!run.stderr.includes(wrong) && !run.stdout.includes(wrong), `${what} printed the password`);
    }
  });
});
