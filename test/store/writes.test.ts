// Write semantics: conditional create decided atomically, concurrent writers, aborted and
// short uploads, Expect: 100-continue refusals that never read the body, restart, temp-file
// cleanup, and keys that look like path traversal staying inside dataDir.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BUCKET, type Harness, errorCode, randomBody, send, startHarness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const putUrl = (key: string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}): Promise<string> =>
  h.sign(new PutObjectCommand({ Bucket: BUCKET, Key: key, ...extra }));
const getBody = async (key: string): Promise<{ status: number; body: Buffer }> =>
  send({ method: 'GET', url: await h.sign(new GetObjectCommand({ Bucket: BUCKET, Key: key })) });

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('If-None-Match: * (create only)', () => {
  it('the second create-only PUT is 412 and the first body stays', async () => {
    const url = await putUrl('once.txt', { IfNoneMatch: '*' });
    expect((await send({ method: 'PUT', url, body: 'first', headers: { 'If-None-Match': '*' } })).status).toBe(200);
    const second = await send({ method: 'PUT', url, body: 'second', headers: { 'If-None-Match': '*' } });
    expect(second.status).toBe(412);
    expect(errorCode(second)).toBe('PreconditionFailed');
    expect((await getBody('once.txt')).body.toString()).toBe('first');
  });

  it('of 10 concurrent create-only PUTs exactly one wins, and its whole body is stored', async () => {
    const url = await putUrl('race.bin', { IfNoneMatch: '*' });
    const bodies = Array.from({ length: 10 }, (_, i) => randomBody(256 * 1024, i + 1));
    const results = await Promise.all(bodies.map((body) => send({ method: 'PUT', url, body, headers: { 'If-None-Match': '*' } })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(9).fill(412)]);
    const winner = bodies[results.findIndex((r) => r.status === 200)] as Buffer;
    expect((await getBody('race.bin')).body.equals(winner)).toBe(true);
  });

  it('If-Match on PUT replaces only the expected version', async () => {
    const first = await send({ method: 'PUT', url: await putUrl('cas.txt'), body: 'v1' });
    const etag = first.headers.etag as string;
    const url = await putUrl('cas.txt', { IfMatch: etag });
    expect((await send({ method: 'PUT', url, body: 'v2', headers: { 'If-Match': etag } })).status).toBe(200);
    expect((await send({ method: 'PUT', url, body: 'v3', headers: { 'If-Match': etag } })).status).toBe(412);
    expect((await getBody('cas.txt')).body.toString()).toBe('v2');
  });
});

describe('concurrent and broken writes', () => {
  it('concurrent PUTs to one key leave exactly one whole body', async () => {
    const url = await putUrl('contended.bin');
    const bodies = Array.from({ length: 8 }, (_, i) => randomBody(512 * 1024 + i, 100 + i));
    const results = await Promise.all(bodies.map((body) => send({ method: 'PUT', url, body })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const stored = (await getBody('contended.bin')).body;
    expect(bodies.some((b) => b.equals(stored))).toBe(true);
    const listed = await h.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'contended.bin' }));
    expect(listed.Contents?.[0]?.Size).toBe(stored.length);
  });

  it('an upload aborted halfway stores nothing and keeps the previous object', async () => {
    expect((await send({ method: 'PUT', url: await putUrl('abort.bin'), body: 'previous' })).status).toBe(200);
    const url = new URL(await putUrl('abort.bin'));
    await new Promise<void>((resolve) => {
      const req = http.request({ method: 'PUT', host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { 'Content-Length': 4 * 1024 * 1024 }, agent: false });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(randomBody(1024 * 1024), () => setTimeout(() => req.destroy(), 50));
    });
    await eventually(async () => (await readdir(path.join(h.dir, 'tmp'))).length === 0);
    expect((await getBody('abort.bin')).body.toString()).toBe('previous');
  });

  it('chunked without Content-Length is 411 MissingContentLength', async () => {
    const url = new URL(await putUrl('chunked.bin'));
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ method: 'PUT', host: url.hostname, port: url.port, path: url.pathname + url.search, agent: false }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('some');
      req.end('data');
    });
    expect(res.status).toBe(411);
    expect(res.body).toContain('<Code>MissingContentLength</Code>');
    expect((await getBody('chunked.bin')).status).toBe(404);
  });
});

describe('Expect: 100-continue', () => {
  function expectPut(url: string, headers: Record<string, string> = {}): Promise<{ status: number; continued: boolean; code: string | undefined }> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      let continued = false;
      const req = http.request(
        { method: 'PUT', host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false, headers: { 'Content-Length': 5, Expect: '100-continue', ...headers } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] }));
        },
      );
      req.on('continue', () => {
        continued = true;
        req.end('hello');
      });
      req.on('error', reject);
      req.flushHeaders(); // body is sent only after 100 Continue
    });
  }

  it('a good request gets 100 Continue, then 200', async () => {
    const r = await expectPut(await putUrl('expect.txt'));
    expect(r).toEqual({ status: 200, continued: true, code: undefined });
    expect((await getBody('expect.txt')).body.toString()).toBe('hello');
  });

  it('a bad signature gets 403 without 100 Continue, so the body is never sent', async () => {
    const url = (await putUrl('expect-bad.txt')).replace(/X-Amz-Signature=[0-9a-f]/, 'X-Amz-Signature=z');
    expect(await expectPut(url)).toEqual({ status: 403, continued: false, code: 'SignatureDoesNotMatch' });
    expect((await getBody('expect-bad.txt')).status).toBe(404);
  });

  it('an existing key under If-None-Match: * gets 412 before the body', async () => {
    expect(await expectPut(await putUrl('expect.txt', { IfNoneMatch: '*' }), { 'If-None-Match': '*' })).toEqual({ status: 412, continued: false, code: 'PreconditionFailed' });
  });

  it('a refused upload whose client keeps sending gets its 403 and a clean close, not a reset', async () => {
    // Closing at once with request bytes still arriving makes the kernel send RST, and a client
    // that reads after writing loses the reply. The store half-closes and drains instead.
    const url = new URL((await putUrl('big-bad.bin')).replace(/X-Amz-Signature=[0-9a-f]/, 'X-Amz-Signature=z'));
    const total = 16 * 1024 * 1024;
    const outcome = await new Promise<string>((resolve) => {
      const s = net.connect({ port: Number(url.port), host: url.hostname, allowHalfOpen: true });
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? ''}`));
      s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
      s.write(`PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${total}\r\n\r\n`);
      let sent = 0;
      const chunk = Buffer.alloc(256 * 1024);
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!s.write(chunk)) return void s.once('drain', () => setTimeout(pump, 1));
        }
        s.end();
      };
      setTimeout(pump, 100); // the reply is out before most of the body
    });
    expect(outcome).toBe('HTTP/1.1 403 Forbidden');
    expect((await getBody('big-bad.bin')).status).toBe(404);
  });
});

describe('persistence and layout', () => {
  it('objects and listings survive a restart; leftover temp files are removed', async () => {
    const keys = ['persist/a.txt', 'persist/b/c.txt', 'persist/ü.txt'];
    for (const k of keys) expect((await send({ method: 'PUT', url: await putUrl(k), body: `body ${k}` })).status).toBe(200);
    await writeFile(path.join(h.dir, 'tmp', 'leftover'), 'partial upload');
    await h.restart();
    expect(await readdir(path.join(h.dir, 'tmp'))).toEqual([]);
    for (const k of keys) expect((await getBody(k)).body.toString()).toBe(`body ${k}`);
    const listed = await h.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'persist/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(keys);
  });

  it('a corrupt object file is skipped at start, not fatal', async () => {
    const sub = path.join(h.dir, 'buckets', BUCKET, 'ff');
    await rm(sub, { recursive: true, force: true });
    await (await import('node:fs/promises')).mkdir(sub, { recursive: true });
    await writeFile(path.join(sub, 'f'.repeat(64)), 'not an object file');
    await h.restart();
    expect((await getBody('persist/a.txt')).status).toBe(200);
    await rm(sub, { recursive: true, force: true });
  });

  it('traversal-looking keys never create files outside dataDir', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'signpost-traversal-'));
    const inner = await startHarness({}, path.join(root, 'data'));
    try {
      const keys = ['../escape.txt', '../../escape.txt', '..', '../data2/x', 'a/../../../escape', '/../escape', '%2e%2e/escape', '....//escape'];
      for (const key of keys) {
        const url = await inner.sign(new PutObjectCommand({ Bucket: BUCKET, Key: key }));
        expect((await send({ method: 'PUT', url, body: key })).status).toBe(200);
        const g = await send({ method: 'GET', url: await inner.sign(new GetObjectCommand({ Bucket: BUCKET, Key: key })) });
        expect(g.body.toString()).toBe(key);
      }
      // Raw, un-normalized traversal in the request line is just a key too (and must be signed).
      const raw = await send({ method: 'GET', url: `${inner.store.url}/${BUCKET}/../../etc/passwd` });
      expect(raw.status).toBe(403);
      expect(await readdir(root)).toEqual(['data']);
      const files = await listFiles(path.join(root, 'data'));
      expect(files.length).toBeGreaterThanOrEqual(keys.length);
      for (const f of files) expect(path.relative(path.join(root, 'data', 'buckets', BUCKET), f)).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{64}$/);
    } finally {
      await inner.stop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
