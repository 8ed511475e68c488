/**
 * The managed-identity path (user delegation SAS), for real against Azurite over HTTPS with
 * `--oauth basic`: the gateway is configured exactly as in production (`useManagedIdentity: true`,
 * an https endpoint); only the token source is injected (`azureTokens`), minting JWTs that Azurite
 * accepts. Proven here:
 * - the gateway gets its user delegation key from Azurite (Get User Delegation Key with a bearer
 *   token for https://storage.azure.com/.default, over verified TLS), once, and reuses it;
 * - every redirect carries a user delegation SAS (skoid/sktid from the token, skt/ske/sks/skv from
 *   Azurite's key, spr=https), and curl -L round-trips uploads, downloads, HEAD and DELETE with
 *   Azurite verifying that SAS; block uploads through `?uploads` work over it too;
 * - Azurite refuses a tampered user delegation SAS (signature, identity, key expiry, SAS expiry,
 *   permissions), a read SAS used to write, and the SAS over plain HTTP (spr=https);
 * - when there is no usable token (the source fails, or Azurite refuses its claims) the gateway
 *   answers 503 + Retry-After, never a redirect, and recovers once a token works.
 * What Azurite does not verify (so neither does this file): the token's signature, scope and role
 * assignments; delegation keys are derived from public inputs (see docs/backends.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server';
import { uriEncodeKey } from '../../src/signing/uri-encode';
import { STORAGE_SCOPE, type TokenSource } from '../../src/storage/azure-keys';
import { AZURITE_ACCOUNT, AZURITE_TOKEN_OBJECT_ID, azureMountConfig, AZURITE_TOKEN_TENANT, azuriteToken, flipFirstChar, startAzurite, startAzuriteOAuth, withSasParam, type AzuriteOAuth } from '../support/azurite';
import { curl, curlStatus } from '../support/curl';
import { memoryLogger } from '../support/memory-log';
import { rawRequest, type RawResponse } from '../support/raw-http';
import { describeWith } from '../support/require-tool';

jest.setTimeout(60_000);
const BLOCK = ['-H', 'x-ms-blob-type: BlockBlob'];
const MIB = 1024 * 1024;
const KEY_REQUEST = `/${AZURITE_ACCOUNT}/?restype=service&comp=userdelegationkey`;
const USER_DELEGATION_PARAMS = ['skoid', 'sktid', 'skt', 'ske', 'sks', 'skv'];

/** One request the gateway itself sent to Azurite (no URLs with a SAS are kept beyond the test). */
interface StorageRequestSeen {
  readonly method: string;
  readonly target: string;
  readonly bearer: boolean;
  readonly status: number;
}

/**
 * The gateway calls storage with the global fetch (undici), which trusts only the system CAs, and
 * Node 20 cannot add a CA at run time (NODE_EXTRA_CA_CERTS is read at process start). So while this
 * file runs, requests to Azurite's origin go through node:https with `ca` set to the throwaway
 * certificate: the chain and the 127.0.0.1 name are still verified, against that one anchor only;
 * nothing is switched off, and product code is untouched. Other origins use the real fetch. Jest
 * gives each test file its own global object, so the swap cannot leak into other files.
 */
function fetchTrusting(origin: string, ca: string, real: typeof fetch, seen: StorageRequestSeen[]): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (url.origin !== origin) return real(input, init);
    if (input instanceof Request || (init.body !== undefined && init.body !== null && typeof init.body !== 'string')) throw new Error('fetchTrusting handles a URL and a string body only');
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const method = init.method ?? 'GET';
    const body = init.body ?? undefined;
    const answer = await new Promise<{ status: number; headers: Headers; body: Buffer }>((resolve, reject) => {
      const req = httpsRequest(url, { method, headers, ca, ...(init.signal && { signal: init.signal }) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
    seen.push({ method, target: url.pathname + url.search, bearer: /^Bearer /.test(headers.authorization ?? ''), status: answer.status });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

type TokenMode = 'valid' | 'throws' | 'null' | 'wrong audience' | 'expired' | 'foreign issuer';

/** The managed identity stand-in: mints what Azurite accepts, or fails the way `mode` says. */
function tokenSource(mode: () => TokenMode, scopes: (string | string[])[]): TokenSource {
  return {
    getToken(requested) {
      scopes.push(requested);
      const now = Math.floor(Date.now() / 1000);
      switch (mode()) {
        case 'valid':
          return Promise.resolve(azuriteToken());
        case 'throws':
          return Promise.reject(new Error('ManagedIdentityCredential: no managed identity endpoint found'));
        case 'null':
          return Promise.resolve(null);
        case 'wrong audience':
          return Promise.resolve(azuriteToken({ aud: 'https://management.azure.com' }));
        case 'expired':
          return Promise.resolve(azuriteToken({ iat: now - 7200, nbf: now - 7200, exp: now - 60 }));
        case 'foreign issuer':
          return Promise.resolve(azuriteToken({ iss: 'https://issuer.example/' }));
      }
    },
  };
}

describeWith('openssl', 'apt-get install openssl')('user delegation SAS (managed identity), for real against Azurite over HTTPS', () => {
  describeWith('curl', 'apt-get install curl')('gateway + Azurite --oauth basic + curl', () => {
    let azurite: AzuriteOAuth;
    let running: RunningServer;
    let broken: RunningServer;
    let lines: string[];
    let dir: string;
    let container: string;
    let realFetch: typeof fetch;
    const seen: StorageRequestSeen[] = [];
    const scopes: (string | string[])[] = [];
    let brokenMode: TokenMode = 'throws';
    const tls = () => ['--cacert', azurite.caFile];
    const url = (key: string, base = running.url) => `${base}/blobs/run/${uriEncodeKey(key)}`;
    const file = (name: string, content: Buffer | string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    const locationFor = async (method: string, key: string, headers: Record<string, string> = {}) => {
      const res = await rawRequest(running.url, method, new URL(url(key)).pathname, { ...headers, ...(method === 'PUT' && { Expect: '100-continue', 'x-ms-blob-type': 'BlockBlob' }) });
      expect(res.status).toBe(307);
      return res.headers.location!;
    };
    const keyRequests = () => seen.filter((r) => r.target === KEY_REQUEST);

    const start = async (name: string, mode: () => TokenMode, scopeLog: (string | string[])[]) => {
      // A PUT body sent without Expect (curl's 0-byte and small uploads) would be streamed by the
      // gateway over its own node:https agent, which trusts only the CAs known at process start
      // (fetchTrusting above covers the global fetch only): here it gets the 307 and re-sends, as
      // with `bodyUploads: redirect` (what these tests are about is Azurite's SAS checks).
      const azure = azureMountConfig(dir, azurite.endpoint, container, { useManagedIdentity: true }, name);
      const config = { ...azure, bodyUploads: { ...azure.bodyUploads, mode: 'redirect' as const } };
      const log = memoryLogger('info');
      const server = await startServer(config, { logger: log.logger, azureTokens: () => Promise.resolve(tokenSource(mode, scopeLog)) });
      return { server, lines: log.lines };
    };

    beforeAll(async () => {
      azurite = await startAzuriteOAuth();
      realFetch = globalThis.fetch;
      globalThis.fetch = fetchTrusting(new URL(azurite.endpoint).origin, azurite.ca, realFetch, seen);
      container = await azurite.createContainer();
      dir = mkdtempSync(join(tmpdir(), 'signpost-azure-oauth-'));
      const main = await start('main', () => 'valid', scopes);
      running = main.server;
      lines = main.lines;
      broken = (await start('broken', () => brokenMode, [])).server;
    }, 60_000);

    afterAll(async () => {
      await running?.close();
      await broken?.close();
      if (realFetch) globalThis.fetch = realFetch;
      await azurite?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('Azurite serves verified TLS only to a client that trusts its throwaway certificate', async () => {
      expect(azurite.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
      // Without --cacert curl refuses the certificate (60: peer certificate cannot be authenticated).
      const refused = await curl(['-o', '/dev/null', `${azurite.endpoint}/?comp=list`]);
      expect(refused.code).toBe(60);
      // With it, TLS succeeds and Azurite answers (403: the request carries no credentials).
      expect(await curlStatus([...tls(), `${azurite.endpoint}/?comp=list`])).toBe(403);
    });

    it('gets a user delegation key from Azurite with a storage-scoped bearer token, over TLS', async () => {
      expect(keyRequests()).toEqual([]);
      await locationFor('GET', 'first.txt');
      expect(scopes).toEqual([STORAGE_SCOPE]);
      expect(keyRequests()).toEqual([{ method: 'POST', target: KEY_REQUEST, bearer: true, status: 200 }]);
    });

    it('every operation redirects to a user delegation SAS for one blob, HTTPS only, inside the key lifetime', async () => {
      const expected = { GET: 'r', HEAD: 'r', PUT: 'w', DELETE: 'd' } as const;
      for (const [method, sp] of Object.entries(expected)) {
        const location = new URL(await locationFor(method, 'shape.txt', method === 'PUT' ? { 'Content-Length': '1' } : {}));
        const q = location.searchParams;
        expect(location.origin + location.pathname).toBe(`${azurite.endpoint}/${container}/run/shape.txt`);
        for (const p of USER_DELEGATION_PARAMS) expect(q.get(p)).toMatch(/\S/);
        expect({ skoid: q.get('skoid'), sktid: q.get('sktid'), sks: q.get('sks'), sp: q.get('sp'), sr: q.get('sr'), spr: q.get('spr') }).toEqual({
          skoid: AZURITE_TOKEN_OBJECT_ID,
          sktid: AZURITE_TOKEN_TENANT,
          sks: 'b',
          sp,
          sr: 'b',
          spr: 'https',
        });
        expect(q.get('skv')).toMatch(/^\d{4}-\d{2}-\d{2}$/); // Azurite's own service version, from its key
        const [skt, ske, se] = [q.get('skt'), q.get('ske'), q.get('se')].map((d) => Date.parse(d ?? ''));
        expect(ske! - skt!).toBe((6 * 60 + 5) * 60_000); // the key: valid from 5 min ago (clock skew) to 6 h from now
        expect(se).toBeLessThanOrEqual(ske!);
        expect(q.has('st')).toBe(false);
      }
    });

    it.each([
      ['0 bytes', 'empty.bin', Buffer.alloc(0)],
      ['64 KiB', 'reports/64k.bin', randomBytes(64 * 1024)],
      ['a key with spaces, unicode and #', 'reports/Ünïcödé report #1.txt', Buffer.from('tricky')],
    ])('round trip (%s) with curl -L: Put Blob 201, GET, HEAD, Delete Blob 202, then 404, each SAS verified by Azurite', async (_name, key, body) => {
      const u = url(key);
      expect(await curlStatus([...tls(), '-L', ...BLOCK, '--upload-file', file('rt', body), u])).toBe(201);
      const out = join(dir, 'rt.out');
      expect(await curlStatus([...tls(), '-L', '-o', out, u])).toBe(200);
      expect(readFileSync(out).equals(body)).toBe(true);
      const head = await curl([...tls(), '-I', '-L', u]);
      expect(head.stdout).toMatch(new RegExp(`\\r\\ncontent-length: ${body.length}\\r\\n`, 'i'));
      expect(await curlStatus([...tls(), '-L', '-X', 'DELETE', u])).toBe(202);
      expect(await curlStatus([...tls(), '-L', u])).toBe(404);
    });

    describe('Azurite refuses what the user delegation SAS does not grant, and nothing changes', () => {
      const key = 'guarded.txt';
      beforeAll(async () => {
        expect(await curlStatus([...tls(), '-L', ...BLOCK, '--upload-file', file('orig', 'original'), url(key)])).toBe(201);
      });
      afterEach(async () => {
        expect((await curl([...tls(), '-L', url(key)])).stdout).toBe('original');
      });

      const later = (iso: string, ms: number) => `${new Date(Date.parse(iso) + ms).toISOString().slice(0, 19)}Z`;
      it.each<[string, string, (value: string) => string]>([
        ['the signature', 'sig', flipFirstChar],
        ['the identity (skoid: another object id, as if another principal had the key)', 'skoid', () => '00000000-0000-0000-0000-000000000001'],
        ['the tenant (sktid)', 'sktid', () => '00000000-0000-0000-0000-000000000002'],
        ['the key expiry (ske: one more day)', 'ske', (v) => later(v, 86_400_000)],
        ['the SAS expiry (se: one more hour)', 'se', (v) => later(v, 3_600_000)],
        ['the permissions (sp: w -> rw)', 'sp', () => 'rw'],
      ])('tampering with %s gets 403', async (_what, param, change) => {
        const location = await locationFor('PUT', key, { 'Content-Length': '8' });
        // Rewrite only this parameter, byte for byte elsewhere, so only the tampering differs.
        const tampered = withSasParam(location, param, change);
        const res = await curl([...tls(), '-w', '\n%{http_code}', ...BLOCK, '--upload-file', file('evil', 'tampered'), tampered]);
        expect(res.stdout.split('\n').pop()).toBe('403');
        expect(res.stdout).toMatch(/<Code>AuthorizationFailure<\/Code>/);
      });

      it('the same PUT URL, untampered, is accepted (the control for the cases above)', async () => {
        const location = await locationFor('PUT', key, { 'Content-Length': '8' });
        expect(await curlStatus([...tls(), ...BLOCK, '--upload-file', file('same', 'original'), location])).toBe(201);
      });

      it('a read (r) SAS used for PUT or DELETE gets 403 AuthorizationPermissionMismatch', async () => {
        const location = await locationFor('GET', key);
        expect(new URL(location).searchParams.get('sp')).toBe('r');
        const put = await curl([...tls(), '-w', '\n%{http_code}', ...BLOCK, '--upload-file', file('evil2', 'replaced'), location]);
        expect(put.stdout.split('\n').pop()).toBe('403');
        expect(put.stdout).toContain('AuthorizationPermissionMismatch');
        expect(await curlStatus([...tls(), '-X', 'DELETE', location])).toBe(403);
      });

      it('spr=https: the same read SAS over plain HTTP gets 403 AuthorizationProtocolMismatch', async () => {
        // Azurite listens on one scheme per instance, so the plain-HTTP request goes to a second,
        // plain Azurite. Its delegation keys come from the same public derivation (not from state
        // of the instance that issued them), so the signature passes there and the refusal below
        // is the protocol check alone.
        const location = await locationFor('GET', key);
        expect(new URL(location).searchParams.get('spr')).toBe('https');
        const plain = await startAzurite();
        try {
          const overHttp = location.replace(new URL(azurite.endpoint).origin, new URL(plain.endpoint).origin);
          expect(overHttp.startsWith('http://')).toBe(true);
          const res = await curl(['-w', '\n%{http_code}', overHttp]);
          expect(res.stdout.split('\n').pop()).toBe('403');
          expect(res.stdout).toContain('AuthorizationProtocolMismatch');
        } finally {
          await plain.stop();
        }
      });
    });

    it('a block upload through ?uploads: part URLs carry the user delegation SAS; Put Block, Get Block List and Put Block List all pass Azurite', async () => {
      const size = 8 * MIB + 5; // two parts: 8 MiB and 5 bytes
      const body = randomBytes(size);
      const path = new URL(url('big/parts.bin')).pathname;
      const json = (res: RawResponse) => JSON.parse(res.body) as Record<string, unknown>;
      const created = await rawRequest(running.url, 'POST', `${path}?uploads`, { 'X-Upload-Length': String(size), 'X-Upload-Content-Type': 'application/octet-stream' });
      expect(created.status).toBe(201);
      const { uploadId, parts } = json(created) as { uploadId: string; parts: { partNumber: number; size: number; url: string; etag: string }[] };
      expect(parts.map((p) => p.size)).toEqual([8 * MIB, 5]);
      for (const p of parts) {
        const q = new URL(p.url).searchParams;
        expect({ comp: q.get('comp'), sp: q.get('sp'), spr: q.get('spr'), skoid: q.get('skoid') }).toEqual({ comp: 'block', sp: 'w', spr: 'https', skoid: AZURITE_TOKEN_OBJECT_ID });
        const part = file(`part-${p.partNumber}`, body.subarray((p.partNumber - 1) * 8 * MIB, (p.partNumber - 1) * 8 * MIB + p.size));
        expect(await curlStatus([...tls(), '--upload-file', part, p.url])).toBe(201);
      }
      const listed = await rawRequest(running.url, 'GET', `${path}?uploadId=${encodeURIComponent(uploadId)}`);
      expect(listed.status).toBe(200);
      expect((json(listed).parts as unknown[]).length).toBe(2);
      const done = await rawRequest(
        running.url,
        'POST',
        `${path}?uploadId=${encodeURIComponent(uploadId)}`,
        { 'Content-Type': 'application/json', 'X-Upload-Length': String(size) },
        JSON.stringify({ parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })) }),
      );
      expect(done.status).toBe(200);
      expect(json(done)).toMatchObject({ key: 'run/big/parts.bin', size });
      const out = join(dir, 'parts.out');
      expect(await curlStatus([...tls(), '-L', '-o', out, url('big/parts.bin')])).toBe(200);
      expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
      // The gateway's own calls (Get Block List, Put Block List) went to Azurite under a user delegation SAS.
      const own = seen.filter((r) => r.target.includes('comp=blocklist'));
      expect(own.map((r) => `${r.method} ${r.status}`)).toEqual(expect.arrayContaining(['GET 200', 'PUT 201']));
      expect(own.every((r) => !r.bearer && r.target.includes('skoid='))).toBe(true);
    });

    it('after all of the above, still one token and one key request: the key is cached', () => {
      expect(scopes).toEqual([STORAGE_SCOPE]);
      expect(keyRequests()).toHaveLength(1);
    });

    it('no log line carries a SAS, a signature or a bearer token', () => {
      expect(lines.length).toBeGreaterThan(20);
      for (const line of lines) expect(line).not.toMatch(/sig=|skoid|[?&]sv=|Bearer|eyJ|Signature/i);
    });

    describe('without a usable token: 503 + Retry-After, never a redirect', () => {
      const expectUnavailable = (res: RawResponse) => {
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
        expect(res.headers.location).toBeUndefined();
        expect(res.body).not.toMatch(/sig=|skoid/);
        expect(JSON.parse(res.body)).toMatchObject({ error: 'unavailable' });
      };

      it.each<[TokenMode, boolean]>([
        ['throws', false],
        ['null', false],
        // Azurite's basic OAuth checks: it answers the key request with 403, the gateway says 503.
        ['wrong audience', true],
        ['expired', true],
        ['foreign issuer', true],
      ])('the token source: %s', async (mode, reachesAzurite) => {
        brokenMode = mode;
        const before = keyRequests().length;
        expectUnavailable(await rawRequest(broken.url, 'GET', new URL(url('first.txt', broken.url)).pathname));
        expectUnavailable(await rawRequest(broken.url, 'PUT', new URL(url('never.txt', broken.url)).pathname, { Expect: '100-continue', 'x-ms-blob-type': 'BlockBlob', 'Content-Length': '1' }));
        const attempts = keyRequests().slice(before);
        if (reachesAzurite) {
          expect(attempts.length).toBeGreaterThan(0);
          expect(attempts.every((r) => r.bearer && r.status === 403)).toBe(true);
        } else {
          expect(attempts).toEqual([]);
        }
      });

      it('recovers without a restart once the token works (failures are not cached)', async () => {
        brokenMode = 'valid';
        const res = await rawRequest(broken.url, 'GET', new URL(url('first.txt', broken.url)).pathname);
        expect(res.status).toBe(307);
        expect(new URL(res.headers.location!).searchParams.get('skoid')).toBe(AZURITE_TOKEN_OBJECT_ID);
        expect(keyRequests().at(-1)).toMatchObject({ bearer: true, status: 200 });
      });
    });
  });
});
