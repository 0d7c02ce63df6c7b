const nxPreset = require('@nx/jest/preset').default;

/**
 * One transform for every project: ts-jest on each project's tsconfig.spec.json.
 * Nest 11 and TypeORM ship CommonJS, so nothing in node_modules needs transforming.
 * tsconfig.base.json sets isolatedModules, so ts-jest only transpiles (about twice as
 * fast); the types of every source and test are checked once by `npm run typecheck`,
 * which `npm test` runs before Jest.
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
