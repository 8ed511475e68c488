/**
 * Every route, through every front door's event shape, against the embedded store (which
 * verifies SigV4), so each URL the Lambda hands out is really used: the object methods, upload
 * tickets, URL tickets (?url), listings (JSON and HTML), share links (create and open), multipart
 * uploads (create, part URLs, list, complete, abort), the Git LFS server (batch, transfer, verify,
 * locks: create, list, verify, unlock), the Uppy endpoint (POST forms, multipart: create, sign,
 * list, complete, abort; sessions), the web UI, /openapi.json and /healthz. Status and headers are
 * checked on the door's answer, then the redirect or signed request is sent to the store.
 *
 * The handler is built as deployed (createLambdaHandler from an environment, open access), with
 * S3 pointed at the embedded store and the built web UI in a temp folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLambdaHandler, type LambdaHandler } from '../../src/lambda/handler';
import { startEmbeddedStore, type EmbeddedStore } from '../../src/store';
import { buildWeb } from '../../src/web/build';
import { postForm, withFile } from '../store/post-object-conformance';
import { memoryLogger } from '../support/memory-log';
import { DOORS, eventFor, headersOf, type ClientRequest, type Door } from './support/door-events';

const BUCKET = 'doors';
let dir: string;
let store: EmbeddedStore;
let handler: LambdaHandler;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signpost-doors-'));
  const credentials = { accessKeyId: `DOOR${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  store = await startEmbeddedStore({ dataDir: join(dir, 'store'), host: '127.0.0.1', port: 0, region: 'us-east-1', credentials, buckets: [BUCKET] });
  await buildWeb(join(dir, 'web'));
  const env = {
    SIGNPOST_BUCKET: BUCKET,
    AWS_REGION: 'us-east-1',
    SIGNPOST_S3_ENDPOINT: store.url,
    SIGNPOST_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    SIGNPOST_ALLOW_ALL: 'true',
    SIGNPOST_SHARE_KEY: randomBytes(32).toString('base64'),
  };
  handler = createLambdaHandler(env, { logger: memoryLogger('silent').logger, webDir: join(dir, 'web') });
}, 60_000);
afterAll(async () => {
  await store.close(0);
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

async function send(door: Door, req: ClientRequest): Promise<Answer> {
  const outcome = eventFor(door, req);
  if (outcome.kind !== 'event') throw new Error(`${door} refused ${req.path}`);
  const result = await handler(outcome.event);
  const raw = typeof result.body === 'string' ? result.body : '';
  const body = result.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const answer = { status: result.statusCode as number, headers: headersOf(result), body, json: <T>() => JSON.parse(body) as T };
  // On every answer, whatever the route: the gateway's security headers, and nothing hop-by-hop.
  expect([req.method, req.path, answer.headers['x-content-type-options']]).toEqual([req.method, req.path, 'nosniff']);
  expect(answer.headers.connection).toBeUndefined();
  if (door.startsWith('alb')) expect(result.statusDescription).toMatch(new RegExp(`^${answer.status} `));
  return answer;
}

/** A 307 that must not be cached, to a signed URL on the store. */
function location(answer: Answer): string {
  expect([answer.status, answer.headers['cache-control']]).toEqual([307, 'no-store']);
  const url = answer.headers.location!;
  expect(url.startsWith(`${store.url}/${BUCKET}/`)).toBe(true);
  expect(url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
  return url;
}

/** A JSON answer, never cached. */
function json<T>(answer: Answer, status: number): T {
  expect([answer.status, answer.headers['content-type'], answer.headers['cache-control']]).toEqual([status, 'application/json; charset=utf-8', 'no-store']);
  return answer.json<T>();
}

const LFS_JSON = 'application/vnd.git-lfs+json';
/** A Git LFS request as git-lfs sends it (LFS's media type both ways). */
const lfsRequest = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): ClientRequest => ({
  method,
  path,
  headers: { Accept: LFS_JSON, ...(body !== undefined && { 'Content-Type': LFS_JSON }), ...headers },
  ...(body !== undefined && { body: Buffer.from(JSON.stringify(body)) }),
});
function lfsJson<T = Record<string, unknown>>(answer: Answer, status: number): T {
  expect([answer.status, answer.headers['content-type']]).toEqual([status, LFS_JSON]);
  return answer.json<T>();
}
/** Uppy's requests (@uppy/aws-s3 6.x, Companion's shapes): JSON answers, never cached. */
const uppyJson = <T = Record<string, unknown>>(answer: Answer, status: number): T => json<T>(answer, status);
const jsonBody = (value: unknown): Pick<ClientRequest, 'headers' | 'body'> => {
  const body = Buffer.from(JSON.stringify(value));
  return { headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }, body };
};

const split = (pathAndQuery: string): ClientRequest => {
  const [path = pathAndQuery, query] = pathAndQuery.split('?');
  return { method: 'GET', path, ...(query !== undefined && { query }) };
};

describe.each(DOORS)('through %s', (door) => {
  const base = `/files/${door}`;
  const text = `hello from ${door}`;

  test('PUT, GET, HEAD: each redirect is signed for its method and the store accepts it', async () => {
    const put = location(await send(door, { method: 'PUT', path: `${base}/hello.txt`, headers: { 'Content-Length': String(text.length), 'Content-Type': 'text/plain' } }));
    expect((await fetch(put, { method: 'PUT', body: text, headers: { 'Content-Type': 'text/plain' } })).status).toBe(200);
    const got = await fetch(location(await send(door, { method: 'GET', path: `${base}/hello.txt` })));
    expect([got.status, await got.text()]).toEqual([200, text]);
    const head = await fetch(location(await send(door, { method: 'HEAD', path: `${base}/hello.txt` })), { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(text.length)]);
  });

  test('an upload ticket: JSON with the exact request to send to the store', async () => {
    const ticket = json<{ method: string; url: string; headers: Record<string, string> }>(
      await send(door, { method: 'POST', path: `${base}/ticket.bin`, query: 'upload', headers: { 'X-Upload-Length': '5', 'X-Upload-Content-Type': 'application/octet-stream' } }),
      200,
    );
    expect(ticket.method).toBe('PUT');
    expect((await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: 'abcde' })).status).toBe(200);
  });

  test('a listing as JSON and as HTML', async () => {
    const listing = json<{ prefix: string; entries: { name: string }[] }>(await send(door, { method: 'GET', path: `${base}/`, headers: { Accept: 'application/json' } }), 200);
    expect(listing.prefix).toBe(`${door}/`);
    expect(listing.entries.map((e) => e.name).sort()).toEqual(['hello.txt', 'ticket.bin']);
    const html = await send(door, { method: 'GET', path: `${base}/`, headers: { Accept: 'text/html' } });
    expect([html.status, html.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(html.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(html.body).toContain(`href="${base}/hello.txt?download"`);
  });

  test('a share link: made without a body, opened without credentials (GET and HEAD)', async () => {
    const link = json<{ url?: string; path: string }>(await send(door, { method: 'POST', path: `${base}/hello.txt`, query: 'share' }), 200);
    if (!door.startsWith('alb')) expect(link.url?.endsWith(link.path)).toBe(true);
    const opened = await fetch(location(await send(door, split(link.path))));
    expect(await opened.text()).toBe(text);
    const head = await fetch(location(await send(door, { ...split(link.path), method: 'HEAD' })), { method: 'HEAD' });
    expect(head.status).toBe(200);
    const tampered = await send(door, split(link.path.replace(/share=(\d+)\./, (_m, exp: string) => `share=${Number(exp) + 1}.`)));
    expect(json<{ error: string }>(tampered, 403).error).toBe('forbidden');
  });

  test('multipart: create, part URLs, upload, list, complete; and abort', async () => {
    const size = 1000;
    const bytes = randomBytes(size);
    const sizeHeader = { 'X-Upload-Length': String(size) };
    const created = json<{ uploadId: string; parts: { partNumber: number; url: string }[] }>(await send(door, { method: 'POST', path: `${base}/big.bin`, query: 'uploads', headers: sizeHeader }), 201);
    const q = `uploadId=${encodeURIComponent(created.uploadId)}`;
    const page = json<{ parts: { partNumber: number; url: string }[] }>(await send(door, { method: 'GET', path: `${base}/big.bin`, query: `${q}&parts=1-1`, headers: sizeHeader }), 200);
    expect(page.parts.map((p) => p.partNumber)).toEqual([1]);
    const uploaded = await fetch(page.parts[0]!.url, { method: 'PUT', body: bytes });
    expect(uploaded.status).toBe(200);
    const etag = uploaded.headers.get('etag')!.replace(/"/g, ''); // the routes speak unquoted ETags
    const listed = json<{ parts: { partNumber: number; etag: string; size: number }[] }>(await send(door, { method: 'GET', path: `${base}/big.bin`, query: q }), 200);
    expect(listed.parts).toEqual([{ partNumber: 1, etag, size }]);
    const body = Buffer.from(JSON.stringify({ parts: [{ partNumber: 1, etag }] }));
    const done = json<{ size: number }>(await send(door, { method: 'POST', path: `${base}/big.bin`, query: q, headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length), ...sizeHeader }, body }), 200);
    expect(done.size).toBe(size);
    const got = Buffer.from(await (await fetch(location(await send(door, { method: 'GET', path: `${base}/big.bin` })))).arrayBuffer());
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));

    const second = json<{ uploadId: string }>(await send(door, { method: 'POST', path: `${base}/aborted.bin`, query: 'uploads', headers: sizeHeader }), 201);
    const q2 = `uploadId=${encodeURIComponent(second.uploadId)}`;
    const aborted = await send(door, { method: 'DELETE', path: `${base}/aborted.bin`, query: q2 });
    expect([aborted.status, aborted.headers['cache-control']]).toEqual([204, 'no-store']);
    expect(json<{ error: string }>(await send(door, { method: 'GET', path: `${base}/aborted.bin`, query: q2 }), 404).error).toBe('no_such_upload');
  });

  test('URL tickets (?url): a PUT of unknown size and a GET, handed out as data and used on the store', async () => {
    const put = json<{ method: string; url: string; headers: Record<string, string> }>(await send(door, { method: 'POST', path: `${base}/urls/u.txt`, query: 'url=put' }), 200);
    expect(put.method).toBe('PUT');
    expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'via a URL ticket' })).status).toBe(200);
    const get = json<{ method: string; url: string }>(await send(door, { method: 'POST', path: `${base}/urls/u.txt`, query: 'url' }), 200);
    expect(get.method).toBe('GET');
    expect(await (await fetch(get.url)).text()).toBe('via a URL ticket');
    const head = json<{ method: string; url: string }>(await send(door, { method: 'POST', path: `${base}/urls/u.txt`, query: 'url=head' }), 200);
    expect((await fetch(head.url, { method: 'HEAD' })).status).toBe(200);
  });

  test('Git LFS: batch upload and download, the transfers on the store, verify, and locks (create, list, verify, unlock)', async () => {
    const repo = `/lfs/doors/${door}`;
    const bytes = randomBytes(2048);
    const oid = createHash('sha256').update(bytes).digest('hex');
    type Actions = Record<string, { href: string; header?: Record<string, string> }>;
    const up = lfsJson<{ objects: { actions: Actions }[] }>(await send(door, lfsRequest('POST', `${repo}/objects/batch`, { operation: 'upload', objects: [{ oid, size: bytes.length }] })), 200);
    const { upload, verify } = up.objects[0]!.actions;
    expect((await fetch(upload!.href, { method: 'PUT', body: bytes, headers: upload!.header ?? {} })).status).toBe(200);
    if (door.startsWith('alb')) {
      expect(verify).toBeUndefined(); // an ALB event names no domain: no public base, no verify action
    } else {
      const path = new URL(verify!.href).pathname;
      expect(path.endsWith(`${repo}/objects/verify`)).toBe(true);
      const verified = await send(door, lfsRequest('POST', path.slice(path.indexOf('/lfs/')), { oid, size: bytes.length }, verify!.header));
      expect(verified.status).toBe(200);
    }
    const down = lfsJson<{ objects: { actions: Actions }[] }>(await send(door, lfsRequest('POST', `${repo}/objects/batch`, { operation: 'download', objects: [{ oid, size: bytes.length }] })), 200);
    const got = Buffer.from(await (await fetch(down.objects[0]!.actions.download!.href, { headers: down.objects[0]!.actions.download!.header ?? {} })).arrayBuffer());
    expect(got.equals(bytes)).toBe(true);

    const lock = lfsJson<{ lock: { id: string; path: string } }>(await send(door, lfsRequest('POST', `${repo}/locks`, { path: 'art/hero.psd' })), 201).lock;
    expect(lfsJson<{ lock: { id: string } }>(await send(door, lfsRequest('POST', `${repo}/locks`, { path: 'art/hero.psd' })), 409).lock.id).toBe(lock.id);
    expect(lfsJson<{ locks: { id: string }[] }>(await send(door, { ...lfsRequest('GET', `${repo}/locks`), query: 'path=art%2Fhero.psd' }), 200).locks.map((l) => l.id)).toEqual([lock.id]);
    const mine = lfsJson<{ ours: { id: string }[]; theirs: unknown[] }>(await send(door, lfsRequest('POST', `${repo}/locks/verify`, {})), 200);
    expect([mine.ours.map((l) => l.id), mine.theirs]).toEqual([[lock.id], []]);
    expect(lfsJson<{ lock: { id: string } }>(await send(door, lfsRequest('POST', `${repo}/locks/${lock.id}/unlock`, {})), 200).lock.id).toBe(lock.id);
    expect(lfsJson<{ locks: unknown[] }>(await send(door, lfsRequest('GET', `${repo}/locks`)), 200).locks).toEqual([]);
  });

  test('Uppy: a POST form for a small file, a multipart upload (create, sign, list, complete) and an abort; sessions need a caller', async () => {
    const folder = `${base}/uppy`;
    const small = randomBytes(300);
    const q = new URLSearchParams({ filename: 'small.bin', type: 'application/octet-stream', 'metadata[folder]': folder, 'metadata[name]': 'small.bin' });
    const form = uppyJson<{ method: string; url: string; fields: Record<string, string> }>(await send(door, { method: 'GET', path: '/uppy/s3/params', query: q.toString() }), 200);
    expect([form.method, form.fields.key]).toEqual(['POST', `${door}/uppy/small.bin`]);
    expect((await postForm(form.url, withFile(form.fields, small))).status).toBe(204);
    expect(Buffer.from(await (await fetch(location(await send(door, { method: 'GET', path: `${folder}/small.bin` })))).arrayBuffer()).equals(small)).toBe(true);

    const big = randomBytes(1500);
    const created = uppyJson<{ key: string; uploadId: string }>(
      await send(door, { method: 'POST', path: '/uppy/s3/multipart', ...jsonBody({ filename: 'big.bin', type: 'application/octet-stream', metadata: { folder, name: 'big.bin' } }) }),
      200,
    );
    expect(created.key).toBe(`${door}/uppy/big.bin`);
    const id = encodeURIComponent(created.uploadId);
    const key = new URLSearchParams({ key: created.key }).toString();
    const signed = uppyJson<{ url: string }>(await send(door, { method: 'GET', path: `/uppy/s3/multipart/${id}/1`, query: key }), 200);
    const put = await fetch(signed.url, { method: 'PUT', body: big });
    expect(put.status).toBe(200);
    const etag = put.headers.get('etag')!;
    expect(uppyJson<unknown[]>(await send(door, { method: 'GET', path: `/uppy/s3/multipart/${id}`, query: key }), 200)).toEqual([{ PartNumber: 1, ETag: etag, Size: big.length }]);
    const done = uppyJson<{ key: string }>(await send(door, { method: 'POST', path: `/uppy/s3/multipart/${id}/complete`, query: key, ...jsonBody({ parts: [{ PartNumber: 1, ETag: etag }] }) }), 200);
    expect(done.key).toBe(created.key);
    expect(Buffer.from(await (await fetch(location(await send(door, { method: 'GET', path: `${folder}/big.bin` })))).arrayBuffer()).equals(big)).toBe(true);

    const second = uppyJson<{ key: string; uploadId: string }>(
      await send(door, { method: 'POST', path: '/uppy/s3/multipart', ...jsonBody({ filename: 'gone.bin', type: 'application/octet-stream', metadata: { folder, name: 'gone.bin' } }) }),
      200,
    );
    const id2 = encodeURIComponent(second.uploadId);
    const key2 = new URLSearchParams({ key: second.key }).toString();
    expect((await send(door, { method: 'DELETE', path: `/uppy/s3/multipart/${id2}`, query: key2 })).status).toBe(200);
    expect((await send(door, { method: 'GET', path: `/uppy/s3/multipart/${id2}`, query: key2 })).status).toBe(404);
    // Open access names no caller, and a session stands for one (test/uppy/routes.test.ts has the 201).
    expect(json<{ error: string }>(await send(door, { method: 'POST', path: '/uppy/session' }), 401).error).toBeDefined();
  });

  test('DELETE is signed for DELETE and the store removes the object', async () => {
    expect((await fetch(location(await send(door, { method: 'DELETE', path: `${base}/hello.txt` })), { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(location(await send(door, { method: 'GET', path: `${base}/hello.txt` })))).status).toBe(404);
  });

  test('the web UI: the page (its CSP naming the store\'s origin) and its assets', async () => {
    const page = await send(door, { method: 'GET', path: '/' });
    expect([page.status, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ${new URL(store.url).origin};`);
    expect(page.headers['x-frame-options']).toBe('DENY');
    const script = /src="(\/assets\/main-[^"]+\.js)"/.exec(page.body)?.[1] ?? '';
    const asset = await send(door, { method: 'GET', path: script });
    expect([asset.status, asset.headers['content-type'], asset.headers['cache-control']]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
  });

  test('/openapi.json and /healthz', async () => {
    const spec = await send(door, { method: 'GET', path: '/openapi.json' });
    expect([spec.status, spec.headers['content-type']]).toEqual([200, 'application/json; charset=utf-8']);
    expect(spec.json<{ openapi: string }>().openapi).toBe('3.1.0');
    const health = await send(door, { method: 'GET', path: '/healthz' });
    expect([health.status, health.json()]).toEqual([200, { status: 'ok' }]);
  });
});
