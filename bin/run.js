#!/usr/bin/env node
// The mqctl binary. Commands print their own one-line errors and set the exit code; this catches what
// happens before a command runs (unknown command, broken install) so no stack trace reaches the user
// without --debug.
const { run, flush } = require('@oclif/core');

run(process.argv.slice(2), __dirname)
  .then(() => flush())
  .catch((error) => require('../dist/src/cli/exit.js').handleTopLevelError(error));
