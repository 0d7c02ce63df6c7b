const nxPreset = require('@nx/jest/preset').default;

/**
 * One transform for every project: ts-jest on each project's tsconfig.spec.json.
 * Nest 11 and TypeORM ship CommonJS, so nothing in node_modules needs transforming.
 */
module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: '<rootDir>/tsconfig.spec.json',
        diagnostics: { warnOnly: false },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/src/**/*.int-spec.ts',
    '<rootDir>/src/**/*.e2e-spec.ts',
  ],
};
