/**
 * Every route, through every front door's event shape, against the embedded store (which
 * verifies SigV4), so each URL the Lambda hands out is really used: the object methods, upload
 * tickets, listings (JSON and HTML), share links (create and open), multipart uploads (create,
 * part URLs, list, complete, abort), the web UI, /openapi.json and /healthz. Status and headers
 * are checked on the door's answer, then the redirect or signed request is sent to the store.
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
  const body = typeof result.body === 'string' ? result.body : '';
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
