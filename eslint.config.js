import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', '.scratch/**', 'dashboard/dist/**', 'test/e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Files small enough to read in one sitting (STYLE.md habit 3).
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='console'][callee.property.name='log']", message: 'use the logger' }],
    },
  },
  {
    // Only storage/ may talk to the ClickHouse client (STYLE.md habit 6).
    files: ['server/**/*.ts'],
    ignores: ['server/storage/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@clickhouse/client', 'chdb', 'chdb/*'], message: 'only server/storage talks to ClickHouse' }] }],
    },
  },
  {
    // lib/ is the ground floor the server and the agent share: it imports neither.
    files: ['lib/**/*.ts'],
    ignores: ['lib/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**', '**/collectors/**', '@clickhouse/client', 'chdb', 'chdb/*'], message: 'lib/ imports neither the server nor the agent' }] }],
    },
  },
  {
    // The agent runs on monitored hosts: it shares code through lib/, never reaches into the server.
    files: ['collectors/**/*.ts'],
    ignores: ['collectors/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/server/**', '@clickhouse/client', 'chdb', 'chdb/*'], message: 'the agent shares code with the server through lib/ only' }] }],
    },
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js', 'vitest.config.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['bench/**/*.ts', 'server/cli.ts', 'test/**/*.ts', 'bin/**/*.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
