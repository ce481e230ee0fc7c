// Mutation testing of mqctl's pure modules: `npm run test:mutation` (slow: not part of `npm test`).
// Stryker mutates the compiled JavaScript in dist/src (tsc output of the same lines; mutating the .ts
// would need a tsc run per mutant) and its command runner runs the module's unit tests on node's test
// runner in one process (scripts/mutation-tests.js). One Stryker run per module group, chosen by
// MQCTL_MUTATION_MODULE (scripts/mutation.sh runs them all), each with only the tests of that module.
const MODULES = {
  gates: {
    mutate: ['expression', 'evaluate', 'abort'].map((f) => `dist/src/gates/${f}.js`),
    tests: ['gates-expression', 'gates-evaluate', 'gates-abort', 'properties-gates'],
  },
  lag: {
    mutate: ['dist/src/lag/verdict.js', 'dist/src/lag/thresholds.js'],
    tests: ['lag', 'lag-verdict'],
  },
  dlq: {
    mutate: ['dist/src/dlq/filter.js', 'dist/src/dlq/headers.js'],
    tests: ['dlq-filter', 'dlq-headers', 'dlq-headers-examples', 'dlq-filter-examples', 'properties-dlq'],
  },
  config: {
    mutate: ['dist/src/config/resolve.js'],
    tests: ['contexts', 'config-resolve', 'config-examples'],
  },
  duration: {
    mutate: ['dist/src/util/duration.js'],
    tests: ['dlq-filter', 'lag', 'gates-options', 'duration', 'properties-duration'],
  },
  redact: {
    mutate: ['dist/src/core/redact.js'],
    tests: ['redact', 'redact-examples', 'broker-errors'],
  },
};

const name = process.env.MQCTL_MUTATION_MODULE ?? 'gates';
const module = MODULES[name];
if (!module) throw new Error(`MQCTL_MUTATION_MODULE=${name}: one of ${Object.keys(MODULES).join(', ')}`);
// MQCTL_MUTATION_MUTATE (comma-separated, e.g. dist/src/core/redact.js:40-41,dist/src/core/redact.js:97-97)
// narrows a run to line ranges: a re-run of the lines that held survivors after tests were added, merged with
// the full run by scripts/mutation-merge.js. Its report goes to reports/mutation/<module>-ranges.json.
const ranges = process.env.MQCTL_MUTATION_MUTATE?.split(',').filter(Boolean);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: `node scripts/mutation-tests.js ${module.tests.join(' ')}` },
  mutate: ranges ?? module.mutate,
  ignorePatterns: ['/.brokers', '/bench', '/deploy', '/reports', '/coverage', '/src', '/commands', '/test'],
  concurrency: Number(process.env.MQCTL_MUTATION_CONCURRENCY ?? 1),
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${name}${ranges ? '-ranges' : ''}.json` },
  thresholds: { high: 90, low: 80, break: null },
  // error and hint texts: a changed message is a changed message, not a changed behaviour; the tests pin
  // the messages that matter with regexes, and 30 % fewer mutants keeps a run within the hour on 2 cores
  mutator: { excludedMutations: ['StringLiteral'] },
  timeoutMS: 20_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
