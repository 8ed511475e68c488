/** Small policy and auth files for stack tests, written to a temp folder once per test file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const VALID_POLICY_YAML = `# public downloads, uploads for authenticated callers
version: 1
rules:
  - id: public-read
    paths: "public/**"
    actions: [read]
    principals: "*"
    effect: allow
  - id: own-home
    paths: "home/{sub}/**"
    actions: [read, write]
    principals: authenticated
    effect: allow
`;

export function testFiles(): { dir: string; policy: string; badPolicy: string; auth: string; badAuth: string } {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-infra-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  return {
    dir,
    policy: file('policy.yaml', VALID_POLICY_YAML),
    badPolicy: file('bad-policy.yaml', 'version: 1\nrules:\n  - id: x\n    paths: "a/**"\n    actions: [fly]\n    principals: "*"\n    effect: allow\n'),
    auth: file('auth.yaml', 'auth:\n  jwt:\n    issuer: https://issuer.example\n    audience: signpost\n    subjectNamespace: idp\n'),
    badAuth: file('bad-auth.yaml', 'auth:\n  jwt:\n    issuer: https://issuer.example\n    hs256Secret: short\n'),
  };
}
