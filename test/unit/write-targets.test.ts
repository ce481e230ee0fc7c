import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/doc-examples';

/**
 * Every write names its target (issue 19 item 1, DESIGN.md §6 "only the cluster the user named"): a command
 * that changes broker state sets `static writes = true`, and BaseCommand prints `target: …` on stderr when it
 * resolves the connection, before it acts. Each command of the oclif manifest is classified below as a write
 * or not, so a new command fails here until someone decides which it is.
 */

/** Commands that change broker (or schema registry) state, and what they change. */
const WRITES: Record<string, string> = {
  'binding:create': 'RabbitMQ binding',
  'binding:delete': 'RabbitMQ binding',
  'dlq:purge': 'removes DLQ messages',
  'dlq:replay': 'produces to the origin, removes or commits DLQ progress',
  'exchange:create': 'RabbitMQ exchange',
  'exchange:delete': 'RabbitMQ exchange',
  'group:delete': 'consumer group / subscription',
  'group:reset-offsets': 'group offsets',
  'group:skip': 'group offsets',
  'namespace:create': 'Pulsar namespace',
  'namespace:delete': 'Pulsar namespace',
  'perf:consume': 'RabbitMQ acks remove messages; Kafka groups commit; Pulsar subscriptions are created',
  'perf:e2e': 'produces and consumes; --create-topic',
  'perf:produce': 'produces; --create-topic',
  'queue:create': 'RabbitMQ queue',
  'queue:delete': 'RabbitMQ queue',
  'queue:purge': 'removes queue messages',
  'schema:delete': 'schema (registry or Pulsar)',
  'schema:upload': 'schema (registry or Pulsar)',
  'topic:add-partitions': 'partitions',
  'topic:alter': 'partitions / config',
  'topic:config:delete': 'topic config',
  'topic:config:set': 'topic config',
  'topic:create': 'topic',
  'topic:delete': 'topic',
  verify: 'produces and consumes with its own group; --create-topic',
};

/** Commands that change no broker state (the context commands write mqctl's own config file only). */
const READS: Record<string, string> = {
  __complete: 'shell completion candidates',
  completion: 'prints a completion script',
  'binding:list': '',
  'cluster:info': '',
  'context:add': 'config file only',
  'context:delete': 'config file only',
  'context:list': '',
  'context:show': '',
  'context:use': 'config file only',
  'dlq:list': '',
  // RabbitMQ cannot browse: peek and stats --scan take messages unacknowledged and requeue them all
  // (marked redelivered, contents unchanged), which docs/dlq.md says.
  'dlq:peek': '',
  'dlq:stats': '',
  'exchange:list': '',
  'group:describe': '',
  'group:list': '',
  lag: '',
  'lag:serve': '',
  'namespace:list': '',
  'perf:compare': 'result files only',
  'perf:merge': 'result files only',
  'queue:describe': '',
  'queue:list': '',
  'schema:compat': 'asks the registry, stores nothing',
  'schema:get': '',
  'tenant:list': '',
  'topic:config:get': '',
  'topic:describe': '',
  'topic:list': '',
};

/** Verbs that change state: a command named with one is a write unless it only touches mqctl's config. */
const WRITE_VERBS = /(^|:)(create|delete|purge|alter|set|reset-offsets|skip|replay|upload|add-partitions)$/;

interface CommandClass {
  writes?: boolean;
  announcesTarget?: boolean;
}

function manifestIds(): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, unknown>;
  };
  return Object.keys(manifest.commands).sort();
}

function compiledFile(id: string): string {
  const path = id.split(':');
  const file = join(REPO, 'dist', 'commands', ...path) + '.js';
  // `lag` is commands/lag/index.ts (it has subcommands)
  return id === 'lag' ? join(REPO, 'dist', 'commands', 'lag', 'index.js') : file;
}

function commandClass(id: string): CommandClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(compiledFile(id)) as { default: CommandClass };
  return loaded.default;
}

describe('every write prints its target first', () => {
  const ids = manifestIds();

  it('each command of the manifest is classified once, as a write or not', () => {
    assert.ok(ids.length >= 54, `expected at least 54 commands, found ${ids.length}`);
    const unclassified = ids.filter((id) => !(id in WRITES) && !(id in READS));
    assert.deepEqual(unclassified, [], 'new command: add it to WRITES or READS in this file');
    assert.deepEqual(
      Object.keys(WRITES).filter((id) => id in READS),
      [],
    );
    assert.deepEqual(
      [...Object.keys(WRITES), ...Object.keys(READS)].filter((id) => !ids.includes(id)),
      [],
      'no stale entries',
    );
  });

  it('commands named with a write verb are writes (except the context commands, which change no broker)', () => {
    const missed = ids.filter((id) => WRITE_VERBS.test(id) && !id.startsWith('context:') && !(id in WRITES));
    assert.deepEqual(missed, []);
  });

  it('every write sets static writes = true; no read does', () => {
    const unmarked = Object.keys(WRITES).filter((id) => commandClass(id).writes !== true);
    assert.deepEqual(unmarked, [], 'writes without `static override writes = true`');
    const marked = Object.keys(READS).filter((id) => commandClass(id).writes === true);
    assert.deepEqual(marked, [], 'reads marked as writes (they would print a target line)');
  });

  it('a write that announces its own target (announcesTarget) calls announceTarget', () => {
    const announcing = Object.keys(WRITES).filter((id) => commandClass(id).announcesTarget === true);
    assert.deepEqual(announcing, ['schema:delete', 'schema:upload']);
    for (const id of announcing)
      assert.match(readFileSync(compiledFile(id), 'utf8'), /\.announceTarget\(/, id);
  });
});
