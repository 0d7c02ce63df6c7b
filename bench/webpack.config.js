const { join } = require('path');
const { nodeAppWebpackConfig } = require('../tools/node-app.webpack');

// One bundle for every role of the harness: `bench`, `chaos` and the `receiver` child.
module.exports = nodeAppWebpackConfig({
  outputPath: join(__dirname, '../dist/bench'),
  generatePackageJson: false,
});
