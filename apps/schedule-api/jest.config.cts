module.exports = {
  displayName: 'schedule-api',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/schedule-api',
};
