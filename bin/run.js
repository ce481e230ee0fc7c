#!/usr/bin/env node
// The mqctl binary. Commands print their own one-line errors and set the exit code; this catches what
// happens before a command runs (unknown command, broken install) so no stack trace reaches the user
// without --debug.
const { run, flush } = require('@oclif/core');

// Every run ends: once the command has finished (its output and error line written, its connections
// closed), nothing may keep the process alive — a client thread or a socket left behind after an error
// would otherwise hang it. The timer is unref'd: a process that ends by itself is not delayed.
const endSoon = () => setTimeout(() => process.exit(), 1000).unref();

run(process.argv.slice(2), __dirname)
  .then(() => flush())
  .catch((error) => require('../dist/src/cli/exit.js').handleTopLevelError(error))
  .finally(endSoon);
