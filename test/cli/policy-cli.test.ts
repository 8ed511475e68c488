/**
 * `signpost policy explain` and `policy check` as a user runs them: the real command (src/cli.ts
 * through tsx) in a child process, its output and exit code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'signpost-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = join(dir, 'policy.yaml');
writeFileSync(
  policy,
  `rules:
  - id: own-home
    paths: ["home/{sub}", "home/{sub}/**"]
    actions: "*"
    principals: authenticated
    effect: allow
  - id: no-executables
    paths: ["**/*.exe"]
    actions: [write]
    principals: "*"
    effect: deny
    ignoreCase: true
    ignoreTrailingDotsAndSpaces: true
`,
);

function signpost(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNPOST_')));
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'src/cli.ts'), ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('signpost policy explain', () => {
  it('explains a folder listing the way the gateway treats it (list on the folder)', () => {
    const r = signpost('policy', 'explain', '--policy', policy, '--as', 'alice', 'GET', '/files/home/alice/');
    expect(r.stdout).toContain('ALLOW  list "home/alice" as alice  (listing)');
    expect(r.stdout).toContain('matched: own-home (allow) home/{sub}  [sub=alice]');
    expect(r.status).toBe(0);
  });

  it('names a method the gateway does not serve', () => {
    const r = signpost('policy', 'explain', '--policy', policy, '--as', 'alice', 'FOO', '/files/a');
    expect(r.stdout.trim()).toBe('405: method "FOO" is not served on /files/a (allowed methods: GET, HEAD, PUT, DELETE, OPTIONS)');
    expect(r.status).toBe(1);
  });

  it('shows a case-insensitive deny catching TOOL.EXE. (exit 3)', () => {
    const r = signpost('policy', 'explain', '--policy', policy, '--as', 'alice', 'PUT', '/files/home/alice/TOOL.EXE.');
    expect(r.stdout).toContain('DENY  write "home/alice/TOOL.EXE." as alice  (object)');
    expect(r.stdout).toContain('reason: denied by rule "no-executables"');
    expect(r.status).toBe(3);
  });
});
