module.exports = {
  displayName: 'testkit',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/testkit',
};
