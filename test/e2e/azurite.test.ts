/**
 * End to end against Azurite (Microsoft's Azure Storage emulator, which verifies SAS
 * signatures, permissions and expiry): the real server with an Azure mount, driven by the real
 * curl. The same cases as the S3 conformance suite where the semantics match, and the
 * differences pinned as tests: Put Blob answers 201 (S3: 200), Delete Blob 202 (S3: 204), a
 * create-only `c` SAS on an existing blob 403 (S3: 412), and a SAS binds neither Content-Length
 * nor Content-Type (storage accepts other sizes and types: gateway-only, see docs/backends.md).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decide } from '../../src/policy/types';
import { startServer, type RunningServer } from '../../src/server';
import { uriEncodeKey } from '../../src/signing/uri-encode';
import { azureMountConfig, flipFirstChar, startAzurite, withSasParam, type Azurite } from '../support/azurite';
import { curl, curlStatus } from '../support/curl';
import { memoryLogger } from '../support/memory-log';
import { rawRequest } from '../support/raw-http';
import { describeWith } from '../support/require-tool';
import { TRICKY_KEYS, writeRandomFile } from './conformance';

jest.setTimeout(60_000);
const BLOCK = ['-H', 'x-ms-blob-type: BlockBlob'];
const withShortTtl: Decide = (_p, _a, key) => ({ effect: 'allow', rule: 'test', constraints: key.includes('/short-ttl/') ? { ttl: 1 } : {} });

describeWith('curl', 'apt-get install curl')('end to end with curl: Azure Blob (Azurite)', () => {
  let azurite: Azurite;
  let running: RunningServer;
  let lines: string[];
  let dir: string;
  let gatewayBytes = 0;
  const url = (key: string) => `${running.url}/blobs/run/${uriEncodeKey(key)}`;
  const file = (name: string, content: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const locationFor = async (method: string, target: string, headers: Record<string, string> = {}) => {
    const res = await rawRequest(running.url, method, new URL(target).pathname, { ...headers, ...(method === 'PUT' && { Expect: '100-continue', 'x-ms-blob-type': 'BlockBlob' }) });
    expect(res.status).toBe(307);
    return res.headers.location!;
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    const container = await azurite.createContainer();
    dir = mkdtempSync(join(tmpdir(), 'signpost-azure-e2e-'));
    const config = azureMountConfig(dir, azurite.endpoint, container);
    const log = memoryLogger('info');
    lines = log.lines;
    running = await startServer(config, { logger: log.logger, decide: withShortTtl });
    running.server.on('connection', (s: Socket) => s.on('data', (d: Buffer) => (gatewayBytes += d.length)));
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await azurite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says at startup what the Azure mount enforces in storage and what only the gateway does', () => {
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.mount === '/blobs');
    expect(line).toMatchObject({ backend: 'azure', storageEnforces: ['ttl', 'createOnly'], gatewayOnly: ['maxSize', 'contentTypes'] });
  });

  it.each([0, 1024])('round trip of %i bytes: Put Blob 201, GET, HEAD, Delete Blob 202, then 404', async (size) => {
    const body = randomBytes(size);
    const u = url(`round-trip-${size}.bin`);
    expect(await curlStatus(['-L', ...BLOCK, '--upload-file', file(`rt-${size}`, body), u])).toBe(201);
    const out = join(dir, `rt-${size}.out`);
    expect(await curlStatus(['-L', '-o', out, u])).toBe(200);
    expect(readFileSync(out).equals(body)).toBe(true);
    const head = await curl(['-I', '-L', u]);
    expect(head.stdout).toMatch(new RegExp(`\\r\\ncontent-length: ${size}\\r\\n`, 'i'));
    expect(await curlStatus(['-L', '-X', 'DELETE', u])).toBe(202);
    expect(await curlStatus(['-L', u])).toBe(404);
  });

  it('a PUT without x-ms-blob-type gets a 400 naming the header, not a redirect', async () => {
    const res = await curl(['-w', '\n%{http_code}', '--upload-file', file('nohdr', 'x'), url('no-header.txt')]);
    const [body, status] = res.stdout.split('\n');
    expect(status).toBe('400');
    expect(JSON.parse(body!)).toMatchObject({ error: 'missing_header' });
    expect(body).toContain('x-ms-blob-type: BlockBlob');
  });

  it('Azurite itself refuses Put Blob without x-ms-blob-type (why the gateway checks)', async () => {
    const location = await locationFor('PUT', url('direct-no-header.txt'), { 'Content-Length': '1' });
    expect(await curlStatus(['--upload-file', file('d', 'x'), location])).toBe(400);
  });

  it('30 MB: uploads through a redirect with 0 body bytes reaching the gateway, downloads intact', async () => {
    const path = join(dir, 'big.bin');
    writeRandomFile(path, 30 * 1024 * 1024);
    const u = url('big/30MB.bin');
    gatewayBytes = 0;
    expect(await curlStatus(['-L', ...BLOCK, '--upload-file', path, u])).toBe(201);
    expect(gatewayBytes).toBeLessThan(2048);
    const out = join(dir, 'big.out');
    expect(await curlStatus(['-L', '-o', out, u])).toBe(200);
    expect(readFileSync(out).equals(readFileSync(path))).toBe(true);
  });

  it.each(TRICKY_KEYS)('key %j round-trips', async (key) => {
    const body = `content of ${key}`;
    expect(await curlStatus(['-L', ...BLOCK, '--upload-file', file('tricky', body), url(key)])).toBe(201);
    expect((await curl(['-L', url(key)])).stdout).toBe(body);
    expect(await curlStatus(['-L', '-X', 'DELETE', url(key)])).toBe(202);
  });

  it('a 1024-character blob name round-trips', async () => {
    const key = 'k'.repeat(1024 - 'run/'.length);
    expect(await curlStatus(['-L', ...BLOCK, '--upload-file', file('long', 'long key'), url(key)])).toBe(201);
    expect((await curl(['-L', url(key)])).stdout).toBe('long key');
  });

  describe('storage refuses what the SAS does not grant, and nothing changes', () => {
    const key = 'guarded.txt';
    beforeAll(async () => {
      expect(await curlStatus(['-L', ...BLOCK, '--upload-file', file('orig', 'original'), url(key)])).toBe(201);
    });
    afterEach(async () => {
      expect((await curl(['-L', url(key)])).stdout).toBe('original');
    });

    it('a tampered signature gets 403', async () => {
      const location = await locationFor('PUT', url(key), { 'Content-Length': '8' });
      const tampered = withSasParam(location, 'sig', flipFirstChar);
      expect(await curlStatus([...BLOCK, '--upload-file', file('evil', 'tampered'), tampered])).toBe(403);
    });

    it('a SAS for another blob gets 403', async () => {
      const location = await locationFor('PUT', url('other.txt'), { 'Content-Length': '8' });
      const moved = location.replace('/other.txt?', `/${key}?`);
      expect(await curlStatus([...BLOCK, '--upload-file', file('evil3', 'replaced'), moved])).toBe(403);
    });

    it('an expired SAS gets 403', async () => {
      const location = await locationFor('PUT', url(`short-ttl/${key}`), { 'Content-Length': '8' });
      await new Promise((r) => setTimeout(r, 2100));
      expect(await curlStatus([...BLOCK, '--upload-file', file('late', 'too late'), location])).toBe(403);
      expect(await curlStatus(['-L', url(`short-ttl/${key}`)])).toBe(404);
    });

    it('a read (r) SAS used for PUT or DELETE gets 403: wrong permission', async () => {
      const location = await locationFor('GET', url(key));
      expect(new URL(location).searchParams.get('sp')).toBe('r');
      expect(await curlStatus([...BLOCK, '--upload-file', file('evil2', 'replaced'), location])).toBe(403);
      expect(await curlStatus(['-X', 'DELETE', location])).toBe(403);
    });

    it('a delete (d) SAS cannot read', async () => {
      const location = await locationFor('DELETE', url(key));
      expect(await curlStatus([location])).toBe(403);
    });

    it('a write (w) SAS with If-None-Match: * on an existing blob gets 409 BlobAlreadyExists', async () => {
      const location = await locationFor('PUT', url(key), { 'Content-Length': '8' });
      expect(await curlStatus([...BLOCK, '-H', 'If-None-Match: *', '--upload-file', file('inm', 'replaced'), location])).toBe(409);
    });
  });

  it('create-only: the first PUT creates (sp=c); a second gets 403 from the c permission, and the first body stays', async () => {
    const u = url('create-only.txt');
    expect(await curlStatus(['-L', ...BLOCK, '-H', 'If-None-Match: *', '--upload-file', file('first', 'first'), u])).toBe(201);
    const location = await locationFor('PUT', u, { 'Content-Length': '6', 'If-None-Match': '*' });
    expect(new URL(location).searchParams.get('sp')).toBe('c');
    expect(await curlStatus([...BLOCK, '-H', 'If-None-Match: *', '--upload-file', file('second', 'second'), location])).toBe(403);
    // Dropping If-None-Match does not help: the c permission never overwrites.
    expect(await curlStatus([...BLOCK, '--upload-file', file('second', 'second'), location])).toBe(403);
    expect((await curl(['-L', u])).stdout).toBe('first');
  });

  it('difference: a SAS binds neither Content-Length nor Content-Type (gateway-only on Azure)', async () => {
    const location = await locationFor('PUT', url('unbound.txt'), { 'Content-Length': '4', 'Content-Type': 'text/plain' });
    expect(await curlStatus([...BLOCK, '-H', 'Content-Type: image/png', '--upload-file', file('longer', 'longer body'), location])).toBe(201);
  });

  it('serves ranges; a suffix range (bytes=-N) is not supported', async () => {
    const u = url('ranges.txt');
    const body = 'abcdefghijklmnopqrstuvwxyz'.repeat(10);
    expect(await curlStatus(['-L', ...BLOCK, '--upload-file', file('ranges', body), u])).toBe(201);
    expect((await curl(['-L', '-r', '0-9', u])).stdout).toBe(body.slice(0, 10));
    expect((await curl(['-L', '-r', '250-', u])).stdout).toBe(body.slice(250));
    // Difference: Azure documents only bytes=N- and bytes=N-M (no suffix ranges); Azurite answers 500.
    expect(await curlStatus(['-L', '-H', 'Range: bytes=-100', u])).toBe(500);
    expect(await curlStatus(['-L', '-H', 'Range: bytes=1000-2000', u])).toBe(416);
  });

  it('a listing cursor the gateway did not hand out is a 400 here too, before the backend is asked (Azure listings are 501)', async () => {
    const ask = async (query: string) => {
      const res = await curl(['-w', '\n%{http_code}', `${running.url}/blobs/run/${query}`]);
      const cut = res.stdout.lastIndexOf('\n');
      return { status: Number(res.stdout.slice(cut + 1)), error: (JSON.parse(res.stdout.slice(0, cut)) as { error: string }).error };
    };
    for (const cursor of ['garbage', 'AAAA.AAAA', '2!1!MDAwMDA0IWJsb2Ih']) expect(await ask(`?cursor=${encodeURIComponent(cursor)}`)).toEqual({ status: 400, error: 'invalid_cursor' });
    expect(await ask('')).toEqual({ status: 501, error: 'not_implemented' });
  });

  it('no log line carries a SAS signature, account key or presigned URL', () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line).not.toMatch(/sig=|[?&]sv=|Signature|Credential|secret|Eby8vdM0/i);
  });
});
