import tseslint from 'typescript-eslint';
import baseConfig from '../../eslint.config.mjs';

/**
 * The UI is .tsx in a browser tsconfig of its own (DOM, JSX), which the root config's typed
 * sources (`**\/*.ts`, node types) do not cover: the same strict-type-checked rules here.
 */
const uiSources = ['src/**/*.tsx'];

const uiConfigs = [
  ...tseslint.configs.strictTypeChecked.map((config) => ({
    ...config,
    files: uiSources,
  })),
  {
    files: uiSources,
    languageOptions: {
      parserOptions: {
        project: './tsconfig.app.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true },
      ],
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true },
      ],
    },
  },
];

export default [
  ...baseConfig,
  // Two configs import typescript-eslint (the root's and this one): say which folder is ours.
  {
    languageOptions: {
      parserOptions: { tsconfigRootDir: import.meta.dirname },
    },
  },
  ...uiConfigs.map((config) => ({ basePath: import.meta.dirname, ...config })),
];
