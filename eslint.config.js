import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dashboard/dist/**', 'test/e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Files small enough to read in one sitting (STYLE.md habit 3).
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
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
    files: ['bin/**/*.js', 'eslint.config.js', 'vitest.config.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['bench/**/*.ts', 'server/cli.ts', 'test/**/*.ts', 'bin/**/*.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
