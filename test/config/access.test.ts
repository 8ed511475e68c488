import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOpenBinding, loadAccessControl } from '../../src/access';
import { ConfigError, loadConfig } from '../../src/config/load';

const dir = mkdtempSync(join(tmpdir(), 'signpost-access-'));
const policyFile = (text: string) => {
  const path = join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
};
const GOOD = 'rules:\n  - id: pub\n    paths: "public/**"\n    actions: [read]\n    principals: "*"\n    effect: allow\n';

describe('safe defaults', () => {
  it.each(['127.0.0.1', '127.0.0.2', '::1', 'localhost'])('no policy on loopback %s: allowed', (host) => {
    expect(() => checkOpenBinding(loadConfig({ HOST: host }))).not.toThrow();
  });

  it.each(['0.0.0.0', '::', '192.0.2.10', 'example.com'])('no policy on %s: refused, saying why', (host) => {
    expect(() => checkOpenBinding(loadConfig({ HOST: host }))).toThrow(/refusing to listen on .* without a policy/);
  });

  it('a policy makes any address fine', () => {
    expect(() => checkOpenBinding(loadConfig({ HOST: '0.0.0.0', SIGNPOST_POLICY: policyFile(GOOD) }))).not.toThrow();
  });
});

describe('loadAccessControl', () => {
  it('zero config allows everything for anonymous callers', () => {
    const access = loadAccessControl(loadConfig({}));
    expect(access.policy).toBeUndefined();
    expect(access.decide({ kind: 'anonymous' }, 'delete', 'anything').effect).toBe('allow');
  });

  it('compiles the policy file once', () => {
    const access = loadAccessControl(loadConfig({ SIGNPOST_POLICY: policyFile(GOOD) }));
    expect(access.policy?.ruleCount).toBe(1);
    expect(access.decide({ kind: 'anonymous' }, 'read', 'public/a').effect).toBe('allow');
    expect(access.decide({ kind: 'anonymous' }, 'write', 'public/a').effect).toBe('deny');
  });

  it('an invalid policy stops startup naming the file, line, rule and field', () => {
    const path = policyFile('rules:\n  - id: bad\n    paths: "x/**"\n    actions: [reed]\n    principals: "*"\n    effect: allow\n');
    expect(() => loadAccessControl(loadConfig({ SIGNPOST_POLICY: path }))).toThrow(ConfigError);
    expect(() => loadAccessControl(loadConfig({ SIGNPOST_POLICY: path }))).toThrow(`${path}:4:15: rules[0] (id "bad") actions[0]`);
  });

  it('a missing policy file stops startup', () => {
    expect(() => loadAccessControl(loadConfig({ SIGNPOST_POLICY: join(dir, 'nope.yaml') }))).toThrow(/cannot read: ENOENT/);
  });

  it('auth without a policy is refused (it would authenticate and then allow everything)', () => {
    const config = loadConfig({ SIGNPOST_CONFIG: 'c.yaml' }, () => 'auth:\n  apiKeys: []\n');
    expect(() => loadAccessControl(config)).toThrow(/auth is configured but no policy/);
  });

  it('bad auth settings stop startup without echoing the secret', () => {
    const config = loadConfig({ SIGNPOST_CONFIG: 'c.yaml', SIGNPOST_POLICY: policyFile(GOOD) }, () => 'auth:\n  jwt:\n    hs256Secret: short-secret-xyz\n');
    expect(() => loadAccessControl(config)).toThrow(/invalid auth settings/);
    expect(() => loadAccessControl(config)).not.toThrow(/short-secret-xyz/);
  });
});
