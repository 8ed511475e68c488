/**
 * Named backends and failing closed: the `backends:` config (zod errors naming fields), the
 * startup refusal of rules whose constraints a mount's backend cannot make storage enforce
 * (and the `enforce: gateway` opt-out), the backend-declared required upload header, the
 * user delegation key source, and GCS's reduced enforcement.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config/load';
import { buildGateway } from '../../src/gateway';
import { parsePolicy } from '../../src/policy';
import { readUploadHeaders } from '../../src/routes/upload-headers';
import { createAzureBackend } from '../../src/storage/azure-backend';
import { accountKeySource, userDelegationKeySource } from '../../src/storage/azure-keys';
import { findGatewayOnlyRules, mayMatchUnder } from '../../src/storage/capabilities';
import { createNamedBackends } from '../../src/storage/from-config';
import { listen } from '../support/raw-http';
import { memoryLogger } from '../support/memory-log';
import { unreachableS3 } from '../support/unreachable-s3';

const KEY = randomBytes(64).toString('base64');
const azure = { kind: 'azure', account: 'acct1', container: 'files', accountKey: KEY };
const fileConfig = (doc: object) => loadConfig({ SIGNPOST_CONFIG: 'c.json' }, () => JSON.stringify(doc));
const embedded = unreachableS3();
const azureBackend = createAzureBackend({ account: 'acct1', keys: accountKeySource(KEY) });

describe('config: backends and mounts', () => {
  it('accepts named backends and mounts that select them', () => {
    const c = fileConfig({ backends: { blobs: azure }, mounts: [{ path: '/files' }, { path: '/blobs', storage: 'blobs' }] });
    expect(c.backends?.blobs).toMatchObject({ kind: 'azure', container: 'files' });
    expect(c.mounts[1]).toMatchObject({ storage: 'blobs' });
  });

  it.each([
    [{ backends: {}, mounts: [{ path: '/b', storage: 'nope' }] }, 'mounts.0.storage: unknown backend "nope"'],
    [{ backends: { b: { ...azure, accountKeyEnv: 'K' } } }, 'backends.b.accountKeyEnv: set exactly one of accountKey, accountKeyEnv, useManagedIdentity'],
    [{ backends: { b: { kind: 'azure', account: 'acct1', container: 'files' } } }, 'backends.b: set exactly one of'],
    [{ backends: { b: { ...azure, account: 'Bad_Name' } } }, 'backends.b.account: must be 3-24 lowercase letters and digits'],
    [{ backends: { b: { ...azure, container: 'a--b' } } }, 'backends.b.container: must be 3-63 lowercase'],
    [{ backends: { g: { kind: 's3', bucket: 'bkt', region: 'auto', accessKeyIdEnv: 'X' } } }, 'backends.g.secretAccessKeyEnv: set both'],
    [{ backends: { b: { kind: 'gcs' } } }, 'backends.b.kind'],
  ])('rejects %j naming the field', (doc, message) => {
    expect(() => fileConfig(doc)).toThrow(ConfigError);
    expect(() => fileConfig(doc)).toThrow(message);
  });

  it('reads secrets from the variables named, and says which one is missing', async () => {
    const backends = { b: { ...azure, accountKey: undefined, accountKeyEnv: 'AZ_KEY' } };
    const deps = { defaultS3Credentials: () => Promise.reject(new Error('unused')) };
    await expect(createNamedBackends(backends as never, { env: {}, ...deps })).rejects.toThrow('backends.b.accountKeyEnv: the environment variable AZ_KEY is not set');
    const built = await createNamedBackends(backends as never, { env: { AZ_KEY: KEY }, ...deps });
    expect(built.get('b')?.kind).toBe('azure');
  });

  it('a GCS endpoint gets the S3 signer but does not claim create-only', async () => {
    const built = await createNamedBackends(
      { g: { kind: 's3', bucket: 'bkt', region: 'us-central1', endpoint: 'https://storage.googleapis.com', forcePathStyle: true, accessKeyIdEnv: 'A', secretAccessKeyEnv: 'S' } },
      { env: { A: 'GOOG1EXAMPLE', S: 'secret' }, defaultS3Credentials: () => Promise.reject(new Error('unused')) },
    );
    const gcs = built.get('g')!;
    expect(gcs.kind).toBe('gcs');
    expect([...gcs.storageEnforces]).toEqual(['maxSize', 'contentTypes', 'ttl']);
    const put = await gcs.presign({ operation: 'PutObject', bucket: 'bkt', key: 'a b.txt', expiresIn: 60, now: new Date(), contentLength: 3 });
    expect(put.url).toMatch(/^https:\/\/storage\.googleapis\.com\/bkt\/a%20b\.txt\?.*X-Amz-Signature=/);
  });
});

describe('fail closed on constraints storage cannot enforce', () => {
  const policy = (rules: object[]) => ({ version: 1, rules });
  const limited = { id: 'inbox', paths: ['inbox/**'], actions: ['write'], principals: '*', effect: 'allow', maxSize: '10MB', contentTypes: ['image/*'] };
  const config = (rules: object[]) => fileConfig({ backends: { blobs: azure }, mounts: [{ path: '/files' }, { path: '/blobs', storage: 'blobs' }], policy: policy(rules) });
  const build = (rules: object[]) => buildGateway(config(rules), embedded, { logger: memoryLogger().logger, backends: new Map([['blobs', azureBackend]]) });

  it('refuses to start, naming the rule, the mount and the constraints', () => {
    expect(() => build([limited])).toThrow(ConfigError);
    expect(() => build([limited])).toThrow('rule "inbox" asks for maxSize, contentTypes on mount /blobs, whose azure backend cannot make storage enforce them');
  });

  it('starts when the rule says enforce: gateway, and says so in the log', () => {
    const { logger, lines } = memoryLogger();
    buildGateway(config([{ ...limited, enforce: 'gateway' }]), embedded, { logger, backends: new Map([['blobs', azureBackend]]) });
    expect(lines.join('\n')).toMatch(/rule inbox accepts gateway-only enforcement of maxSize, contentTypes on mount \/blobs/);
  });

  it('ignores rules that cannot reach the mount, read-only rules, and createOnly/ttl (Azure enforces them)', () => {
    expect(() => build([{ ...limited, actions: ['read'] }])).not.toThrow();
    expect(() => build([{ id: 'ok', paths: ['**'], actions: '*', principals: '*', effect: 'allow', createOnly: true, ttl: 60 }])).not.toThrow();
    const rules = parsePolicy(JSON.stringify(policy([limited])), { format: 'json' });
    if (!rules.ok) throw new Error('bad policy');
    const mount = (prefix: string) => ({ path: '/blobs', prefix, backend: azureBackend });
    expect(findGatewayOnlyRules(rules.document.rules, [mount('archive/')])).toEqual([]);
    expect(findGatewayOnlyRules(rules.document.rules, [mount('inbox/')])).toHaveLength(1);
  });

  it('mayMatchUnder is conservative on wildcards and variables', () => {
    expect(mayMatchUnder('home/{sub}/**', 'home/alice/')).toBe(true);
    expect(mayMatchUnder('*/x', 'a/')).toBe(true);
    expect(mayMatchUnder('docs/**', 'home/')).toBe(false);
    expect(mayMatchUnder('home', 'home/')).toBe(false);
  });

  it('mayMatchUnder applies the rule\u2019s matching options to the prefix', () => {
    expect(mayMatchUnder('videos/**', 'Videos/')).toBe(false);
    expect(mayMatchUnder('videos/**', 'Videos/', { ignoreCase: true })).toBe(true);
    expect(mayMatchUnder('videos/**', 'videos. /', { ignoreTrailingDotsAndSpaces: true })).toBe(true);
  });

  it('the policy field enforce accepts only "gateway"', () => {
    const bad = parsePolicy(JSON.stringify(policy([{ ...limited, enforce: 'storage' }])), { format: 'json' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]?.message).toMatch(/must be "gateway"/);
  });
});

describe('Azure specifics', () => {
  it('a PUT without the backend-required header is refused naming it', () => {
    const required = azureBackend.requiredUploadHeaders!;
    expect(() => readUploadHeaders({ 'content-length': '3' }, required)).toThrow(/x-ms-blob-type: BlockBlob/);
    expect(readUploadHeaders({ 'content-length': '3', 'x-ms-blob-type': 'BlockBlob' }, required).contentLength).toBe(3);
  });

  it('tells an upload which headers to send, and signs HTTPS-only SAS for HTTPS endpoints', async () => {
    const now = new Date('2024-05-01T12:00:00Z');
    const put = await azureBackend.presign({ operation: 'PutObject', bucket: 'files', key: 'a/b c.txt', expiresIn: 60, now, contentLength: 3, contentType: 'text/plain', createOnly: true });
    expect(put.url).toMatch(/^https:\/\/acct1\.blob\.core\.windows\.net\/files\/a\/b%20c\.txt\?sv=/);
    const q = new URL(put.url).searchParams;
    expect([q.get('sp'), q.get('spr'), q.get('se'), q.get('sr')]).toEqual(['c', 'https', '2024-05-01T12:01:00Z', 'b']);
    expect(put.headers).toEqual({ 'x-ms-blob-type': 'BlockBlob', 'content-type': 'text/plain', 'if-none-match': '*' });
    const get = await azureBackend.presign({ operation: 'GetObject', bucket: 'files', key: 'x', expiresIn: 60, now, responseContentDisposition: 'attachment', responseContentType: 'text/csv' });
    expect([...new URL(get.url).searchParams.keys()]).toEqual(['sv', 'spr', 'se', 'sr', 'sp', 'rscd', 'rsct', 'sig']);
  });

  it('gets a user delegation key with a token, caches it, and never signs past its expiry', async () => {
    let calls = 0;
    const server = await listen((req, res) => {
      calls++;
      expect(req.url).toBe('/acct1/?restype=service&comp=userdelegationkey');
      expect(req.headers.authorization).toBe('Bearer tok');
      const now = Date.now();
      const iso = (t: number) => new Date(t).toISOString().slice(0, 19) + 'Z';
      res.setHeader('content-type', 'application/xml');
      res.end(
        `<?xml version="1.0"?><UserDelegationKey><SignedOid>oid</SignedOid><SignedTid>tid</SignedTid><SignedStart>${iso(now - 60_000)}</SignedStart>` +
          `<SignedExpiry>${iso(now + 3 * 3600_000)}</SignedExpiry><SignedService>b</SignedService><SignedVersion>2022-11-02</SignedVersion><Value>${KEY}</Value></UserDelegationKey>`,
      );
    });
    try {
      const keys = userDelegationKeySource(`${server.url}/acct1`, { getToken: () => Promise.resolve({ token: 'tok', expiresOnTimestamp: Date.now() + 3600_000 }) });
      const backend = createAzureBackend({ account: 'acct1', endpoint: `${server.url}/acct1`, keys });
      const now = new Date();
      const signed = await backend.presign({ operation: 'GetObject', bucket: 'files', key: 'k', expiresIn: 604_800, now });
      await backend.presign({ operation: 'HeadObject', bucket: 'files', key: 'k', expiresIn: 60, now });
      expect(calls).toBe(1);
      const q = new URL(signed.url).searchParams;
      expect([q.get('skoid'), q.get('sktid'), q.get('spr')]).toEqual(['oid', 'tid', 'https,http']);
      expect(signed.expiresAt.getTime() - now.getTime()).toBeLessThanOrEqual(3 * 3600_000);
    } finally {
      await server.close();
    }
  });

  it('an unreachable token or key service is CredentialsUnavailable (the route answers 503)', async () => {
    const keys = userDelegationKeySource('http://127.0.0.1:9/acct1', { getToken: () => Promise.reject(new Error('no identity endpoint')) });
    await expect(keys.get(new Date())).rejects.toMatchObject({ name: 'CredentialsUnavailable' });
  });
});
