/**
 * Hostile input through the running server (real node:http parser, clientError handler,
 * checkContinue, express app, policy and authentication): every case has its expected status
 * and JSON error code, and none may be a 5xx. Requests are written byte for byte to a socket,
 * so nothing is "fixed" by a client library on the way.
 *
 * Decisions this suite pins down (see SECURITY.md):
 * - The request target is limited to 8 KiB (MAX_URL_BYTES): longer gets 414 `uri_too_long` from
 *   the app. Node's parser limits the request line plus all headers to 16 KiB (maxHeaderSize):
 *   past that, the parser answers 431 itself (also for a URL over ~16 KiB, since the request
 *   line is part of the header block), via the server's clientError handler, with a JSON body.
 * - Methods the parser does not know (`FOO`, lowercase `get`) are 400 `bad_request` from the
 *   parser; methods it knows but the gateway does not serve are 405 with `Allow`.
 * - Negative, non-numeric and conflicting Content-Length are 400 `bad_request` from the parser.
 */
import { SignJWT } from 'jose';
import { SECURITY_HEADERS } from '../../src/http/security-headers';
import { curl } from '../support/curl';
import { rawRequest } from '../support/raw-http';
import { describeWith } from '../support/require-tool';
import { AUDIENCE, HS256_SECRET, ISSUER, request, sendRaw, startPolicyGateway, type ParsedResponse, type PolicyGateway } from './hostile-support';

interface Ctx {
  aliceKey: string;
  bobKey: string;
  jwts: Record<string, string>;
}

type Build = Buffer | ((ctx: Ctx) => Buffer);
interface Case {
  readonly name: string;
  readonly req: Build;
  readonly status: number;
  /** Expected JSON `error`; null: no JSON error body expected (a redirect, 204). */
  readonly code: string | null;
}

const get = (target: string, headers: readonly string[] = []): Buffer => request('GET', target, headers);
const put = (target: string, headers: readonly string[] = [], body = ''): Buffer => request('PUT', target, headers, body);
const c = (name: string, req: Build, status: number, code: string | null): Case => ({ name, req, status, code });
const bad = (name: string, target: string): Case => c(name, get(target), 400, 'invalid_key');

const traversal: Case[] = [
  bad('bare ..', '/files/..'),
  bad('../etc/passwd', '/files/../etc/passwd'),
  bad('a/../b', '/files/open/../b'),
  bad('trailing ..', '/files/open/a/..'),
  bad('. segment', '/files/open/./a'),
  bad('leading .', '/files/./open/a'),
  bad('%2e%2e', '/files/%2e%2e/x'),
  bad('%2E%2E', '/files/%2E%2E/x'),
  bad('%2E.', '/files/%2E./x'),
  bad('.%2e', '/files/.%2e/x'),
  bad('%2e', '/files/open/%2e/x'),
  bad('..%2F', '/files/..%2Fetc'),
  bad('..%2f after prefix', '/files/open/..%2f..%2fsecret'),
  bad('%2e%2e%2f', '/files/open/%2e%2e%2fx'),
  bad('%2F..%2F encoded slashes', '/files/open%2F..%2F..%2Fx'),
  bad('..%5C', '/files/..%5Cx'),
  bad('%5C alone', '/files/open/a%5Cb'),
  bad('raw backslash', '/files/open/a\\b'),
  bad('%5C..%5C', '/files/open/%5C..%5Cx'),
  bad('overlong %C0%AE%C0%AE', '/files/%C0%AE%C0%AE/x'),
  bad('overlong %C0%AE.', '/files/%C0%AE./x'),
  bad('overlong slash %C0%AF', '/files/open/..%C0%AFx'),
  bad('overlong 3-byte %E0%80%AE', '/files/%E0%80%AE%E0%80%AE/x'),
  bad('overlong backslash %C1%9C', '/files/open/..%C1%9Cx'),
  bad('empty segment //', '/files/open//x'),
  bad('leading empty segment', '/files//open/x'),
  bad('encoded empty segment %2F%2F', '/files/open%2F%2Fx'),
  bad('../ after mount with encoded slash', '/files/%2F..%2Fx'),
  c('double-encoded %252e%252e stays literal (decoded once)', get('/files/open/%252e%252e/x'), 307, null),
  // GET on a folder is a listing (docs/transfers.md): `list` is decided on the folder key without
  // its slash; the root of a prefix-less mount has no such key, so a policy cannot grant it.
  c('trailing slash is a folder listing', get('/files/open/a/'), 200, null),
  c('mount root is not listable under a policy', get('/files/'), 401, 'unauthorized'),
  c('mount without slash is the root', get('/files'), 401, 'unauthorized'),
  c('DELETE on a folder', request('DELETE', '/files/open/a/', []), 400, 'folder_key'),
];

const control: Case[] = [
  bad('%00 NUL', '/files/open/a%00b'),
  bad('%00 at end', '/files/open/a.txt%00.png'),
  bad('%01', '/files/open/a%01'),
  bad('%0A LF', '/files/open/a%0Ab'),
  bad('%0D%0A CRLF (log/header injection)', '/files/open/a%0D%0ASet-Cookie:x=1'),
  bad('%09 TAB', '/files/open/a%09b'),
  bad('%1B ESC (terminal injection)', '/files/open/a%1B%5B31mred'),
  bad('%1F', '/files/open/a%1F'),
  bad('%7F DEL', '/files/open/a%7F'),
  bad('%C2%80 C1 control', '/files/open/a%C2%80'),
  bad('%C2%9F C1 control', '/files/open/a%C2%9F'),
  bad('%C2%85 NEL', '/files/open/a%C2%85b'),
  c('raw NUL in request line', get('/files/open/a\u0000b'), 400, 'bad_request'),
  c('raw TAB in request line', get('/files/open/a\tb'), 400, 'bad_request'),
  c('raw DEL in request line', get('/files/open/a\u007fb'), 400, 'bad_request'),
  c('raw CR in request line', get('/files/open/a\rb'), 400, 'bad_request'),
  c('raw ESC in request line', get('/files/open/a\u001bb'), 400, 'bad_request'),
  c('raw space splits the request line', get('/files/open/a b'), 400, 'bad_request'),
];

const utf8: Case[] = [
  bad('%FF', '/files/open/%FF'),
  bad('%FE%FF', '/files/open/%FE%FF'),
  bad('lone continuation %80', '/files/open/%80'),
  bad('truncated 2-byte %C3', '/files/open/%C3'),
  bad('bad continuation %C3%28', '/files/open/%C3%28'),
  bad('truncated 3-byte %E2%82', '/files/open/%E2%82'),
  bad('UTF-16 surrogate %ED%A0%80', '/files/open/%ED%A0%80'),
  bad('above U+10FFFF %F4%90%80%80', '/files/open/%F4%90%80%80'),
  bad('5-byte form %F8%88%80%80%80', '/files/open/%F8%88%80%80%80'),
  bad('overlong NUL %C0%80', '/files/open/a%C0%80'),
  // Node's parser refuses any byte above 0x7f in the request target, valid UTF-8 or not.
  c('raw 0xFF byte (parser)', get('/files/open/\u00ff'), 400, 'bad_request'),
  c('raw lone 0xC3 byte (parser)', get('/files/open/\u00c3x'), 400, 'bad_request'),
  c('raw UTF-8 bytes of é (parser: must be percent-encoded)', get('/files/open/\u00c3\u00a9.txt'), 400, 'bad_request'),
  c('percent-encoded é is a valid key', get('/files/open/%C3%A9.txt'), 307, null),
  c('4-byte emoji is a valid key', get('/files/open/%F0%9F%98%80'), 307, null),
];

const percent: Case[] = [
  bad('lone %', '/files/open/a%'),
  bad('%2 (one digit)', '/files/open/a%2'),
  bad('%zz', '/files/open/%zz'),
  bad('%G0', '/files/open/%G0'),
  bad('%2g', '/files/open/%2g'),
  bad('%%', '/files/open/%%'),
  bad('%%32%65 (nested)', '/files/open/%%32%65'),
  bad('%u002e (IIS style)', '/files/open/%u002e%u002e'),
  bad('% then space-less end', '/files/open/100%'),
  bad('%-1', '/files/open/%-1'),
];

const MAX_URL = 8 * 1024;
const keyOf = (bytes: number) => `/files/open/${'k'.repeat(bytes - 'open/'.length)}`;
const limits: Case[] = [
  c('key of exactly 1024 bytes', get(keyOf(1024)), 307, null),
  bad('key of 1025 bytes', keyOf(1025)),
  bad('key of 1025 bytes spelled with 2-byte chars', `/files/open/${'%C3%A9'.repeat(510)}x`),
  bad('key of 4000 bytes', keyOf(4000)),
  c('URL of exactly 8 KiB (key too long, so 400, not 414)', get(`/files/open/${'a'.repeat(MAX_URL - '/files/open/'.length)}`), 400, 'invalid_key'),
  c('URL just over 8 KiB', get(`/files/open/${'a'.repeat(MAX_URL)}`), 414, 'uri_too_long'),
  c('URL over 8 KiB through the query string', get(`/files/open/x?${'q'.repeat(MAX_URL)}`), 414, 'uri_too_long'),
  c('URL over 8 KiB outside any mount', get(`/${'z'.repeat(MAX_URL)}`), 414, 'uri_too_long'),
  c('URL of 20 KiB: parser header overflow', get(`/files/open/${'a'.repeat(20 * 1024)}`), 431, 'bad_request'),
  c('one 20 KiB header', get('/files/open/x', [`X-Big: ${'b'.repeat(20 * 1024)}`]), 431, 'bad_request'),
  c('400 headers of 60 bytes', get('/files/open/x', Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'h'.repeat(50)}`)), 431, 'bad_request'),
  c('one 20 KiB cookie', get('/files/open/x', [`Cookie: a=${'c'.repeat(20 * 1024)}`]), 431, 'bad_request'),
];

const uploads: Case[] = [
  c('PUT without Content-Length', put('/files/open/u'), 411, 'length_required'),
  c('PUT chunked', put('/files/open/u', ['Transfer-Encoding: chunked'], '3\r\nabc\r\n0\r\n\r\n'), 411, 'length_required'),
  // python requests sends an empty file that way: a 0-byte upload (src/body-uploads/plan.ts).
  c('PUT chunked, empty', put('/files/open/u', ['Transfer-Encoding: chunked'], '0\r\n\r\n'), 200, null),
  c('PUT chunked with Expect: 100-continue', put('/files/open/u', ['Transfer-Encoding: chunked', 'Expect: 100-continue']), 411, 'length_required'),
  c('PUT Transfer-Encoding: gzip, chunked', put('/files/open/u', ['Transfer-Encoding: gzip, chunked'], '0\r\n\r\n'), 411, 'length_required'),
  c('PUT chunked and Content-Length (smuggling shape)', put('/files/open/u', ['Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), 400, 'bad_request'),
  c('Content-Length: -1', put('/files/open/u', ['Content-Length: -1', 'Expect: 100-continue']), 400, 'bad_request'),
  c('Content-Length: abc', put('/files/open/u', ['Content-Length: abc', 'Expect: 100-continue']), 400, 'bad_request'),
  c('Content-Length: 1.5', put('/files/open/u', ['Content-Length: 1.5', 'Expect: 100-continue']), 400, 'bad_request'),
  c('Content-Length: 0x10', put('/files/open/u', ['Content-Length: 0x10', 'Expect: 100-continue']), 400, 'bad_request'),
  c('Content-Length: 1e3', put('/files/open/u', ['Content-Length: 1e3', 'Expect: 100-continue']), 400, 'bad_request'),
  c('Content-Length: +5', put('/files/open/u', ['Content-Length: +5', 'Expect: 100-continue']), 400, 'bad_request'),
  c('two different Content-Lengths', put('/files/open/u', ['Content-Length: 5', 'Content-Length: 6', 'Expect: 100-continue']), 400, 'bad_request'),
  c('two equal Content-Lengths', put('/files/open/u', ['Content-Length: 5', 'Content-Length: 5', 'Expect: 100-continue']), 400, 'bad_request'),
  c('Content-Length list "5, 5"', put('/files/open/u', ['Content-Length: 5, 5', 'Expect: 100-continue']), 400, 'bad_request'),
  c('Content-Length of 17 digits', put('/files/open/u', ['Content-Length: 12345678901234567', 'Expect: 100-continue']), 400, 'invalid_content_length'),
  c('Content-Length 5 GiB + 1', put('/files/open/u', [`Content-Length: ${5 * 1024 ** 3 + 1}`, 'Expect: 100-continue']), 413, 'too_large'),
  c('Content-Length exactly 5 GiB', put('/files/open/u', [`Content-Length: ${5 * 1024 ** 3}`, 'Expect: 100-continue']), 307, null),
  c('over the policy maxSize (1000)', put('/files/inbox/u', ['Content-Length: 1001', 'Expect: 100-continue']), 413, 'too_large'),
  c('at the policy maxSize', put('/files/inbox/u', ['Content-Length: 1000', 'Expect: 100-continue']), 307, null),
  c('invalid Content-Type', put('/files/open/u', ['Content-Length: 1', 'Content-Type: not a type', 'Expect: 100-continue']), 400, 'invalid_content_type'),
  c('Content-Type with raw control char', put('/files/open/u', ['Content-Length: 1', 'Content-Type: text/plain\u0001', 'Expect: 100-continue']), 400, 'bad_request'),
  c('If-None-Match other than *', put('/files/open/u', ['Content-Length: 1', 'If-None-Match: "etag"', 'Expect: 100-continue']), 400, 'invalid_if_none_match'),
  c('Expect: 200-ok', put('/files/open/u', ['Content-Length: 1', 'Expect: 200-ok']), 417, 'expectation_failed'),
  c('Expect: 100-continue-ish', put('/files/open/u', ['Content-Length: 1', 'Expect: 100-continueX']), 417, 'expectation_failed'),
  c('Expect on GET', get('/files/open/u', ['Expect: bogus']), 417, 'expectation_failed'),
  c('Expect: 100-continue (ok)', put('/files/open/u', ['Content-Length: 1', 'Expect: 100-continue']), 307, null),
];

const methods: Case[] = [
  c('POST', request('POST', '/files/open/x', ['Content-Length: 0']), 405, 'method_not_allowed'),
  c('PATCH', request('PATCH', '/files/open/x', ['Content-Length: 0']), 405, 'method_not_allowed'),
  c('PROPFIND', request('PROPFIND', '/files/open/x'), 405, 'method_not_allowed'),
  c('TRACE', request('TRACE', '/files/open/x'), 405, 'method_not_allowed'),
  c('MKCOL', request('MKCOL', '/files/open/x'), 405, 'method_not_allowed'),
  c('unknown method FOO (parser)', request('FOO', '/files/open/x'), 400, 'bad_request'),
  c('lowercase get (parser)', request('get', '/files/open/x'), 400, 'bad_request'),
  c('method with NUL (parser)', request('GE\u0000T', '/files/open/x'), 400, 'bad_request'),
  c('OPTIONS is answered by the gateway', request('OPTIONS', '/files/open/x'), 204, null),
  // llhttp accepts a 2.0 version in an HTTP/1 request line; it is answered as HTTP/1.1.
  c('HTTP/2.0 version in an HTTP/1 request line', Buffer.from('GET /files/open/x HTTP/2.0\r\nHost: a\r\n\r\n'), 307, null),
  c('HTTP/9.9 version', Buffer.from('GET /files/open/x HTTP/9.9\r\nHost: a\r\n\r\n'), 400, 'bad_request'),
  c('garbage request line', Buffer.from('\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n', 'latin1'), 400, 'bad_request'),
  c('header without colon', get('/files/open/x', ['NoColonHere']), 400, 'bad_request'),
  c('header name with space', get('/files/open/x', ['Bad Name: x']), 400, 'bad_request'),
  c('obs-fold continuation line', get('/files/open/x', ['X-A: a', ' folded']), 400, 'bad_request'),
];

const targets: Case[] = [
  c('asterisk-form on GET', get('*'), 404, 'not_found'),
  c('asterisk-form OPTIONS', request('OPTIONS', '*'), 404, 'not_found'),
  c('absolute-form to another host', get('http://evil.example/files/open/x'), 307, null),
  c('absolute-form with traversal', get('http://evil.example/files/open/../x'), 400, 'invalid_key'),
  c('network-path //files/x', get('//files/open/x'), 404, 'not_found'),
  c('relative target without /', get('files/open/x'), 400, 'bad_request'),
  c('upper-case /FILES', get('/FILES/open/x'), 404, 'not_found'),
  c('encoded mount /%66iles', get('/%66iles/open/x'), 404, 'not_found'),
  c('mount followed by ..', get('/files/../admin'), 400, 'invalid_key'),
  c('/files.. is not the mount', get('/files../x'), 404, 'not_found'),
  c('query cannot inject signing params', get('/files/open/x?X-Amz-Signature=evil&X-Amz-Expires=604800&response-content-type=text/html'), 307, null),
  c('unknown path', get('/admin'), 404, 'not_found'),
  c('authority-form', get('evil.example:443'), 400, 'bad_request'),
  c('missing Host on HTTP/1.1', Buffer.from('GET /files/open/x HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, 'bad_request'),
  c('HTTP/1.0 without Host', Buffer.from('GET /files/open/x HTTP/1.0\r\n\r\n'), 307, null),
];

const SPOOF = ['Host: evil.example', 'X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: https', 'X-Forwarded-Port: 443', 'X-Forwarded-Prefix: /evil', 'Forwarded: for=1.2.3.4;host=evil.example;proto=https', 'X-Original-URL: /files/home/alice/x', 'X-Rewrite-URL: /files/home/alice/x', 'X-HTTP-Method-Override: DELETE'];
const spoofing: Case[] = [
  ...SPOOF.map((h) => c(`spoofed ${h.split(':')[0]!}`, get('/files/open/spoof', h.startsWith('Host:') ? [h] : ['Host: evil.example', h]), 307, null)),
  c('all spoofing headers at once', get('/files/open/spoof', ['Host: evil.example', ...SPOOF.slice(1)]), 307, null),
  c('X-Original-URL cannot reach a private path', get('/files/public/x', ['X-Original-URL: /files/home/alice/x']), 307, null),
  c('X-HTTP-Method-Override on a read-only path', get('/files/public/x', ['X-HTTP-Method-Override: DELETE']), 307, null),
];

const bearer = (token: string) => [`Authorization: Bearer ${token}`];
const home = '/files/home/alice/x.txt';
const b64 = (s: string) => Buffer.from(s).toString('base64url');
const auth: Case[] = [
  c('anonymous on a private path', get(home), 401, 'unauthorized'),
  c('unknown API key', get(home, bearer(`sp_${'A'.repeat(43)}`)), 401, 'unauthorized'),
  c('unknown API key as Basic password', get(home, [`Authorization: Basic ${Buffer.from(`:sp_${'B'.repeat(43)}`).toString('base64')}`]), 401, 'unauthorized'),
  c('API key of the wrong length', get(home, bearer('sp_short')), 401, 'unauthorized'),
  c('API key with a flipped character', (t) => get(home, bearer(t.aliceKey.slice(0, -1) + (t.aliceKey.endsWith('A') ? 'B' : 'A'))), 401, 'unauthorized'),
  c('Basic that is not base64', get(home, ['Authorization: Basic %%%']), 401, 'unauthorized'),
  c('Basic without a colon', get(home, [`Authorization: Basic ${Buffer.from('nocolon').toString('base64')}`]), 401, 'unauthorized'),
  c('Basic with an empty password', get(home, [`Authorization: Basic ${Buffer.from('alice:').toString('base64')}`]), 401, 'unauthorized'),
  c('Basic with invalid UTF-8', get(home, [`Authorization: Basic ${Buffer.from([0x3a, 0xff, 0xfe]).toString('base64')}`]), 401, 'unauthorized'),
  c('Digest scheme', get(home, ['Authorization: Digest username="alice"']), 401, 'unauthorized'),
  c('empty Authorization', get(home, ['Authorization: ']), 401, 'unauthorized'),
  c('Bearer without token', get(home, ['Authorization: Bearer']), 401, 'unauthorized'),
  c('Bearer with two tokens', get(home, ['Authorization: Bearer a.b.c d.e.f']), 401, 'unauthorized'),
  c('forged JWT (other secret)', (t) => get(home, bearer(t.jwts.forged!)), 401, 'unauthorized'),
  c('expired JWT', (t) => get(home, bearer(t.jwts.expired!)), 401, 'unauthorized'),
  c('JWT not yet valid', (t) => get(home, bearer(t.jwts.future!)), 401, 'unauthorized'),
  c('JWT for another issuer', (t) => get(home, bearer(t.jwts.issuer!)), 401, 'unauthorized'),
  c('JWT for another audience', (t) => get(home, bearer(t.jwts.audience!)), 401, 'unauthorized'),
  c('JWT without exp', (t) => get(home, bearer(t.jwts.noExp!)), 401, 'unauthorized'),
  c('JWT alg none, empty signature', get(home, bearer(`${b64('{"alg":"none","typ":"JWT"}')}.${b64(`{"sub":"alice","iss":"${ISSUER}","aud":"${AUDIENCE}","exp":9999999999}`)}.`)), 401, 'unauthorized'),
  c('JWT alg None with a signature', get(home, bearer(`${b64('{"alg":"None"}')}.${b64('{"sub":"alice","exp":9999999999}')}.c2ln`)), 401, 'unauthorized'),
  c('JWT payload swapped (signature of bob)', (t) => get(home, bearer(`${t.jwts.bob!.split('.')[0]!}.${b64(`{"sub":"alice","iss":"${ISSUER}","aud":"${AUDIENCE}","exp":9999999999}`)}.${t.jwts.bob!.split('.')[2]!}`)), 401, 'unauthorized'),
  c('JWT with garbage parts', get(home, bearer('aaaa.bbbb.cccc')), 401, 'unauthorized'),
  c('JWT header not JSON', get(home, bearer(`${b64('not json')}.${b64('{}')}.x`)), 401, 'unauthorized'),
  c('JWT with alg RS256 (key confusion)', get(home, bearer(`${b64('{"alg":"RS256"}')}.${b64('{"sub":"alice","exp":9999999999}')}.c2ln`)), 401, 'unauthorized'),
  c('oversized token (9 KiB)', get(home, bearer(`${'a'.repeat(3000)}.${'b'.repeat(3000)}.${'c'.repeat(3000)}`)), 401, 'unauthorized'),
  c('oversized token (20 KiB): header overflow', get(home, bearer('a'.repeat(20 * 1024))), 431, 'bad_request'),
  c('valid key, someone else\'s home', (t) => get(home, bearer(t.bobKey)), 403, 'forbidden'),
  c('valid key, own home', (t) => get(home, bearer(t.aliceKey)), 307, null),
  c('valid JWT, own home (its issuer\'s namespace)', (t) => get('/files/home/idp:carol/x', bearer(t.jwts.carol!)), 307, null),
  c('valid JWT whose sub names an API-key user', (t) => get(home, bearer(t.jwts.alice!)), 403, 'forbidden'),
];

const ALL: Case[] = [...traversal, ...control, ...utf8, ...percent, ...limits, ...uploads, ...methods, ...targets, ...spoofing, ...auth];

describeWith('curl', 'apt-get install curl')('hostile input through the running server', () => {
  let pg: PolicyGateway;
  let ctx: Ctx;
  const seen: ParsedResponse[] = [];

  beforeAll(async () => {
    pg = await startPolicyGateway();
    const key = new TextEncoder().encode(HS256_SECRET);
    const other = new TextEncoder().encode('another-secret-entirely-of-32-bytes-or-more!!');
    const now = Math.floor(Date.now() / 1000);
    const sign = (sub: string, opts: { exp?: number; nbf?: number; iss?: string; aud?: string; secret?: Uint8Array } = {}) => {
      let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer(opts.iss ?? ISSUER).setAudience(opts.aud ?? AUDIENCE);
      if (opts.exp !== 0) jwt = jwt.setExpirationTime(opts.exp ?? now + 300);
      if (opts.nbf !== undefined) jwt = jwt.setNotBefore(opts.nbf);
      return jwt.sign(opts.secret ?? key);
    };
    ctx = {
      aliceKey: pg.aliceKey,
      bobKey: pg.bobKey,
      jwts: {
        forged: await sign('alice', { secret: other }),
        expired: await sign('alice', { exp: now - 600 }),
        future: await sign('alice', { nbf: now + 3600 }),
        issuer: await sign('alice', { iss: 'https://evil.example' }),
        audience: await sign('alice', { aud: 'someone-else' }),
        noExp: await sign('alice', { exp: 0 }),
        bob: await sign('bob'),
        carol: await sign('carol'),
        alice: await sign('alice'),
      },
    };
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('has at least 100 cases', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(100);
  });

  it.each(ALL.map((k) => [k.name, k] as const))('%s', async (_name, k) => {
    const res = await sendRaw(pg.gw.url, typeof k.req === 'function' ? k.req(ctx) : k.req);
    seen.push(res);
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(500);
    expect({ status: res.status, code: res.code ?? null }).toEqual({ status: k.status, code: k.code });
    // Every answer, the parser's (400/431 from clientError) and the request guard's (414/417/400) included.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(`${name}: ${res.headers[name.toLowerCase()]}`).toBe(`${name}: ${value}`);
    if (k.code !== null) expect(res.headers['content-type']).toMatch(/^application\/json/);
    if (res.status === 307) {
      // Location comes from configuration (the embedded store's URL), never from request headers.
      const store = pg.gw.running.runtime.store!.url;
      expect(res.headers.location!.startsWith(`${store}/`)).toBe(true);
      expect(res.headers.location).not.toMatch(/evil/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.location!.match(/X-Amz-Signature=/g)).toHaveLength(1);
      // The query's own response-content-type=text/html never reaches the signature (passive keys get their type from the extension).
      expect(res.headers.location).not.toMatch(/X-Amz-Expires=604800|response-content-type=text%2Fhtml/);
    }
  });

  it('spoofed headers never reach the signed key or the Location host', async () => {
    const res = await sendRaw(pg.gw.url, get('/files/public/x', ['Host: evil.example', 'X-Original-URL: /files/home/alice/x']));
    expect(new URL(res.headers.location!).pathname).toMatch(/\/public\/x$/);
  });

  it('a body sent without Expect is never waited for: 413 arrives before the client sends a byte', async () => {
    pg.gw.resetBytes();
    const res = await sendRaw(pg.gw.url, put('/files/inbox/big', ['Content-Length: 100000000']), 3_000);
    expect(res.status).toBe(413);
    expect(pg.gw.bytesReceived()).toBeLessThan(2048);
  });

  it('is still up and answering normally, and logged no 5xx or error', async () => {
    expect((await rawRequest(pg.gw.url, 'GET', '/healthz')).status).toBe(200);
    const ok = await rawRequest(pg.gw.url, 'GET', '/files/open/after', {});
    expect(ok.status).toBe(307);
    // And a real client agrees (curl() never rejects: a missing or failing curl shows in code).
    const cr = await curl(['-o', '/dev/null', '-w', '%{http_code}', `${pg.gw.url}/files/open/after`]);
    expect(cr).toMatchObject({ code: 0, stdout: '307' });
    expect(seen.length).toBe(ALL.length);
    const errors = pg.gw.logLines.filter((l) => /"level":(50|60)|"status":5\d\d/.test(l));
    expect(errors).toEqual([]);
  });
});
