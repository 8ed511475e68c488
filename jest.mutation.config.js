// Jest for mutation testing (stryker.config.mjs): only the fast in-process unit suites that
// exercise src/policy, src/keys, src/signing and src/auth. Stryker reruns these for every mutant,
// so the browser, RGW, Azurite, e2e and process suites (slow, external processes) stay out.
// src is a root too: Stryker asks jest for the tests related to the mutated file, and jest only
// follows imports through files it has indexed (a test reaching sigv4-presigner.ts through
// src/storage/s3-backend.ts, or src/auth/index.ts, would otherwise never run for its mutants).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's configs here are CommonJS, like jest.config.js
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['<rootDir>/test/{policy,keys,signing,auth}/**/*.test.ts'],
  testSequencer: '<rootDir>/test/support/mutation-sequencer.js',
};
