// The jest preset every package's jest.config.js extends (CommonJS, so jest loads it without a
// build). Jest runs the TypeScript sources through @swc/jest; workspace packages resolve to their
// sources through the "@omise-sync/source" export condition, so tests never need a build.
const path = require('node:path');

/**
 * @param {string} rootDir the package folder (pass __dirname)
 * @param {{ services?: boolean, displayName?: string, testTimeout?: number }} [options]
 *   services: true when the package's tests need Postgres and Redis (default true).
 * @returns {import('jest').Config}
 */
function createJestConfig(rootDir, options = {}) {
  const { services = true, displayName = path.basename(rootDir), testTimeout = 30_000 } = options;
  const config = {
    displayName,
    rootDir,
    testEnvironment: 'node',
    testEnvironmentOptions: {
      customExportConditions: ['@omise-sync/source', 'node', 'node-addons'],
    },
    roots: ['<rootDir>/src', '<rootDir>/test'].filter((r) =>
      require('node:fs').existsSync(r.replace('<rootDir>', rootDir)),
    ),
    testMatch: ['**/*.test.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    maxWorkers: 2,
    testTimeout,
    // Jest must exit on its own: an open handle is a bug, not something to force past.
    detectOpenHandles: false,
  };
  if (services) {
    config.globalSetup = path.join(__dirname, 'src/global-setup.ts');
    config.globalTeardown = path.join(__dirname, 'src/global-teardown.ts');
  }
  return config;
}

module.exports = { createJestConfig };
