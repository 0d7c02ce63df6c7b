import nx from '@nx/eslint-plugin';
import globals from 'globals';
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
  paths: [
    { name: 'node:http', message: 'Pure domain code: no HTTP here.' },
    { name: 'node:https', message: 'Pure domain code: no HTTP here.' },
    { name: 'http', message: 'Pure domain code: no HTTP here.' },
    { name: 'https', message: 'Pure domain code: no HTTP here.' },
  ],
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

/** TypeScript sources that the type-aware rules read through their tsconfig. */
const typedSources = [
  'apps/*/src/**/*.ts',
  'libs/*/src/**/*.ts',
  'bench/src/**/*.ts',
  'tools/*/src/**/*.ts',
];

/** Plain JavaScript tools (npm start, npm test, the embedded PostgreSQL, bench helpers). */
const toolScripts = ['tools/**/*.mjs', 'bench/tools/**/*.{mjs,cjs,js}'];

const configs = [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    ignores: [
      '**/dist',
      '**/out-tsc',
      '**/node_modules',
      '.data/**',
      'tmp/**',
      '**/webpack.config.js',
    ],
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
              onlyDependOnLibsWithTags: [
                'type:domain',
                'type:runtime',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:runtime',
              onlyDependOnLibsWithTags: ['type:domain', 'type:testing'],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:domain', 'type:testing'],
            },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:domain', 'type:testing'],
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
  // Type-aware rules: typescript-eslint strict-type-checked, on every TypeScript source.
  ...tseslint.configs.strictTypeChecked.map((config) => ({
    ...config,
    files: typedSources,
  })),
  {
    files: typedSources,
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Numbers read well in messages and SQL fragments; everything else must be a string.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true },
      ],
      // `() => void promise` and `(x) => sideEffect(x)` callbacks are fine as shorthands.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true },
      ],
      // Nest modules are classes that hold only decorators.
      '@typescript-eslint/no-extraneous-class': [
        'error',
        { allowWithDecorator: true },
      ],
    },
  },
  {
    // Test files may not read the wall clock for production logic, but may to measure.
    files: [
      'libs/domain/src/clock.ts',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      '**/testing/**/*.ts',
      'libs/testkit/src/**/*.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: toolScripts,
    languageOptions: {
      globals: { ...globals.node },
      sourceType: 'module',
    },
    rules: {
      'no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: [
      'libs/domain/src/schedule/**/*.ts',
      'libs/domain/src/trigger/**/*.ts',
      'libs/domain/src/connection/**/*.ts',
      'libs/domain/src/contracts/**/*.ts',
      'libs/domain/src/clock.ts',
      'libs/domain/src/errors.ts',
      'libs/domain/src/execution/**/*.ts',
      'libs/domain/src/audit/**/*.ts',
      'libs/domain/src/index.ts',
    ],
    rules: { 'no-restricted-imports': ['error', frameworkImports] },
  },
];

/**
 * Each project's eslint.config.mjs re-exports this array, and nx lint runs ESLint in the
 * project's folder: without a base path, the root-relative patterns above (the typed
 * sources, the pure-domain folders, clock.ts) would be read relative to that folder and
 * match nothing there.
 */
export default configs.map((config) => ({
  basePath: import.meta.dirname,
  ...config,
}));
