module.exports = {
  displayName: 'task-pretender',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/task-pretender',
};
