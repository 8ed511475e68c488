// Mutation testing of the security core (issue 15): `npm run test:mutation`, not part of `npm test`.
// Mutates src/policy, src/keys, src/signing and src/auth; runs only the fast unit suites
// (jest.mutation.config.js) and type-checks mutants against src alone (tsconfig.mutation.json).
// Incremental: reports/stryker-incremental.json is a local cache (gitignored, like all of reports/);
// it is keyed to the exact source and test text, so a committed copy would be stale after every merge.
// One folder at a time: `npm run test:mutation -- --mutate 'src/keys/**/*.ts'`.
import { resolve } from 'node:path';

// The test names `npm run test:mutation:list` writes (test:mutation runs it first): test/support/mutation-sequencer.js
// runs only the files that hold a mutant's covering tests (the runners inherit this environment).
process.env.SIGNPOST_MUTATION_TESTS ??= resolve('reports/mutation-tests.json');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: ['src/policy/**/*.ts', 'src/keys/**/*.ts', 'src/signing/**/*.ts', 'src/auth/**/*.ts', '!src/**/index.ts'],
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  // No type checker in the default run: on two shared cores @stryker-mutator/typescript-checker
  // was the bottleneck (the test runner sat idle waiting for it), and a mutant that is not valid
  // TypeScript still runs through swc as JavaScript and must then be killed by a test like any other.
  // `npm run test:mutation:typed` adds the checker.
  // Two cores, shared: more runners only thrash.
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // The sandbox is a copy of the project: leave out what neither jest nor tsc needs here
  // (examples/ stays: test/policy/match-options.test.ts checks examples/policy.yaml).
  ignorePatterns: ['/bench', '/docs', '/infra', '/scripts', '/dist', '/cdk.out', '/coverage', '/test-artifacts', '/.signpost-data', '/reports'],
  thresholds: { high: 90, low: 85, break: null },
  timeoutMS: 5000,
};
