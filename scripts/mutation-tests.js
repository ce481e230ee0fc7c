#!/usr/bin/env node
// The test command of `npm run test:mutation`: runs the named unit test files (dist/test/unit/<name>.test.js,
// names without a file are skipped so a module group can list tests added later) in ONE node process,
// because a process per file costs seconds per mutant on this machine. Exit 1 when any test fails.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const files = process.argv
  .slice(2)
  .map((name) => join(__dirname, '..', 'dist', 'test', 'unit', `${name}.test.js`))
  .filter((file) => existsSync(file));
if (files.length === 0) {
  console.error('mutation-tests: no test file found');
  process.exit(2);
}
// node:test runs the tests registered by these files when the process ends and sets exit code 1 on a failure
for (const file of files) require(file);
