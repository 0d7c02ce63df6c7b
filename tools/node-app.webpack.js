// The one webpack configuration of every Node bundle in the workspace (the three apps and
// the bench): Nx's app plugin, tsc, no minification, source maps. Each project's
// webpack.config.js only names its output folder; Nx infers the build target from it.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

/**
 * @param {{ outputPath: string, generatePackageJson?: boolean }} options
 *   outputPath: absolute output folder; generatePackageJson: write dist/<app>/package.json
 *   and a pruned lockfile for the Docker image (the apps), or not (the bench).
 */
function nodeAppWebpackConfig({ outputPath, generatePackageJson = true }) {
  return {
    output: {
      path: outputPath,
      clean: true,
      ...(process.env.NODE_ENV !== 'production' && {
        devtoolModuleFilenameTemplate: '[absolute-resource-path]',
      }),
    },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson,
        sourceMap: true,
      }),
    ],
  };
}

module.exports = { nodeAppWebpackConfig };
