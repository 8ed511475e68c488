/**
 * The one normalisation step, in isolation: door detection, the canonical path, and bodies the
 * gateway never reads dropped before serverless-http decodes them - with Content-Length kept,
 * because the PUT signature binds it.
 */
import { canonicalPath } from '../../src/lambda/canonical-path';
import { detectFrontDoor } from '../../src/lambda/front-door';
import { bodyLength, normaliseEvent } from '../../src/lambda/normalise-event';
import { keyFromPath } from '../../src/keys/object-key';
import { DOORS, eventFor, type Door } from './support/door-events';

const EXPECTED_DOOR: Record<Door, string> = {
  'rest-api': 'rest-api',
  'http-api': 'http-api',
  'http-api-v1': 'http-api-v1',
  'function-url': 'function-url',
  alb: 'alb',
  'alb-multi-value': 'alb',
};

function event(door: Door, method: string, body?: Buffer, headers: Record<string, string> = {}) {
  const outcome = eventFor(door, { method, path: '/files/a.bin', headers, ...(body && { body }) });
  if (outcome.kind !== 'event') throw new Error('unexpected');
  return outcome.event;
}

describe('detectFrontDoor', () => {
  test.each(DOORS)('%s', (door) => {
    expect(detectFrontDoor(event(door, 'GET'))).toBe(EXPECTED_DOOR[door]);
  });
  test('anything else is not an HTTP event', () => {
    expect(detectFrontDoor({ Records: [] })).toBeUndefined();
    expect(detectFrontDoor({ version: '2.0' })).toBeUndefined();
    expect(() => normaliseEvent({ source: 'aws.events' })).toThrow(/not an HTTP event/);
  });
});

describe('canonicalPath', () => {
  test.each([
    ['/files/a b/ü', true, '/files/a%20b/%C3%BC'],
    ['/files/a%20b/%c3%bc', false, '/files/a%20b/%C3%BC'],
    ['/files/ü', false, '/files/%C3%BC'],
    ['/files/a%2Fb', false, '/files/a/b'],
    ['/files/#?', false, '/files/%23%3F'],
    ['/files/a%3Fb%23c', false, '/files/a%3Fb%23c'],
    ['/files/%2e%2e/x', false, '/files/../x'],
  ])('%s (decoded: %s) -> %s', (path, decoded, canonical) => {
    expect(canonicalPath(path, decoded)).toEqual({ ok: true, path: canonical });
  });

  test('decoding the canonical form once gives back the decoded path exactly', () => {
    for (const decodedPath of ['/files/日本/λ 😀.txt', "/files/a=b&c@d:e,f;g!'(1)*~._-", '/files/#tag', '/files/a+b [c]{d}']) {
      const result = canonicalPath(decodedPath, true);
      if (!result.ok) throw new Error(result.reason);
      expect(keyFromPath(result.path.slice(1))).toMatchObject({ key: decodedPath.slice(1) });
      expect(canonicalPath(result.path, false)).toEqual(result); // idempotent
    }
  });

  test.each([
    ['files/a', false],
    ['/files/a%zz', false],
    ['/files/a%C3%28', false],
    ['/files/\ud800', false],
    ['/files/\ud800', true],
    ['/files/100%', true],
    ['/files/a?b', true],
  ])('rejects %j (decoded: %s)', (path, decoded) => {
    const result = canonicalPath(path, decoded);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason.length).toBeGreaterThan(10);
  });
});

describe('normaliseEvent', () => {
  test.each(DOORS)('%s: a PUT body is dropped, Content-Length kept', (door) => {
    const body = Buffer.alloc(3000, 7);
    const result = normaliseEvent(event(door, 'PUT', body, { 'Content-Length': '3000' }));
    if (!result.ok) throw new Error(result.reason);
    expect(result.event.body).toBe('');
    expect(result.event.isBase64Encoded).toBe(false);
    expect(result.event.requestPath).toBeUndefined();
  });

  test.each(DOORS)('%s: without a Content-Length header, it is set to the dropped body\'s size', (door) => {
    const body = Buffer.alloc(1234, 1);
    const result = normaliseEvent(event(door, 'PUT', body));
    if (!result.ok) throw new Error(result.reason);
    expect((result.event.headers as Record<string, string>)['content-length']).toBe('1234');
  });

  test('a POST body is kept (JSON endpoints read it)', () => {
    const body = Buffer.from('{"a":1}');
    const original = event('http-api', 'POST', body);
    const result = normaliseEvent(original);
    expect(result.ok && result.event.body).toBe(original.body);
  });

  test('the caller\'s event is not modified; requestPath cannot override the canonical path', () => {
    const original = { ...event('rest-api', 'GET'), path: '/files/a%20b', requestPath: '/files/other' };
    const copy = structuredClone(original);
    const result = normaliseEvent(original);
    expect(original).toEqual(copy);
    expect(result).toMatchObject({ ok: true, event: { path: '/files/a%20b', requestPath: undefined } });
  });

  test('bodyLength counts base64 without decoding it', () => {
    for (const size of [0, 1, 2, 3, 4, 1000, 1001, 1002]) {
      const body = Buffer.alloc(size, 9);
      expect(bodyLength({ body: body.toString('base64'), isBase64Encoded: true })).toBe(size);
    }
    expect(bodyLength({ body: 'héllo', isBase64Encoded: false })).toBe(6);
    expect(bodyLength({ body: null })).toBe(0);
  });
});
