import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Wall-clock reads are banned outside SystemClock: time comes from an injected Clock. */
const noWallClock = [
  {
    selector:
      "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message:
      'Use the injected Clock (libs/domain/src/clock.ts), not Date.now().',
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message:
      'Use the injected Clock (libs/domain/src/clock.ts), not new Date().',
  },
];

/** The pure heart of libs/domain must not depend on frameworks, drivers or HTTP. */
const frameworkImports = {
  patterns: [
    {
      group: [
        '@nestjs/*',
        'typeorm',
        'typeorm/*',
        'pg',
        'pg-*',
        'axios',
        'undici',
        'express',
      ],
      message: 'Pure domain code: no frameworks, drivers or HTTP clients here.',
    },
    {
      group: ['**/persistence', '**/persistence/*'],
      message: 'Pure domain code must not import persistence/.',
    },
  ],
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '.data/**', 'tmp/**'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:runtime'],
            },
            {
              sourceTag: 'type:runtime',
              onlyDependOnLibsWithTags: ['type:domain'],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
            },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:domain'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': ['error', ...noWallClock],
    },
  },
  {
    files: [
      'libs/domain/src/clock.ts',
      '**/*.spec.ts',
      '**/*.e2e-spec.ts',
      '**/testing/**/*.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: [
      'libs/domain/src/schedule/**/*.ts',
      'libs/domain/src/trigger/**/*.ts',
      'libs/domain/src/contracts/**/*.ts',
      'libs/domain/src/clock.ts',
      'libs/domain/src/errors.ts',
      'libs/domain/src/execution/**/*.ts',
      'libs/domain/src/index.ts',
    ],
    rules: { 'no-restricted-imports': ['error', frameworkImports] },
  },
];
