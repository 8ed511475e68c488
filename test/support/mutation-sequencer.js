// Which test files a mutation run loads, and in what order (jest.mutation.config.js).
//
// Stryker runs a mutant's covering tests by name (`testNamePattern`) with bail, in one jest
// process, over every test file related to the mutated file: jest loads each of those files (and
// their module graphs, zod included) even when none of its tests is named, about 7 s a mutant for
// src/policy, whose every file reaches the schema. So:
// - with a name pattern, only the files holding a named test run: the names come from
//   reports/mutation-tests.json (SIGNPOST_MUTATION_TESTS; `npm run test:mutation:list` writes it,
//   and `npm run test:mutation` runs that before Stryker starts). A file the list does not know
//   is kept, and when no file matches all are kept, so a stale list can only make a mutant look
//   survived, never killed.
// - fast files first, the property suites last: jest's default is slowest first, so every policy
//   mutant began with the 12 s property suite even when a unit test kills it at once.
// With a current list a survivor still runs every covering test, so no mutant's verdict changes.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads sequencers as CommonJS
const { readFileSync } = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const Sequencer = require('@jest/test-sequencer').default;

const slow = (path) => (/propert(y|ies)|fuzz/.test(path) ? 1 : 0);

/** `test/…` of an absolute test path: the same in the project and in Stryker's sandbox copy of it. */
const fromTest = (path) => path.slice(path.indexOf('/test/') + 1);

/** Test file (`test/…`) -> its tests' full names, from a jest --json report. */
function namesByFile(file) {
  if (!file) return undefined;
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    return new Map(report.testResults.map((r) => [fromTest(r.name), r.assertionResults.map((a) => a.fullName)]));
  } catch {
    return undefined;
  }
}

class FastFirst extends Sequencer {
  constructor(options) {
    super(options);
    this.pattern = options.globalConfig?.testNamePattern;
    this.names = this.pattern ? namesByFile(process.env.SIGNPOST_MUTATION_TESTS) : undefined;
  }

  sort(tests) {
    const sorted = [...tests].sort((a, b) => slow(a.path) - slow(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (!this.names) return sorted;
    const named = new RegExp(this.pattern, 'i'); // as jest-circus matches it
    const picked = sorted.filter((t) => {
      const names = this.names.get(fromTest(t.path));
      return names === undefined || names.some((n) => named.test(n));
    });
    return picked.length > 0 ? picked : sorted;
  }
}

module.exports = FastFirst;
