import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'scripts/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Commands stay thin: broker SDKs are imported only under src/brokers/<kind>/.
    files: ['commands/**/*.ts', 'src/cli/**/*.ts', 'src/lag/**/*.ts', 'src/dlq/**/*.ts', 'src/perf/**/*.ts', 'src/topics/**/*.ts', 'src/gates/**/*.ts', 'src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['kafkajs', 'amqplib', 'ws', 'pulsar-client'] }],
    },
  },
);
