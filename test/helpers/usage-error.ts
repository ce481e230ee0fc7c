import assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors';

/**
 * Runs `fn`, which must throw a UsageError (exit 2) whose message matches `message` and whose hint matches
 * `hint` when given; returns the error for further checks.
 */
export function expectUsageError(fn: () => unknown, message?: RegExp, hint?: RegExp): UsageError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    if (message) assert.match(error.message, message);
    if (hint) assert.match(error.hint ?? '', hint);
    return error;
  }
  assert.fail('expected a UsageError');
}
