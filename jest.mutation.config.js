// Jest for mutation testing (stryker.config.json): only the fast in-process unit suites that
// exercise src/policy, src/keys, src/signing and src/auth. Stryker reruns these for every mutant,
// so the browser, RGW, Azurite, e2e and process suites (slow, external processes) stay out.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's configs here are CommonJS, like jest.config.js
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/policy', '<rootDir>/test/keys', '<rootDir>/test/signing', '<rootDir>/test/auth'],
};
