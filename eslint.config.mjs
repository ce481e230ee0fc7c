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

/** no-restricted-imports for one broker folder: every SDK except the ones that folder owns. */
function sdkRule(allowed) {
  return [
    'error',
    {
      patterns: sdkPatterns
        .filter((p) => !allowed.includes(p.name))
        .map(({ regex, message }) => ({ regex, message })),
    },
  ];
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
    // Layers run one way: no import cycles in src/ or commands/ (type-only imports count: they tie files too).
    files: ['src/**/*.ts', 'commands/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { maxDepth: Infinity, ignoreExternal: true }],
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
            // src/core (errors, renderers) depends on nothing of the project.
            {
              target: './src/core',
              from: './src',
              except: ['./core'],
              message: 'src/core imports nothing of the project',
            },
            // Domain folders hold no CLI code: only commands/ and src/cli/ import src/cli/.
            {
              target: './src',
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
    // src/cli itself may import its own files (the zone above forbids src/ → src/cli/ for everything else).
    files: ['src/cli/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    // Every file outside src/brokers/<kind>/: no SDK at all.
    files: ['commands/**/*.ts', 'src/**/*.ts'],
    ignores: KINDS.map((k) => `src/brokers/${k}/**`).concat(['src/brokers/http.ts']),
    rules: { 'no-restricted-imports': sdkRule([]) },
  },
  // src/brokers/http.ts is the one HTTP door (Pulsar admin and RabbitMQ management both use it).
  { files: ['src/brokers/http.ts'], rules: { 'no-restricted-imports': sdkRule(['undici']) } },
  // kafkajs (and its deep paths) only through src/brokers/kafka/kafkajs.ts, the one door that patches it.
  {
    files: ['src/brokers/kafka/**/*.ts'],
    ignores: ['src/brokers/kafka/kafkajs.ts'],
    rules: { 'no-restricted-imports': sdkRule([]) },
  },
  { files: ['src/brokers/kafka/kafkajs.ts'], rules: { 'no-restricted-imports': sdkRule(['kafkajs']) } },
  {
    files: ['src/brokers/pulsar/**/*.ts'],
    rules: { 'no-restricted-imports': sdkRule(['ws', 'protobufjs', 'pulsar-client']) },
  },
  { files: ['src/brokers/rabbitmq/**/*.ts'], rules: { 'no-restricted-imports': sdkRule(['amqplib']) } },
);
