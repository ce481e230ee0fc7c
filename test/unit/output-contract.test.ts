import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { camelCase, col, renderCsv, renderList, renderObject } from '../../src/core/output';

/** The output contract (docs/output.md): lists in `items`, camelCase CSV headers. */
describe('output contract', () => {
  const rows = [{ name: 'orders', messagesReady: 3 }];
  const columns = [
    col<(typeof rows)[number]>('NAME', 'name'),
    col<(typeof rows)[number]>('READY', 'messagesReady'),
  ];
  const style = { color: false };

  test('a list is {"items": [...]} in JSON and YAML, also when empty', () => {
    assert.deepEqual(JSON.parse(renderList('json', rows, columns, style)), { items: rows });
    assert.deepEqual(JSON.parse(renderList('json', [], columns, style)), { items: [] });
    assert.equal(renderList('yaml', [], columns, style), 'items: []');
    assert.deepEqual(JSON.parse(renderList('json', rows, columns, style, [{ name: 'x' }], { examined: 1 })), {
      examined: 1,
      items: [{ name: 'x' }],
    });
  });

  test('an object is printed as is; its rows go to CSV', () => {
    assert.deepEqual(JSON.parse(renderObject('json', { a: 1 }, rows, columns, style)), { a: 1 });
    assert.equal(renderObject('csv', { a: 1 }, rows, columns, style), 'name,messagesReady\norders,3');
  });

  test('CSV headers are the field names, or the header in camelCase', () => {
    assert.equal(renderCsv(rows, columns).split('\n')[0], 'name,messagesReady');
    assert.equal(
      renderCsv(rows, [{ header: 'CURRENT-OFFSET', get: () => 1 }]).split('\n')[0],
      'currentOffset',
    );
    for (const [input, expected] of [
      ['send_delay', 'sendDelay'],
      ['p99 (ms)', 'p99Ms'],
      ['#PARTITIONS', 'partitions'],
      ['LOG-END-OFFSET', 'logEndOffset'],
      ['mbPerSec', 'mbPerSec'],
      ['→ TARGET', 'target'],
      ['erlang version', 'erlangVersion'],
    ])
      assert.equal(camelCase(input!), expected);
  });
});
