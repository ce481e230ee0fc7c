import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_RUN } from './helpers/brokers';
import { findLeftovers } from './helpers/leftovers';

/**
 * The end-of-suite check, the last phase of scripts/test.sh (alone, after every other test file): nothing a
 * test of this run created is left on any local broker (test/helpers/leftovers.ts says what is looked at).
 * It needs the run tag (MQCTL_TEST_RUN, 4 hex digits) the run's tests were started with: to check a group
 * of test files by hand, export the same tag for them and for this file.
 */
describe('end of suite', () => {
  it(`no resource named by this test run is left on any broker (run ${TEST_RUN ?? 'untagged'})`, async () => {
    assert.ok(
      TEST_RUN,
      'MQCTL_TEST_RUN (4 hex digits) is not set: run the tests and this check with the same tag (scripts/test.sh does)',
    );
    const left = await findLeftovers(TEST_RUN);
    const lines = left.map((l) => `  ${l.kind}: ${l.name}`);
    assert.equal(
      left.length,
      0,
      `${left.length} resources left behind by run ${TEST_RUN}:\n${lines.join('\n')}`,
    );
  });
});
