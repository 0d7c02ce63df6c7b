module.exports = {
  displayName: 'scheduler',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/scheduler',
  // Fails a test that leaves an engine running (engines built by createTestEngine).
  setupFilesAfterEnv: ['<rootDir>/jest-engine-leaks.ts'],
};
