/**
 * The Batch API and the verify action over HTTP, against the real server and the embedded store
 * (which verifies every signature and the x-amz-checksum-sha256 of each upload): actions and their
 * headers, per-object and whole-request errors in LFS's shape, policy constraints per object, the
 * documented key layout, the zero-byte object, and uploads bound to their content.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curl } from '../support/curl';
import { describeWith } from '../support/require-tool';
import { EMPTY_OID } from '../../src/lfs/paths';
import { ObjectOperations } from '../../src/storage/types';
import { blob, LFS_JSON, lfs, objectsOf, perform, startTeamGateway, team, type Blob, type TeamGateway } from './support';

jest.setTimeout(60_000);

describeWith('curl', 'apt-get install curl')('LFS batch API (embedded store)', () => {
  let t: TeamGateway;
  let base: string;
  const batch = (repo: string, operation: string, objects: readonly { oid: unknown; size: unknown }[], as?: 'alice' | 'bob' | 'rita', extra: object = {}) =>
    lfs(`${base}/${repo}/objects/batch`, { body: { operation, transfers: ['basic'], ref: { name: 'refs/heads/main' }, objects, ...extra }, ...(as && { as }) });
  const upload = async (repo: string, b: Blob, as: 'alice' | 'bob' = 'alice') => {
    const [o] = objectsOf(await batch(repo, 'upload', [b], as));
    const res = await perform(o!.actions!.upload!, 'PUT', b.bytes);
    expect(res.status).toBe(200);
    return o!;
  };

  beforeAll(async () => {
    t = await startTeamGateway();
    base = `${t.gw.url}/lfs`;
  });
  afterAll(() => t?.stop());

  describe('whole-request answers', () => {
    it('anonymous upload: 401 with LFS-Authenticate (no WWW-Authenticate) and an LFS error body', async () => {
      const b = blob(10);
      const res = await batch('acme/widgets', 'upload', [b]);
      expect(res.status).toBe(401);
      expect(res.headers.get('lfs-authenticate')).toBe('Basic realm="signpost"');
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(res.headers.get('content-type')).toBe(LFS_JSON);
      expect(res.body).toEqual({ message: 'credentials required', request_id: res.headers.get('x-request-id'), documentation_url: `${t.gw.url}/openapi.json` });
    });

    it('a wrong key: 401 with LFS-Authenticate', async () => {
      const res = await lfs(`${base}/acme/widgets/objects/batch`, { body: { operation: 'download', objects: [blob(1)] }, headers: { Authorization: `Basic ${Buffer.from('x:sp_not-a-key').toString('base64')}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('lfs-authenticate')).toBe('Basic realm="signpost"');
    });

    it('a JWT-less Bearer API key works like the Basic password', async () => {
      const res = await lfs(`${base}/acme/widgets/objects/batch`, { body: { operation: 'download', objects: [blob(1)] }, headers: { Authorization: `Bearer ${team.rita.key}` } });
      expect(res.status).toBe(200);
    });

    it('a read-only user may not upload: 403 saying so', async () => {
      const res = await batch('acme/widgets', 'upload', [blob(10)], 'rita');
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('you may not upload to acme/widgets');
    });

    it('a repository the caller may not read does not exist for them: 404', async () => {
      const res = await batch('other/repo', 'download', [blob(10)], 'bob');
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(/repository other\/repo does not exist/);
    });

    it('anonymous download of a public repository is allowed', async () => {
      const b = blob(100);
      await upload('public/site', b);
      const [o] = objectsOf(await batch('public/site', 'download', [b]));
      const got = Buffer.from(await (await perform(o!.actions!.download!, 'GET')).arrayBuffer());
      expect(got.equals(b.bytes)).toBe(true);
    });

    it.each([
      ['not JSON', 422, '{"operation":'],
      ['no operation', 422, { objects: [{ oid: 'a'.repeat(64), size: 1 }] }],
      ['another operation', 422, { operation: 'delete', objects: [{ oid: 'a'.repeat(64), size: 1 }] }],
      ['no objects', 422, { operation: 'upload', objects: [] }],
      ['objects not a list', 422, { operation: 'upload', objects: {} }],
      ['an unknown field', 422, { operation: 'upload', objects: [{ oid: 'a'.repeat(64), size: 1 }], colour: 'red' }],
      ['only another transfer', 422, { operation: 'upload', transfers: ['tus'], objects: [{ oid: 'a'.repeat(64), size: 1 }] }],
      ['a bad ref', 422, { operation: 'upload', ref: 'main', objects: [{ oid: 'a'.repeat(64), size: 1 }] }],
      ['only invalid objects', 422, { operation: 'upload', objects: [{ oid: 'xyz', size: 1 }] }],
      ['1001 objects', 413, { operation: 'download', objects: Array.from({ length: 1001 }, (_, i) => ({ oid: i.toString(16).padStart(64, '0'), size: 1 })) }],
    ])('%s: %i in LFS\'s error shape', async (_name, status, body) => {
      const res = await lfs(`${base}/acme/widgets/objects/batch`, { as: 'alice', body });
      expect(res.status).toBe(status);
      expect(Object.keys(res.body).sort()).toEqual(['documentation_url', 'message', 'request_id']);
      expect(res.headers.get('content-type')).toBe(LFS_JSON);
    });

    it('a body over 256 KiB: 413', async () => {
      const res = await lfs(`${base}/acme/widgets/objects/batch`, { as: 'alice', body: { operation: 'upload', objects: [{ oid: 'a'.repeat(64), size: 1, pad: 'x'.repeat(300 * 1024) }] } });
      expect(res.status).toBe(413);
    });

    it('a body that is not JSON at all: 415', async () => {
      const res = await lfs(`${base}/acme/widgets/objects/batch`, { as: 'alice', body: 'operation=upload', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(415);
    });

    it.each([
      ['GET', '/acme/widgets/objects/batch', 405],
      ['POST', '/acme/widgets/objects', 404],
      ['POST', '/acme/../objects/batch', 404],
      ['POST', '/acme/objects/x/objects/batch', 404],
    ])('%s %s: %i', async (method, path, status) => {
      const res = await lfs(`${base}${path}`, { method, as: 'alice', ...(method === 'POST' && { body: {} }) });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe(LFS_JSON);
    });
  });

  describe('objects', () => {
    it('an upload: presigned PUT straight to storage with the signed headers, and a verify action', async () => {
      const b = blob(1024);
      const res = await batch('acme/widgets', 'upload', [b], 'alice');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(LFS_JSON);
      expect(res.body.transfer).toBe('basic');
      const [o] = objectsOf(res);
      expect(Object.keys(o!).sort()).toEqual(['actions', 'authenticated', 'oid', 'size']);
      expect(o).toMatchObject({ oid: b.oid, size: 1024, authenticated: true });
      const { upload, verify } = o!.actions!;
      for (const a of [upload, verify]) expect(Object.keys(a!).sort()).toEqual(['expires_in', 'header', 'href']);
      expect(upload!.href.startsWith(t.gw.running.runtime.store!.url)).toBe(true);
      expect(new URL(upload!.href).pathname).toBe(`/signpost/lfs/acme/widgets/objects/${b.oid.slice(0, 2)}/${b.oid.slice(2, 4)}/${b.oid}`);
      expect(new URL(upload!.href).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;x-amz-checksum-sha256');
      expect(upload!.header).toEqual({ 'Content-Type': 'application/octet-stream', 'X-Amz-Checksum-Sha256': Buffer.from(b.oid, 'hex').toString('base64') });
      expect(upload!.expires_in).toBe(300);
      expect(verify!.href).toBe(`${t.gw.url}/lfs/acme/widgets/objects/verify`);
      expect(Object.keys(verify!.header!)).toEqual(['X-Signpost-Lfs-Verify']);

      t.gw.resetBytes();
      expect((await perform(upload!, 'PUT', b.bytes)).status).toBe(200);
      expect(t.gw.bytesReceived()).toBe(0); // the bytes went to storage, not through the gateway
      const v = await lfs(verify!.href, { body: { oid: b.oid, size: b.size }, headers: verify!.header! });
      expect(v.status).toBe(200);

      // Stored: no upload action any more; the download gives the same bytes back.
      expect(objectsOf(await batch('acme/widgets', 'upload', [b], 'bob'))[0]).toEqual({ oid: b.oid, size: 1024 });
      const [d] = objectsOf(await batch('acme/widgets', 'download', [b], 'rita'));
      expect(Object.keys(d!.actions!)).toEqual(['download']);
      expect(Buffer.from(await (await perform(d!.actions!.download!, 'GET')).arrayBuffer()).equals(b.bytes)).toBe(true);
    });

    it('keys are the documented layout under the mount: the files API reaches the same object', async () => {
      const b = blob(64);
      await upload('acme/layout', b);
      const key = `lfs/acme/layout/objects/${b.oid.slice(0, 2)}/${b.oid.slice(2, 4)}/${b.oid}`;
      const file = join(t.dir, 'layout.bin');
      expect((await curl(['-L', '-f', '-o', file, '-u', `:${team.rita.key}`, `${t.gw.url}/files/${key}`])).code).toBe(0);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(b.oid);
    });

    it('the zero-byte object uploads and downloads like any other', async () => {
      const empty = { oid: EMPTY_OID, size: 0, bytes: Buffer.alloc(0) };
      const o = await upload('acme/widgets', empty);
      expect(o.actions!.upload!.header!['X-Amz-Checksum-Sha256']).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
      const [d] = objectsOf(await batch('acme/widgets', 'download', [empty], 'bob'));
      const res = await perform(d!.actions!.download!, 'GET');
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    });

    it('per-object errors: invalid oids and sizes 422, a missing object 404, the rest still served', async () => {
      const good = blob(5);
      await upload('acme/widgets', good);
      const missing = blob(7);
      const res = await batch('acme/widgets', 'download', [
        { oid: 'XYZ', size: 1 },
        { oid: 'A'.repeat(64), size: 1 },
        { oid: good.oid, size: -1 },
        { oid: EMPTY_OID, size: 3 },
        { oid: good.oid, size: 0 },
        { oid: missing.oid, size: missing.size },
        { oid: good.oid, size: 6 },
        { oid: good.oid, size: 5 },
      ], 'bob');
      expect(res.status).toBe(200);
      const codes = objectsOf(res).map((o) => o.error?.code ?? Object.keys(o.actions ?? {}).join());
      expect(codes).toEqual([422, 422, 422, 422, 422, 404, 404, 'download']);
      expect(objectsOf(res)[5]!.error!.message).toBe(`object ${missing.oid} does not exist`);
    });

    it('another hash algorithm: 409 for each object', async () => {
      const res = await batch('acme/widgets', 'download', [blob(1)], 'bob', { hash_algo: 'sha512' });
      expect(res.status).toBe(200);
      expect(objectsOf(res)[0]!.error!.code).toBe(409);
    });

    it('maxSize: a per-object 422 and no URL for the larger object; the smaller one is signed', async () => {
      const [big, small] = [blob(1001), blob(1000)];
      const res = await batch('acme/small', 'upload', [big, small], 'alice');
      const [b, s] = objectsOf(res);
      expect(b).toEqual({ oid: big.oid, size: 1001, error: { code: 422, message: '1001 bytes is larger than the 1000 bytes allowed here' } });
      expect(s!.actions!.upload).toBeDefined();
    });

    it('objects over 5 GiB cannot take the basic transfer\'s single PUT: 422', async () => {
      const res = await batch('acme/widgets', 'upload', [{ oid: 'b'.repeat(64), size: 5 * 1024 ** 3 + 1 }], 'alice');
      expect(objectsOf(res)[0]!.error).toMatchObject({ code: 422, message: expect.stringMatching(/over 5 GiB/) as string });
    });

    it('contentTypes without application/octet-stream: 422 per object', async () => {
      const res = await batch('acme/images', 'upload', [blob(3)], 'alice');
      expect(objectsOf(res)[0]!.error).toMatchObject({ code: 422, message: expect.stringMatching(/application\/octet-stream/) as string });
    });

    it('createOnly: the upload signs If-None-Match: *', async () => {
      const b = blob(9);
      const [o] = objectsOf(await batch('acme/archive', 'upload', [b], 'alice'));
      expect(o!.actions!.upload!.header).toMatchObject({ 'If-None-Match': '*' });
      expect((await perform(o!.actions!.upload!, 'PUT', b.bytes)).status).toBe(200);
    });

    it('a corrupted upload (other bytes for the oid) is refused by storage, and nothing is stored', async () => {
      const b = blob(2048);
      const [o] = objectsOf(await batch('acme/widgets', 'upload', [b], 'alice'));
      const wrong = Buffer.from(b.bytes);
      wrong[100] = wrong[100]! ^ 0xff;
      const res = await perform(o!.actions!.upload!, 'PUT', wrong);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('<Code>BadDigest</Code>');
      expect(objectsOf(await batch('acme/widgets', 'download', [b], 'alice'))[0]!.error!.code).toBe(404);
      const v = await lfs(o!.actions!.verify!.href, { body: { oid: b.oid, size: b.size }, headers: o!.actions!.verify!.header! });
      expect(v.status).toBe(404);
    });

    it('a URL for one object cannot write another: the checksum binds the body', async () => {
      const [a, b] = [blob(32), blob(32)];
      const [o] = objectsOf(await batch('acme/widgets', 'upload', [a], 'alice'));
      expect((await perform(o!.actions!.upload!, 'PUT', b.bytes)).status).toBe(400);
    });
  });

  describe('verify', () => {
    let stored: Blob;
    let verifyHeader: Record<string, string>;
    const verifyUrl = () => `${base}/acme/widgets/objects/verify`;
    beforeAll(async () => {
      stored = blob(300);
      const o = await upload('acme/widgets', stored);
      verifyHeader = o.actions!.verify!.header!;
    });

    it('200 with the action\'s token, which needs no other credentials', async () => {
      expect((await lfs(verifyUrl(), { body: { oid: stored.oid, size: stored.size }, headers: verifyHeader })).status).toBe(200);
    });

    it('the token is bound to the object and size: tampered, moved or another size is 403', async () => {
      const token = verifyHeader['X-Signpost-Lfs-Verify']!;
      const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
      expect((await lfs(verifyUrl(), { body: { oid: stored.oid, size: stored.size }, headers: { 'X-Signpost-Lfs-Verify': tampered } })).status).toBe(403);
      expect((await lfs(verifyUrl(), { body: { oid: stored.oid, size: stored.size + 1 }, headers: verifyHeader })).status).toBe(403);
      expect((await lfs(`${base}/acme/other/objects/verify`, { body: { oid: stored.oid, size: stored.size }, headers: verifyHeader })).status).toBe(403);
    });

    it('without a token: the caller\'s own write right, else 401/403', async () => {
      expect((await lfs(verifyUrl(), { body: { oid: stored.oid, size: stored.size }, as: 'bob' })).status).toBe(200);
      expect((await lfs(verifyUrl(), { body: { oid: stored.oid, size: stored.size }, as: 'rita' })).status).toBe(403);
      const anon = await lfs(verifyUrl(), { body: { oid: stored.oid, size: stored.size } });
      expect(anon.status).toBe(401);
      expect(anon.headers.get('lfs-authenticate')).toBe('Basic realm="signpost"');
    });

    it('a missing object is 404; invalid requests 422', async () => {
      const missing = blob(3);
      expect((await lfs(verifyUrl(), { body: { oid: missing.oid, size: 3 }, as: 'bob' })).status).toBe(404);
      expect((await lfs(verifyUrl(), { body: { oid: 'nope', size: 3 }, as: 'bob' })).status).toBe(422);
      expect((await lfs(verifyUrl(), { body: { oid: stored.oid }, as: 'bob' })).status).toBe(422);
      expect((await lfs(verifyUrl(), { body: { oid: stored.oid, size: 1, more: 1 }, as: 'bob' })).status).toBe(422);
    });

    it('an object stored with another size or another SHA-256 is 422, and the batch offers to replace it', async () => {
      const claimed = blob(40);
      const key = `lfs/acme/widgets/objects/${claimed.oid.slice(0, 2)}/${claimed.oid.slice(2, 4)}/${claimed.oid}`;
      const mount = t.gw.running.runtime.mounts[0]!;
      // Someone with write on the keys stores other bytes under the oid, with their own (true) checksum.
      const wrong = blob(40);
      const signed = await mount.backend.presign({ operation: ObjectOperations.put, bucket: mount.bucket, key, expiresIn: 60, now: new Date(), contentLength: 40, checksumSha256: Buffer.from(wrong.oid, 'hex').toString('base64') });
      expect((await fetch(signed.url, { method: 'PUT', body: wrong.bytes, headers: signed.headers })).status).toBe(200);
      const v = await lfs(verifyUrl(), { body: { oid: claimed.oid, size: 40 }, as: 'bob' });
      expect(v.status).toBe(422);
      expect(v.body.message).toMatch(/another SHA-256/);
      expect(objectsOf(await batch('acme/widgets', 'download', [claimed], 'bob'))[0]!.error!.code).toBe(404);
      const [o] = objectsOf(await batch('acme/widgets', 'upload', [claimed], 'bob'));
      expect((await perform(o!.actions!.upload!, 'PUT', claimed.bytes)).status).toBe(200);
      expect((await lfs(verifyUrl(), { body: { oid: claimed.oid, size: 40 }, as: 'bob' })).status).toBe(200);

      // Another size under an oid (written through the files API, which signs no checksum).
      const short = blob(10);
      const put = await curl(['-s', '-o', '/dev/null', '-w', '%{http_code}', '-L', '-u', `:${team.alice.key}`, '--data-binary', 'short', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', `${t.gw.url}/files/lfs/acme/widgets/objects/${short.oid.slice(0, 2)}/${short.oid.slice(2, 4)}/${short.oid}`]);
      expect(put.stdout).toBe('200');
      const sized = await lfs(verifyUrl(), { body: { oid: short.oid, size: 10 }, as: 'bob' });
      expect(sized.status).toBe(422);
      expect(sized.body.message).toMatch(/with 5 bytes, not 10/);
    });
  });
});
