const { join } = require('path');
const { nodeAppWebpackConfig } = require('../../tools/node-app.webpack');

module.exports = nodeAppWebpackConfig({
  outputPath: join(__dirname, '../../dist/apps/task-pretender'),
});
