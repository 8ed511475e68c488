/**
 * Upload tickets with a checksum, through real HTTP requests on the app: the SHA-256 (hex or
 * base64, strictly) is signed as `x-amz-checksum-sha256` and returned in `headers` on a mount
 * whose storage verifies it, refused with 422 on one whose storage would not (Ceph RGW 16's
 * shape: an S3 endpoint without `checksumSha256`), and malformed values are 400s.
 * test/e2e/conformance.ts sends the bytes to the embedded store (bound) and to RGW (refused),
 * test/e2e/azurite.test.ts to Azure (refused).
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { Authenticate } from '../../src/http/authenticate';
import type { Decide } from '../../src/policy/types';
import { staticCredentials } from '../../src/signing/credentials';
import type { Mount } from '../../src/storage/mount';
import { createS3Backend } from '../../src/storage/s3-backend';
import { memoryLogger } from '../support/memory-log';

const NOW = new Date('2026-11-23T10:00:00Z');
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const BODY = 'seventeen bytes!!';
const HEX = createHash('sha256').update(BODY).digest('hex');
const BASE64 = createHash('sha256').update(BODY).digest('base64');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const NON_CANONICAL = `${BASE64.slice(0, 42)}${ALPHABET[ALPHABET.indexOf(BASE64[42]!) ^ 1]!}=`;

function makeApp(options: { decide?: Decide; authenticate?: Authenticate } = {}) {
  const backend = (checksumSha256: boolean) =>
    createS3Backend({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials: staticCredentials(CREDS), checksumSha256 });
  const mounts: Mount[] = [
    { path: '/files', bucket: 'signpost', prefix: '', backend: backend(true) },
    { path: '/rgw', bucket: 'signpost', prefix: 'rgw/', backend: backend(false) },
  ];
  return createApp({ mounts, logger: memoryLogger().logger, urlTtl: 300, now: () => NOW, shareKey: 'k'.repeat(40), ...options });
}

const app = makeApp();
const ticket = (res: { body: unknown }) => res.body as { method: string; url: string; headers: Record<string, string>; contentLength: number; error?: string; message?: string };
const signedHeaders = (url: string) => new URL(url).searchParams.get('X-Amz-SignedHeaders');

describe('a ticket with a checksum, where storage verifies it', () => {
  it.each([
    ['hex (sha256sum)', HEX],
    ['HEX in capitals', HEX.toUpperCase()],
    ['base64 (x-amz-checksum-sha256 as S3 spells it)', BASE64],
  ])('X-Upload-Checksum-SHA256 as %s: signed as x-amz-checksum-sha256 (base64), returned in headers, never in the query', async (_name, value) => {
    const res = await request(app).post('/files/a.bin?upload').set('X-Upload-Length', String(BODY.length)).set('X-Upload-Checksum-SHA256', value);
    expect(res.status).toBe(200);
    const t = ticket(res);
    expect(t).toMatchObject({ method: 'PUT', headers: { 'x-amz-checksum-sha256': BASE64 }, contentLength: 17 });
    expect(signedHeaders(t.url)).toBe('content-length;host;x-amz-checksum-sha256');
    expect([...new URL(t.url).searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
  });

  it('the JSON form {"size":17,"checksum":"…"} gives the same URL as the header form, with the other fields signed too', async () => {
    const json = await request(app).post('/files/a.bin?upload').send({ size: 17, checksum: HEX });
    const header = await request(app).post('/files/a.bin?upload').set('X-Upload-Length', '17').set('X-Upload-Checksum-SHA256', BASE64);
    expect(json.status).toBe(200);
    expect(ticket(json).url).toBe(ticket(header).url);
    const all = await request(app).post('/files/b.txt?upload').send({ size: 17, checksum: BASE64, contentType: 'text/plain', createOnly: true });
    expect(ticket(all).headers).toEqual({ 'content-type': 'text/plain', 'if-none-match': '*', 'x-amz-checksum-sha256': BASE64 });
    expect(signedHeaders(ticket(all).url)).toBe('content-length;content-type;host;if-none-match;x-amz-checksum-sha256');
  });

  it('Accept: text/plain gives the URL alone (the client sends x-amz-checksum-sha256 itself)', async () => {
    const res = await request(app).post('/files/a.bin?upload').set('X-Upload-Length', '17').set('X-Upload-Checksum-SHA256', HEX).set('Accept', 'text/plain');
    expect(res.status).toBe(200);
    expect(signedHeaders(res.text.trim())).toBe('content-length;host;x-amz-checksum-sha256');
  });

  const bad: readonly (readonly [string, string])[] = [
    ['63 hex digits', HEX.slice(1)],
    ['65 hex digits', `${HEX}0`],
    ['hex with a non-hex digit', `${HEX.slice(1)}g`],
    ['hex with a prefix', `sha256:${HEX}`],
    ['hex with a space inside', `${HEX.slice(0, 32)} ${HEX.slice(32)}`],
    ['base64 without its padding', BASE64.slice(0, -1)],
    ['base64url', BASE64.replace(/\+/g, '-').replace(/\//g, '_').replace(/^./, '-')],
    ['base64 of 31 bytes', createHash('sha256').update(BODY).digest().subarray(1).toString('base64')],
    ['non-canonical base64 (an unused bit set: decodes to the same bytes)', NON_CANONICAL],
    ['two values', `${HEX}, ${HEX}`],
    ['empty', ''],
  ];

  it('the non-canonical spelling really decodes to the same digest (so only canonicality refuses it)', () => {
    expect(NON_CANONICAL).not.toBe(BASE64);
    expect(Buffer.from(NON_CANONICAL, 'base64').toString('hex')).toBe(HEX);
  });

  it.each(bad)('a malformed checksum (%s) -> 400 invalid_checksum, in the header and in JSON', async (_name, value) => {
    const header = await request(app).post('/files/a.bin?upload').set('X-Upload-Length', '17').set('X-Upload-Checksum-SHA256', value);
    expect([header.status, ticket(header).error]).toEqual([400, 'invalid_checksum']);
    const json = await request(app).post('/files/a.bin?upload').send({ size: 17, checksum: value });
    expect([json.status, ticket(json).error]).toEqual([400, 'invalid_checksum']);
  });

  // (A header's surrounding spaces are HTTP whitespace, gone before the gateway sees them; a JSON string's are not.)
  it.each([[123], [null], [{ sha256: HEX }], [[HEX]], [` ${HEX}`], [`${BASE64}\n`]])('"checksum": %j -> 400', async (value) => {
    const res = await request(app).post('/files/a.bin?upload').send({ size: 17, checksum: value });
    expect([res.status, ticket(res).error]).toEqual([400, 'invalid_checksum']);
  });

  it('the header without X-Upload-Length (a JSON ticket) -> 400 naming where the checksum goes', async () => {
    const res = await request(app).post('/files/a.bin?upload').set('X-Upload-Checksum-SHA256', HEX).send({ size: 17 });
    expect(res.status).toBe(400);
    expect(ticket(res).message).toMatch(/"checksum"/);
  });

  it('the policy decides first: anonymous and denied -> 401; over maxSize -> 413', async () => {
    const deny = makeApp({ decide: () => ({ effect: 'deny', rule: null, reason: 'no' }) });
    expect((await request(deny).post('/files/a.bin?upload').set('X-Upload-Length', '17').set('X-Upload-Checksum-SHA256', HEX)).status).toBe(401);
    const small = makeApp({ decide: () => ({ effect: 'allow', rule: 'small', constraints: { maxSize: 10 } }) });
    expect((await request(small).post('/files/a.bin?upload').set('X-Upload-Length', '17').set('X-Upload-Checksum-SHA256', HEX)).status).toBe(413);
  });
});

describe('a ticket with a checksum, where storage cannot verify it', () => {
  it.each([
    ['the header form', (r: request.Test) => r.set('X-Upload-Length', '17').set('X-Upload-Checksum-SHA256', HEX)],
    ['the JSON form', (r: request.Test) => r.send({ size: 17, checksum: BASE64 })],
  ])('%s -> 422 checksum_unsupported naming the mount, and no URL', async (_name, ask) => {
    const res = await ask(request(app).post('/rgw/a.bin?upload'));
    expect(res.status).toBe(422);
    expect(ticket(res)).toEqual({ error: 'checksum_unsupported', message: expect.stringMatching(/^the storage behind \/rgw \(s3\) cannot verify a SHA-256/) as unknown });
  });

  it('a malformed checksum is still a 400 there (the value is checked before the mount is)', async () => {
    expect((await request(app).post('/rgw/a.bin?upload').set('X-Upload-Length', '17').set('X-Upload-Checksum-SHA256', 'nope')).status).toBe(400);
  });

  it('a ticket without a checksum works as before', async () => {
    const res = await request(app).post('/rgw/a.bin?upload').set('X-Upload-Length', '17');
    expect(res.status).toBe(200);
    expect(ticket(res).headers).toEqual({});
  });
});
