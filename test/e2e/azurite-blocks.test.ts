/**
 * Large uploads to an Azure mount, for real against Azurite: the multipart routes hand out Put
 * Block URLs (a `w` SAS + blockid), curl and `signpost cp` PUT the parts straight to Azurite, and
 * Complete is the gateway's own Put Block List. Pinned here: the bytes and the content type
 * survive, Azurite refuses tampered or moved part URLs, Complete refuses missing, foreign or
 * mis-sized parts and commits nothing, a retried Complete is harmless, another upload's blocks are
 * never committed, and create-only uploads in parts are refused (a `w` SAS could overwrite).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cp, upload } from '../../src/cli/cp';
import { startServer, type RunningServer } from '../../src/server';
import { azureMountConfig, flipFirstChar, startAzurite, withSasParam, type Azurite } from '../support/azurite';
import { curl, curlStatus } from '../support/curl';
import { memoryLogger } from '../support/memory-log';
import { rawRequest } from '../support/raw-http';
import { describeWith } from '../support/require-tool';

jest.setTimeout(60_000);
const MIB = 1024 * 1024;
const SIZE = 20 * MIB + 5; // parts of 8 + 8 + 4 MiB and 5 bytes

interface Created {
  uploadId: string;
  key: string;
  partCount: number;
  parts: { partNumber: number; size: number; url: string; etag: string }[];
}

describeWith('curl', 'apt-get install curl')('Azure block uploads through the multipart routes (Azurite)', () => {
  let azurite: Azurite;
  let running: RunningServer;
  let dir: string;
  let body: Buffer;
  const path = (key: string) => `/blobs/big/${key}`;
  const json = (res: { body: string }) => JSON.parse(res.body) as Record<string, unknown>;
  const create = async (key: string, headers: Record<string, string> = {}) => rawRequest(running.url, 'POST', `${path(key)}?uploads`, { 'X-Upload-Length': String(SIZE), ...headers });
  const putParts = async (created: Created, data: Buffer, only?: number[]) => {
    for (const p of created.parts) {
      if (only && !only.includes(p.partNumber)) continue;
      const file = join(dir, `part-${p.partNumber}`);
      writeFileSync(file, data.subarray((p.partNumber - 1) * 8 * MIB, (p.partNumber - 1) * 8 * MIB + p.size));
      expect(await curlStatus(['--upload-file', file, p.url])).toBe(201);
    }
  };
  const complete = (key: string, created: Created, parts = created.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })), headers: Record<string, string> = {}) =>
    rawRequest(running.url, 'POST', `${path(key)}?uploadId=${encodeURIComponent(created.uploadId)}`, { 'Content-Type': 'application/json', 'X-Upload-Length': String(SIZE), ...headers }, JSON.stringify({ parts }));
  const download = async (key: string) => {
    const out = join(dir, `dl-${randomBytes(4).toString('hex')}`);
    const status = await curlStatus(['-L', '-o', out, `${running.url}${path(key)}`]);
    return { status, bytes: status === 200 ? readFileSync(out) : Buffer.alloc(0) };
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    const container = await azurite.createContainer();
    dir = mkdtempSync(join(tmpdir(), 'signpost-azure-blocks-'));
    const config = azureMountConfig(dir, azurite.endpoint, container);
    running = await startServer(config, { logger: memoryLogger('info').logger });
    body = randomBytes(SIZE);
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await azurite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create -> Put Block per part with curl -> list -> Complete: the bytes and the content type arrive', async () => {
    const res = await create('one.csv', { 'X-Upload-Content-Type': 'text/csv' });
    expect(res.status).toBe(201);
    const created = json(res) as unknown as Created;
    expect(created).toMatchObject({ key: 'big/one.csv', partCount: 3 });
    expect(created.parts.map((p) => p.size)).toEqual([8 * MIB, 8 * MIB, 4 * MIB + 5]);
    for (const p of created.parts) {
      const u = new URL(p.url);
      expect(u.searchParams.get('comp')).toBe('block');
      expect(u.searchParams.get('blockid')).toBe(p.etag);
      expect(u.searchParams.get('sp')).toBe('w');
    }
    await putParts(created, body);

    const listed = await rawRequest(running.url, 'GET', `${path('one.csv')}?uploadId=${encodeURIComponent(created.uploadId)}`);
    expect(listed.status).toBe(200);
    expect(json(listed).parts).toEqual(created.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag, size: p.size })));
    // Nothing is visible at the key until Complete.
    expect((await download('one.csv')).status).toBe(404);

    const done = await complete('one.csv', created);
    expect(done.status).toBe(200);
    expect(json(done)).toMatchObject({ key: 'big/one.csv', size: SIZE });
    expect(json(done).etag).toMatch(/\S/);
    const got = await download('one.csv');
    expect(got.status).toBe(200);
    expect(createHash('sha256').update(got.bytes).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    const head = await curl(['-s', '-I', '-L', `${running.url}${path('one.csv')}`]);
    expect(head.stdout).toMatch(/\r\ncontent-type: text\/csv\r\n/i);

    // A retried Complete (the answer was lost) commits the same blocks again.
    expect((await complete('one.csv', created)).status).toBe(200);
    expect((await download('one.csv')).bytes.equals(body)).toBe(true);
  });

  it('Azurite refuses a tampered part URL and a part URL moved to another blob', async () => {
    const created = json(await create('guarded.bin')) as unknown as Created;
    const part = created.parts[2]!;
    const file = join(dir, 'guarded-part');
    writeFileSync(file, body.subarray(16 * MIB));
    const tampered = withSasParam(part.url, 'sig', flipFirstChar);
    expect(await curlStatus(['--upload-file', file, tampered])).toBe(403);
    expect(await curlStatus(['--upload-file', file, part.url.replace('/guarded.bin?', '/elsewhere.bin?')])).toBe(403);
  });

  it('Complete refuses a missing part, a part of another upload and a wrong total, and commits nothing', async () => {
    const a = json(await create('strict.bin')) as unknown as Created;
    const b = json(await create('strict.bin')) as unknown as Created;
    expect(a.uploadId).not.toBe(b.uploadId);
    await putParts(a, body, [1, 2]);
    await putParts(b, body, [3]);

    const missing = await complete('strict.bin', a);
    expect(missing.status).toBe(400);
    expect(json(missing)).toMatchObject({ error: 'invalid_part' });
    const foreign = await complete('strict.bin', a, [a.parts[0]!, a.parts[1]!, b.parts[2]!].map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
    expect(foreign.status).toBe(400);
    expect(json(foreign)).toMatchObject({ error: 'invalid_part' });
    const short = await complete('strict.bin', a, a.parts.slice(0, 2).map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
    expect(short.status).toBe(400);
    expect(json(short)).toMatchObject({ error: 'size_mismatch' });
    expect((await download('strict.bin')).status).toBe(404);

    // b's upload sees only its own block.
    const listed = await rawRequest(running.url, 'GET', `${path('strict.bin')}?uploadId=${encodeURIComponent(b.uploadId)}`);
    expect((json(listed).parts as unknown[]).length).toBe(1);
  });

  it('create-only uploads in parts are refused (a w SAS could overwrite); no URL is handed out', async () => {
    const res = await create('create-only.bin', { 'If-None-Match': '*' });
    expect(res.status).toBe(501);
    expect(json(res)).toMatchObject({ error: 'not_implemented' });
    expect(res.body).toContain('one PUT');
    expect(res.body).not.toContain('sig=');
  });

  it.each([['short', 'abc'], ['bad type', `${'A'.repeat(20)}.${Buffer.from('text/plain\r\nx: y').toString('base64url')}`]])('a malformed upload id (%s) is 400', async (_name, id) => {
    const res = await rawRequest(running.url, 'GET', `${path('x.bin')}?uploadId=${encodeURIComponent(id)}`);
    expect(res.status).toBe(400);
    expect(json(res)).toMatchObject({ error: 'invalid_upload_id' });
  });

  it('abort answers 204 (Azure discards uncommitted blocks itself)', async () => {
    const created = json(await create('aborted.bin')) as unknown as Created;
    const res = await rawRequest(running.url, 'DELETE', `${path('aborted.bin')}?uploadId=${encodeURIComponent(created.uploadId)}`);
    expect(res.status).toBe(204);
  });

  it('signpost cp uploads in parallel parts and resumes from the block list', async () => {
    const src = join(dir, 'cp.bin');
    writeFileSync(src, body);
    const io = () => {
      const out = new PassThrough();
      const err = new PassThrough();
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString()));
      err.resume();
      return { stdout: out, stderr: err, env: {}, text: () => text };
    };
    const first = io();
    expect(await cp([src, `${running.url}${path('cp.bin')}`], first)).toBe(0);
    expect(JSON.parse(first.text())).toMatchObject({ key: 'big/cp.bin', size: SIZE });
    expect((await download('cp.bin')).bytes.equals(body)).toBe(true);

    // Resume: two blocks already staged under an upload id; cp sends only the third.
    const created = json(await create('resumed.bin')) as unknown as Created;
    await putParts(created, body, [1, 2]);
    const resumed = await upload({ file: src, url: `${running.url}${path('resumed.bin')}`, token: undefined, parallel: 4, quiet: true, io: io(), resume: created.uploadId });
    expect({ sent: resumed.sent, skipped: resumed.skipped }).toEqual({ sent: 1, skipped: 2 });
    expect((await download('resumed.bin')).bytes.equals(body)).toBe(true);
  });
});
