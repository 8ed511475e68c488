/**
 * LFS addressing, pure: which endpoint a path names (read from the end, so repositories may have
 * several segments), repository names, oids and sizes (the zero-byte object included), the
 * documented key layout, the `lfs` config, and what `policy explain` decides for LFS requests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { policyExplain } from '../../src/cli/policy';
import { ConfigError, loadConfig } from '../../src/config/load';
import { lfsExplainTarget } from '../../src/lfs/explain';
import { teamPolicy } from './support';
import { checkObject, EMPTY_OID, lfsMountPath, lockIdOf, lockKey, locksKey, objectKey, oidChecksum, parseLfsPath } from '../../src/lfs/paths';

const OID = 'a'.repeat(64);

describe('LFS paths', () => {
  it.each([
    ['acme/widgets/objects/batch', { repo: 'acme/widgets', endpoint: 'batch' }],
    ['w/objects/batch', { repo: 'w', endpoint: 'batch' }],
    ['acme/widgets.git/objects/verify', { repo: 'acme/widgets.git', endpoint: 'verify-object' }],
    ['a/b/c/locks', { repo: 'a/b/c', endpoint: 'locks' }],
    ['acme/widgets/locks/verify', { repo: 'acme/widgets', endpoint: 'verify-locks' }],
    [`acme/widgets/locks/${OID}/unlock`, { repo: 'acme/widgets', endpoint: 'unlock', lockId: OID }],
    ['acme/verify/objects/batch', { repo: 'acme/verify', endpoint: 'batch' }],
  ])('%s', (path, expected) => {
    expect(parseLfsPath(path)).toEqual({ ok: true, ...expected });
  });

  it.each([
    ['acme/widgets/objects', 404],
    ['acme/widgets', 404],
    ['objects/batch', 404],
    ['acme/../x/objects/batch', 404],
    ['acme/./objects/batch', 404],
    ['acme//objects/batch', 404],
    ['acme%2Fx/objects/batch', 404],
    ['a/objects/b/objects/batch', 404],
    ['a/locks/locks', 404],
    ['acme/widgets/locks/', 404],
    ['1/2/3/4/5/6/7/8/9/objects/batch', 404],
    ['acme/widgets/locks/NOT-AN-ID/unlock', 422],
    [`acme/widgets/locks/${OID.toUpperCase()}/unlock`, 422],
  ])('%s is refused (%i)', (path, status) => {
    expect(parseLfsPath(path)).toMatchObject({ ok: false, status });
  });

  it.each([
    [OID, 1, true],
    [EMPTY_OID, 0, true],
    [EMPTY_OID, 1, false],
    [OID, 0, false],
    [OID.toUpperCase(), 1, false],
    ['a'.repeat(63), 1, false],
    [`${'a'.repeat(63)}g`, 1, false],
    [OID, -1, false],
    [OID, 1.5, false],
    [OID, '1', false],
    [OID, Number.MAX_SAFE_INTEGER + 1, false],
    [42, 1, false],
  ])('object %s of size %s is valid: %s', (oid, size, ok) => {
    expect(checkObject(oid, size).ok).toBe(ok);
  });

  it('lays objects and locks out as documented, under the mount prefix', () => {
    expect(objectKey('', 'acme/widgets', EMPTY_OID)).toBe(`lfs/acme/widgets/objects/e3/b0/${EMPTY_OID}`);
    expect(objectKey('team/', 'w', OID)).toBe(`team/lfs/w/objects/aa/aa/${OID}`);
    expect(locksKey('', 'acme/widgets')).toBe('lfs/acme/widgets/locks');
    expect(lockKey('', 'w', lockIdOf('a.psd'))).toBe(`lfs/w/locks/${lockIdOf('a.psd')}`);
    expect(lockIdOf('a.psd')).toMatch(/^[0-9a-f]{64}$/);
    expect(oidChecksum(EMPTY_OID)).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });
});

describe('the lfs config', () => {
  const fileConfig = (doc: object) => loadConfig({ SIGNPOST_CONFIG: 'c.json' }, () => JSON.stringify(doc));

  it('defaults to the first mount, may name another, and may be turned off', () => {
    expect(lfsMountPath(loadConfig({}))).toBe('/files');
    expect(lfsMountPath(fileConfig({ mounts: [{ path: '/a' }, { path: '/b', prefix: 'x/' }], lfs: { mount: '/b' } }))).toBe('/b');
    expect(lfsMountPath(fileConfig({ lfs: false }))).toBeUndefined();
  });

  it.each([
    [{ lfs: { mount: '/nope' } }, 'lfs.mount: no mount /nope (mounts: /files)'],
    [{ mounts: [{ path: '/lfs' }] }, 'mounts.0.path: /lfs is the Git LFS server'],
    [{ mounts: [{ path: '/files' }, { path: '/lfs/x' }] }, 'mounts.1.path: /lfs is the Git LFS server'],
    [{ lfs: { mount: '/files', extra: 1 } }, 'lfs'],
  ])('refuses %j naming the field', (doc, message) => {
    expect(() => fileConfig(doc)).toThrow(ConfigError);
    expect(() => fileConfig(doc)).toThrow(message);
  });

  it('a mount at /lfs is fine when LFS is off', () => {
    expect(fileConfig({ mounts: [{ path: '/lfs' }], lfs: false }).mounts[0]?.path).toBe('/lfs');
  });

  it('SIGNPOST_S3_CHECKSUM_SHA256 says an S3-compatible endpoint verifies checksums', () => {
    const c = loadConfig({ SIGNPOST_BUCKET: 'b-1', AWS_REGION: 'us-east-1', SIGNPOST_S3_ENDPOINT: 'http://127.0.0.1:9000', SIGNPOST_S3_CHECKSUM_SHA256: 'true' });
    expect(c.storage).toMatchObject({ kind: 's3', checksumSha256: true });
  });
});

describe('policy explain for LFS requests', () => {
  it.each([
    ['GET', `/lfs/acme/widgets/objects/${OID}`, '', { action: 'read', key: `p/lfs/acme/widgets/objects/aa/aa/${OID}` }],
    ['PUT', `/lfs/acme/widgets/objects/${OID}`, '', { action: 'write', key: `p/lfs/acme/widgets/objects/aa/aa/${OID}` }],
    ['GET', '/lfs/acme/widgets/locks', '', { action: 'read', key: 'p/lfs/acme/widgets/locks' }],
    ['POST', '/lfs/acme/widgets/locks', '', { action: 'write', key: 'p/lfs/acme/widgets/locks' }],
    ['POST', '/lfs/acme/widgets/locks/verify', '', { action: 'write', key: 'p/lfs/acme/widgets/locks' }],
    ['POST', `/lfs/acme/widgets/locks/${OID}/unlock`, '', { action: 'write', key: 'p/lfs/acme/widgets/locks' }],
    ['post', `/lfs/acme/widgets/locks/${OID}/unlock`, 'force', { action: 'delete', key: 'p/lfs/acme/widgets/locks' }],
  ])('%s %s?%s', (method, path, query, expected) => {
    expect(lfsExplainTarget(method, path, new URLSearchParams(query), 'p/')).toEqual({ ok: true, ...expected });
  });

  it.each([
    ['GET', '/lfs/acme/widgets/objects/xyz'],
    ['DELETE', `/lfs/acme/objects/${OID}`],
    ['GET', '/lfs/a/../b/locks'],
    ['PUT', '/lfs/acme/locks'],
    ['GET', '/lfs/acme/other'],
  ])('%s %s is explained as a bad request', (method, path) => {
    expect(lfsExplainTarget(method, path, new URLSearchParams(), '')).toMatchObject({ ok: false });
  });

  it('leaves other paths to the mounts', () => {
    expect(lfsExplainTarget('GET', '/files/lfs/x', new URLSearchParams(), '')).toBeUndefined();
  });
});

describe('signpost policy explain, on LFS requests', () => {
  let dir: string;
  let file: string;
  let out: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-explain-'));
    file = join(dir, 'policy.yaml');
    writeFileSync(file, stringify(teamPolicy));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    out = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['alice', 'PUT', `/lfs/acme/widgets/objects/${OID}`, 0, `ALLOW  write "lfs/acme/widgets/objects/aa/aa/${OID}" as alice`],
    ['rita', 'PUT', `/lfs/acme/widgets/objects/${OID}`, 3, `DENY  write "lfs/acme/widgets/objects/aa/aa/${OID}" as rita`],
    ['rita', 'GET', '/lfs/acme/widgets/locks', 0, 'ALLOW  read "lfs/acme/widgets/locks" as rita'],
    ['bob', 'POST', `/lfs/acme/widgets/locks/${OID}/unlock?force`, 3, 'DENY  delete "lfs/acme/widgets/locks" as bob'],
    ['alice', 'POST', `/lfs/acme/widgets/locks/${OID}/unlock?force`, 0, 'ALLOW  delete "lfs/acme/widgets/locks" as alice'],
    ['alice', 'GET', '/lfs/acme/widgets/objects/nope', 1, '400: an oid is 64 lowercase hex digits'],
  ])('as %s: %s %s', (who, method, path, code, first) => {
    expect(policyExplain(['--policy', file, '--as', who, method, path])).toBe(code);
    expect(out[0]).toBe(first);
  });
});
