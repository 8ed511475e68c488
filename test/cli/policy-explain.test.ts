/**
 * `signpost policy explain` refuses what it cannot explain with a message naming the problem
 * (issue 16: `explain … FOO /files/a` gave the generic "needs METHOD PATH"): an unknown method
 * is named, a missing argument gets the usage example.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyExplain, UsageError } from '../../src/cli/policy';

let dir: string;
let policy: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signpost-explain-'));
  policy = join(dir, 'policy.yaml');
  writeFileSync(policy, 'version: 1\nrules:\n  - {id: all, paths: ["**"], actions: "*", principals: "*", effect: allow}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const explain = (...args: string[]) => () => policyExplain(['--policy', policy, '--as', 'alice', ...args]);

it.each([
  [['FOO', '/files/a'], /^policy explain: "FOO" is not a method it knows; use GET, HEAD, PUT, DELETE, LIST or SHARE/],
  [['patch', '/files/a'], /"patch" is not a method it knows/],
  [['GET'], /^policy explain needs METHOD PATH, e\.g\. GET \/files\/reports\/q3\.pdf/],
  [[], /^policy explain needs METHOD PATH/],
])('%j is a usage error naming the problem', (args, message) => {
  expect(explain(...args)).toThrow(UsageError);
  expect(explain(...args)).toThrow(message);
});

it('a known method in any case still explains', () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    expect(explain('get', '/files/a')()).toBe(0);
    expect(log.mock.calls[0]![0]).toBe('ALLOW  read "a" as alice');
  } finally {
    log.mockRestore();
  }
});
