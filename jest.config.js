// Tests run TypeScript straight from source through swc (type errors are `npm run typecheck`'s job).
// jose 6 ships only ES modules, so swc also turns its files into CommonJS for jest.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.[cm]?[tj]s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
