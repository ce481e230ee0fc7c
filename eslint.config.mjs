import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const KINDS = ['kafka', 'pulsar', 'rabbitmq'];
// Broker SDKs and protocol libraries: each lives behind one kind's folder (kafkajs behind one file).
const SDKS = [
  'kafkajs',
  'amqplib',
  'ws',
  'undici',
  'protobufjs',
  'pulsar-client',
  '@confluentinc/kafka-javascript',
];
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const sdkPatterns = SDKS.map((name) => ({
  regex: `^${escape(name)}(/.*)?$`,
  name,
  message: `${name} is imported only by its broker folder`,
}));

/**
 * The SDK rules for one set of files: every SDK except the ones those files own. no-restricted-imports sees
 * `import` and `export … from`; no-restricted-syntax sees what it does not: `require()`, `require.resolve()` and
 * `import()` of an SDK, with a string or a template literal (`require(\`kafkajs/src/…/v${n}\`)`).
 */
function sdkRules(allowed) {
  const forbidden = SDKS.filter((name) => !allowed.includes(name));
  // esquery reads a regular expression up to the next slash, so the slash is written \u002f.
  const names = `/^(${forbidden.map((n) => escape(n).replace(/\\\//g, '\\u002f')).join('|')})(\\u002f.*)?$/`;
  const loaders = [
    ['require()', "CallExpression[callee.type='Identifier'][callee.name='require']", 'arguments.0'],
    ['require.resolve()', "CallExpression[callee.object.name='require'][callee.property.name='resolve']", 'arguments.0'],
    ['import()', 'ImportExpression', 'source'],
  ];
  const syntax = loaders.flatMap(([call, node, argument]) =>
    [`${argument}.value`, `${argument}.quasis.0.value.raw`].map((field) => ({
      selector: `${node}[${field}=${names}]`,
      message: `${call} of an SDK outside its door: each SDK is loaded only where the SDK blocks of eslint.config.mjs allow it`,
    })),
  );
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: sdkPatterns
          .filter((p) => !allowed.includes(p.name))
          .map(({ regex, message }) => ({ regex, message })),
      },
    ],
    'no-restricted-syntax': ['error', ...syntax],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', '.stryker-tmp/**', 'reports/**', 'node_modules/**', 'bin/**', 'scripts/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Layers run one way: no import cycles in src/ or commands/. no-cycle follows import and require() edges
    // (commonjs: the factories require() each kind); it skips `import type`, so test/unit/architecture.test.ts
    // counts the cycles again with type-only edges included.
    files: ['src/**/*.ts', 'commands/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { maxDepth: Infinity, ignoreExternal: true, commonjs: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            // One broker kind never imports another; shared shapes live in src/brokers/contracts/.
            ...KINDS.map((kind) => ({
              target: `./src/brokers/${kind}`,
              from: KINDS.filter((k) => k !== kind).map((k) => `./src/brokers/${k}`),
              message: 'a broker kind imports no other kind: move what both need to src/brokers/contracts/',
            })),
            // Outside src/brokers/, no file imports a broker kind: the factories and contracts are the door.
            {
              target: ['./src/!(brokers)/**/*', './src/*.ts', './commands/**/*'],
              from: KINDS.map((k) => `./src/brokers/${k}`),
              except: [],
              message:
                'only src/brokers/ imports a broker kind: use a factory (src/brokers/*.ts) or a contract (src/brokers/contracts/)',
            },
            // Contracts are the bottom of the broker layer: they import no kind and no factory.
            {
              target: './src/brokers/contracts',
              from: './src/brokers',
              except: ['./contracts'],
              message: 'a contract imports no broker kind or factory',
            },
            // src/brokers/ reaches up into a capability folder only for the pure modules the kinds share with
            // it (DEVELOPING.md "Layers"): DLQ types, header codecs, the replay decision, the Filter type, the lag
            // model, name validators and mapLimit. Nothing else of src/<capability>/ or src/*.ts.
            {
              target: './src/brokers',
              from: [
                './src/!(brokers|core|config|util|dlq|lag|topics)/**/*',
                './src/*.ts',
                './src/{dlq,lag,topics}/*/**/*',
                './src/dlq/!(filter|headers|replay|types).ts',
                './src/lag/!(model).ts',
                './src/topics/!(validate).ts',
              ],
              message:
                'src/brokers/ imports from a capability folder only dlq/{filter,headers,replay,types}, lag/model and topics/validate (pure modules; see DEVELOPING.md "Layers")',
            },
            // ...and those modules import nothing of src/brokers/, so the files stay acyclic.
            {
              target: ['./src/dlq/{filter,headers,replay,types}.ts', './src/lag/model.ts', './src/topics/validate.ts'],
              from: './src/brokers',
              message: 'src/brokers/ imports this module, so it imports nothing of src/brokers/',
            },
            // src/core (errors, renderers) depends on nothing of the project.
            {
              target: './src/core',
              from: './src',
              except: ['./core'],
              message: 'src/core imports nothing of the project',
            },
            // Domain folders hold no CLI code: only commands/ and src/cli/ import src/cli/ (src/cli itself is
            // left out of this one zone only; every other zone holds for it too).
            {
              target: ['./src/!(cli)/**/*', './src/*.ts'],
              from: './src/cli',
              except: [],
              message: 'src/cli is the oclif layer: only commands/ and src/cli/ import it',
            },
            {
              target: './src',
              from: './commands',
              message: 'src/ never imports a command',
            },
          ],
        },
      ],
    },
  },
  {
    // The factories load each broker kind with require() on first use (start-up: a command loads one SDK).
    files: ['src/brokers/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Every file outside src/brokers/<kind>/: no SDK at all.
    files: ['commands/**/*.ts', 'src/**/*.ts'],
    ignores: KINDS.map((k) => `src/brokers/${k}/**`).concat(['src/brokers/http.ts']),
    rules: sdkRules([]),
  },
  // src/brokers/http.ts is the one HTTP door (Pulsar admin and RabbitMQ management both use it).
  { files: ['src/brokers/http.ts'], rules: sdkRules(['undici']) },
  // kafkajs (and its deep paths) only through src/brokers/kafka/kafkajs.ts, the one door that patches it.
  {
    files: ['src/brokers/kafka/**/*.ts'],
    ignores: ['src/brokers/kafka/kafkajs.ts', 'src/brokers/kafka/perf-rdkafka.ts'],
    rules: sdkRules([]),
  },
  { files: ['src/brokers/kafka/kafkajs.ts'], rules: sdkRules(['kafkajs']) },
  // The optional librdkafka client (not a dependency) is resolved at run time in this one file.
  { files: ['src/brokers/kafka/perf-rdkafka.ts'], rules: sdkRules(['@confluentinc/kafka-javascript']) },
  { files: ['src/brokers/pulsar/**/*.ts'], rules: sdkRules(['ws', 'protobufjs', 'pulsar-client']) },
  { files: ['src/brokers/rabbitmq/**/*.ts'], rules: sdkRules(['amqplib']) },
);
