/**
 * Every route of the express app, through every front door's event shape: what `npm start`
 * answers, the Lambda answers too, in the response shape the door expects.
 */
import { randomBytes } from 'node:crypto';
import { REJECTION_HEADERS } from '../../src/lambda/responses';
import { DOORS, eventFor, headersOf, type ClientRequest, type Door } from './support/door-events';
import { lambdaUnderTest, signedKey, signedParam } from './support/lambda-under-test';

const lambda = lambdaUnderTest();

async function send(door: Door, req: ClientRequest) {
  const outcome = eventFor(door, req);
  if (outcome.kind !== 'event') throw new Error(`${door} refused ${req.path}`);
  const result = await lambda.handler(outcome.event);
  return { result, status: result.statusCode as number, headers: headersOf(result), body: typeof result.body === 'string' ? result.body : '' };
}

describe.each(DOORS)('front door %s', (door) => {
  test('GET redirects to a GET-signed URL, never cached, with no checksum parameters', async () => {
    const res = await send(door, { method: 'GET', path: '/files/reports/q3.pdf', query: 'download=q3.pdf' });
    expect(res.status).toBe(307);
    expect(res.result.isBase64Encoded).toBe(false);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(signedKey(res.headers.location!)).toBe('reports/q3.pdf');
    expect(signedParam(res.headers.location!, 'x-id')).toBe('GetObject');
    expect(signedParam(res.headers.location!, 'X-Amz-Security-Token')).toBe('IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes=');
    expect(res.headers.location).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
    expect(res.headers.connection).toBeUndefined();
  });

  test('HEAD gets its own signature', async () => {
    const res = await send(door, { method: 'HEAD', path: '/files/a.txt' });
    expect(res.status).toBe(307);
    expect(signedParam(res.headers.location!, 'x-id')).toBeNull();
  });

  test('PUT binds the Content-Length the client declared', async () => {
    const res = await send(door, { method: 'PUT', path: '/files/up.bin', headers: { 'Content-Length': '11' } });
    expect(res.status).toBe(307);
    expect(signedParam(res.headers.location!, 'X-Amz-SignedHeaders')).toBe('content-length;host');
  });

  test('PUT whose body came along (base64, 5 MB) answers 307 without the body, binding its length', async () => {
    const body = randomBytes(5 * 1024 * 1024);
    const res = await send(door, { method: 'PUT', path: '/files/big.bin', headers: { 'Content-Length': String(body.length), 'Content-Type': 'application/octet-stream' }, body });
    expect(res.status).toBe(307);
    expect(res.body).toBe(`Redirecting to ${res.headers.location!} (curl: add -L to follow redirects)\n`);
    expect(res.headers.connection).toBeUndefined(); // the app's "stop streaming at me" is not the door's business
    expect(signedParam(res.headers.location!, 'X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
  });

  test('PUT with a chunked body is refused with 411', async () => {
    const res = await send(door, { method: 'PUT', path: '/files/up.bin', headers: { 'Transfer-Encoding': 'chunked' } });
    expect(res.status).toBe(411);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'length_required' });
  });

  test('DELETE redirects to a DELETE-signed URL', async () => {
    const res = await send(door, { method: 'DELETE', path: '/files/old.txt' });
    expect(res.status).toBe(307);
    expect(signedParam(res.headers.location!, 'x-id')).toBe('DeleteObject');
  });

  test('OPTIONS is answered by the gateway (a preflight cannot be redirected)', async () => {
    const res = await send(door, { method: 'OPTIONS', path: '/files/a.txt' });
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
  });

  test('other methods on a file: 405 with Allow', async () => {
    const res = await send(door, { method: 'PATCH', path: '/files/a.txt' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
  });

  test('/healthz and unknown routes', async () => {
    const health = await send(door, { method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect(health.headers['content-type']).toBe('application/json; charset=utf-8');
    const missing = await send(door, { method: 'GET', path: '/nope' });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: 'not_found' });
  });

  test('a path the Lambda rejects carries the same security headers as the app', async () => {
    const app = await send(door, { method: 'GET', path: '/nope' });
    // Malformed for the doors that keep the encoding; decoded twice (a `%` left) by an HTTP API.
    const path = door === 'http-api' || door === 'http-api-v1' ? '/files/a%2525b' : '/files/a%zzb';
    const rejected = await send(door, { method: 'GET', path });
    expect(rejected.status).toBe(400);
    for (const name of ['x-content-type-options', 'referrer-policy', 'content-security-policy', 'x-frame-options', 'cache-control', 'content-type']) {
      expect([name, rejected.headers[name]]).toEqual([name, app.headers[name]]);
    }
    expect(Object.keys(REJECTION_HEADERS).every((name) => app.headers[name] !== undefined)).toBe(true);
  });
});

test('ALB with multi-value headers gets multi-value headers back; ALB answers carry a status description', async () => {
  const res = await send('alb-multi-value', { method: 'GET', path: '/files/a.txt' });
  expect(res.result.multiValueHeaders).toBeDefined();
  expect(res.result.statusDescription).toBe('307 Temporary Redirect');
  expect((await send('alb', { method: 'GET', path: '/nope' })).result.statusDescription).toBe('404 Not Found');
  expect((await send('http-api', { method: 'GET', path: '/nope' })).result.statusDescription).toBeUndefined();
  const rejected = await send('alb-multi-value', { method: 'GET', path: '/files/a%zz' });
  expect(rejected.result).toMatchObject({ statusCode: 400, statusDescription: '400 Bad Request', multiValueHeaders: { 'cache-control': ['no-store'] } });
});

test('an event that is not an HTTP request is an error, not a guess', async () => {
  await expect(lambda.handler({ Records: [] })).rejects.toThrow(/not an HTTP event/);
});
