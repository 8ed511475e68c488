/**
 * Stateless across instances: how Signpost scales past one machine (N instances behind a load
 * balancer, or Lambda, over one object store). Two real server processes (`signpost serve`)
 * with the same configuration in front of the same Ceph RGW bucket; a client may reach either
 * for any step:
 *   - a share link made on one opens on the other (the share key is configuration);
 *   - a multipart upload created on one gets its part URLs, listing and completion from the
 *     other (the upload's state lives in the store, keyed by its uploadId);
 *   - an upload ticket from one is used after that instance has stopped (a presigned URL needs
 *     no gateway at all).
 * What is per instance, by design: rate-limit buckets (and verified-token caches), shown last.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { ROOT, startServerProcess, type ServerProcess } from '../faults/process-support';
import { rawRequest } from '../support/raw-http';
import { createBucket, describeRgw, startRgw, type RgwInstance } from '../support/rgw';

jest.setTimeout(180_000);

const PUBLIC_URL = 'https://files.example.com'; // the load balancer's address, the same for every instance

describeRgw('two gateway instances over one Ceph RGW bucket', () => {
  let rgw: RgwInstance | null = null;
  let dir: string;
  let cli: string;
  let config: Record<string, string>;
  const started: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;

  const start = async (extra: Record<string, string> = {}) => {
    const server = await startServerProcess(mkdtempSync(join(dir, 'data-')), { ...config, ...extra }, cli);
    started.push(server);
    return server;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-stateless-'));
    // Its own build (as scripts/build.mjs builds dist/cli.js), so no other suite's build of dist/ races it.
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    cli = join(mkdtempSync(join(ROOT, 'dist', 'stateless-')), 'cli.js');
    await build({ entryPoints: [join(ROOT, 'src/cli.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'error' });
    rgw = await startRgw();
    if (!rgw) throw new Error('radosgw is not installed');
    const bucket = await createBucket(rgw);
    config = {
      SIGNPOST_BUCKET: bucket,
      AWS_REGION: rgw.region,
      SIGNPOST_S3_ENDPOINT: rgw.endpoint,
      SIGNPOST_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      SIGNPOST_SHARE_KEY: randomBytes(32).toString('base64'),
      SIGNPOST_PUBLIC_URL: PUBLIC_URL,
    };
    [a, b] = await Promise.all([start(), start()]);
  });
  afterAll(async () => {
    for (const s of started) s.child.kill('SIGTERM');
    await Promise.all(started.map((s) => s.exited));
    await rgw?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dirname(cli), { recursive: true, force: true });
  });

  const follow = async (res: Response, init: RequestInit = {}) => {
    expect(res.status).toBe(307);
    return fetch(res.headers.get('location')!, init);
  };
  const upload = async (via: ServerProcess, key: string, body: Buffer) => {
    // As curl does: declare the size, wait for the answer (fetch cannot: Content-Length is not its to set).
    const put = await rawRequest(via.url, 'PUT', `/files/${key}`, { 'Content-Length': String(body.length), Expect: '100-continue' });
    expect(put.status).toBe(307);
    expect((await fetch(String(put.headers.location), { method: 'PUT', body })).status).toBe(200);
  };
  const download = async (via: ServerProcess, key: string) => Buffer.from(await (await follow(await fetch(`${via.url}/files/${key}`, { redirect: 'manual' }))).arrayBuffer());
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  test('a share link made on one instance opens on the other', async () => {
    const content = randomBytes(2048);
    await upload(a, 'shared/report.bin', content);
    const made = await fetch(`${a.url}/files/shared/report.bin?share&ttl=600`, { method: 'POST' });
    expect(made.status).toBe(200);
    const link = (await made.json()) as { url: string; path: string };
    expect(link.url).toBe(`${PUBLIC_URL}${link.path}`); // built on the configured address, not on the instance's
    const opened = await fetch(`${b.url}${link.path}`, { redirect: 'manual' });
    expect(sha(Buffer.from(await (await follow(opened)).arrayBuffer()))).toBe(sha(content));
  });

  test('a multipart upload created on one instance gets its part URLs, listing and completion from the other', async () => {
    const size = 8 * 1024 * 1024 + 4096; // two parts: 8 MiB and 4 KiB
    const content = randomBytes(size);
    const sizeHeader = { 'X-Upload-Length': String(size) };
    const created = await fetch(`${a.url}/files/big/two-parts.bin?uploads`, { method: 'POST', headers: sizeHeader });
    expect(created.status).toBe(201);
    const { uploadId, partSize, partCount } = (await created.json()) as { uploadId: string; partSize: number; partCount: number };
    expect(partCount).toBe(2);
    const q = `uploadId=${encodeURIComponent(uploadId)}`;

    const page = await fetch(`${b.url}/files/big/two-parts.bin?${q}&parts=1-2`, { headers: sizeHeader });
    expect(page.status).toBe(200);
    const { parts } = (await page.json()) as { parts: { partNumber: number; url: string }[] };
    const etags: { partNumber: number; etag: string }[] = [];
    for (const part of parts) {
      const body = content.subarray((part.partNumber - 1) * partSize, part.partNumber * partSize);
      const res = await fetch(part.url, { method: 'PUT', body });
      expect(res.status).toBe(200);
      etags.push({ partNumber: part.partNumber, etag: res.headers.get('etag')!.replace(/"/g, '') });
    }
    const listed = await fetch(`${b.url}/files/big/two-parts.bin?${q}`);
    expect(((await listed.json()) as { parts: { partNumber: number }[] }).parts.map((p) => p.partNumber)).toEqual([1, 2]);
    const done = await fetch(`${b.url}/files/big/two-parts.bin?${q}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...sizeHeader }, body: JSON.stringify({ parts: etags }) });
    expect([done.status, ((await done.json()) as { size: number }).size]).toEqual([200, size]);
    expect(sha(await download(a, 'big/two-parts.bin'))).toBe(sha(content));
  });

  test('an upload ticket from one instance is used after that instance has stopped', async () => {
    const content = randomBytes(4096);
    const ticket = await fetch(`${a.url}/files/after-stop.bin?upload`, { method: 'POST', headers: { 'X-Upload-Length': String(content.length) } });
    expect(ticket.status).toBe(200);
    const { url, headers } = (await ticket.json()) as { url: string; headers: Record<string, string> };
    a.child.kill('SIGTERM');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${a.url}/healthz`)).rejects.toThrow(); // really gone
    expect((await fetch(url, { method: 'PUT', headers, body: content })).status).toBe(200);
    expect(sha(await download(b, 'after-stop.bin'))).toBe(sha(content));
  });

  test('rate limits are per instance: one instance\'s empty bucket does not limit the other', async () => {
    const limited = { SIGNPOST_RATE_LIMIT: '0.01:2' }; // two requests, then one every 100 s
    const [c, d] = await Promise.all([start(limited), start(limited)]);
    const get = async (via: ServerProcess) => (await fetch(`${via.url}/files/shared/report.bin`, { redirect: 'manual' })).status;
    expect([await get(c), await get(c), await get(c)]).toEqual([307, 307, 429]);
    expect(await get(d)).toBe(307);
  });
});
