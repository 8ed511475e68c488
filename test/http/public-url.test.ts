/**
 * Every URL of the gateway's own that it hands out (share links; Git LFS's verify href and
 * documentation_url) is built on one public base (`ctx.publicUrl(req)`, src/http/public-url.ts), never on the
 * request's Host, X-Forwarded-Host or X-Forwarded-Proto. Each gateway below gets the same
 * spoofed headers: the running server answers with its configured publicUrl, else its listening
 * address; an app nobody vouches a base for answers without one. The Lambda doors (the event's
 * domain) are in test/lambda/every-route-by-door.test.ts and request-shape.test.ts.
 */
import { createHash } from 'node:crypto';
import { createApp } from '../../src/app';
import { staticCredentials } from '../../src/signing/credentials';
import { createS3Backend } from '../../src/storage/s3-backend';
import { startGateway, type TestGateway } from '../support/gateway';
import { memoryLogger } from '../support/memory-log';
import { listen, rawRequest } from '../support/raw-http';
import { BUCKET, CREDENTIALS, REGION, startHarness, type Harness } from '../store/helpers';

jest.setTimeout(60_000);

const SPOOFED = { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' };
const LFS_JSON = 'application/vnd.git-lfs+json';
const body = Buffer.from('public base');
const oid = createHash('sha256').update(body).digest('hex');

interface Target {
  readonly url: string;
  stop(): Promise<void>;
}

let harness: Harness;
const targets: Record<'listening' | 'configured' | 'none', Target> = {} as never;
let listeningUrl = '';

beforeAll(async () => {
  const plain: TestGateway = await startGateway();
  listeningUrl = plain.url;
  targets.listening = { url: plain.url, stop: () => plain.stop() };
  const configured = await startGateway({ env: { SIGNPOST_PUBLIC_URL: 'https://files.example.com/gw/' } });
  targets.configured = { url: configured.url, stop: () => configured.stop() };
  // An app served by a bare node:http server: no entry point vouches for any base.
  harness = await startHarness();
  const backend = createS3Backend({ region: REGION, endpoint: harness.store.url, forcePathStyle: true, credentials: staticCredentials(CREDENTIALS), checksumSha256: true });
  const bare = await listen(createApp({ mounts: [{ path: '/files', bucket: BUCKET, prefix: '', backend }], logger: memoryLogger().logger, urlTtl: 60 }));
  targets.none = { url: bare.url, stop: () => bare.close() };
});

afterAll(async () => {
  await Promise.all(Object.values(targets).map((t) => t.stop()));
  await harness?.stop();
});

const CASES = [
  ['the running server, no publicUrl: its listening address', 'listening'],
  ['the running server with publicUrl https://files.example.com/gw/: that, without the slash', 'configured'],
  ['an app no entry point vouches for: no base at all', 'none'],
] as const;
const expectedBase = (which: keyof typeof targets): string | undefined => ({ listening: listeningUrl, configured: 'https://files.example.com/gw', none: undefined })[which];

describe.each(CASES)('%s', (_name, which) => {
  const post = (target: string, headers: Record<string, string>, json?: unknown) =>
    rawRequest(targets[which].url, 'POST', target, { ...SPOOFED, ...headers }, json === undefined ? undefined : JSON.stringify(json));

  test('a share link made with a spoofed Host', async () => {
    const res = await post('/files/doc.txt?share', {});
    expect(res.status).toBe(200);
    const link = JSON.parse(res.body) as { url?: string; path: string };
    const base = expectedBase(which);
    expect(link.url).toBe(base === undefined ? undefined : `${base}${link.path}`);
  });

  test('an LFS batch upload: the verify href (with its token) goes to the base, or is not offered', async () => {
    const res = await post('/lfs/acme/widgets/objects/batch', { 'Content-Type': LFS_JSON, Accept: LFS_JSON }, { operation: 'upload', objects: [{ oid, size: body.length }] });
    expect(res.status).toBe(200);
    const [object] = (JSON.parse(res.body) as { objects: { actions: Record<string, { href: string }> }[] }).objects;
    expect(object!.actions.upload).toBeDefined();
    const base = expectedBase(which);
    expect(object!.actions.verify?.href).toBe(base === undefined ? undefined : `${base}/lfs/acme/widgets/objects/verify`);
    expect(res.body).not.toContain('evil.example');
  });

  test('an LFS error: documentation_url from the base, or absent', async () => {
    const res = await post('/lfs/acme/widgets/objects/batch', { 'Content-Type': LFS_JSON }, { operation: 'sideload', objects: [] });
    expect(res.status).toBe(422);
    const base = expectedBase(which);
    expect((JSON.parse(res.body) as { documentation_url?: string }).documentation_url).toBe(base === undefined ? undefined : `${base}/openapi.json`);
  });
});
