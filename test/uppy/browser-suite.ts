/**
 * Stock Uppy in Chromium against the running gateway, as a suite for any storage (the embedded
 * store: uppy-browser.test.ts; Ceph RGW: uppy-browser-rgw.test.ts). The page (page/main.ts) is
 * bundled here with esbuild from @uppy/core and @uppy/aws-s3 and served from its own origin, so
 * every gateway call is a real cross-origin request; playwright-core drives Debian's Chromium.
 *
 * Cases: a 1 MB file (a POST form) and a 120 MB file (multipart, 5 MiB parts) land at the
 * folder's keys with the same bytes; another user's folder (403 from the policy), a multipart
 * upload over the rule's maxSize (413 at Complete) and a form over it (refused by storage) end
 * in Uppy's error; a part request whose key was tampered with in flight is refused (403).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import type { TestGateway } from '../support/gateway';
import { alice } from '../support/uppy';
import type { Outcome, UploadOptions, UppyUpload } from './page-types';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const HTML = '<!doctype html><meta charset="utf-8"><title>Uppy to Signpost</title><input type="file" id="pick" multiple><pre id="out"></pre><script src="/main.js"></script>';

export interface BrowserTarget {
  readonly gateway: TestGateway;
  stop(): Promise<void>;
}

/** Starts the page server first (its origin goes into the gateway's CORS), then `start`. */
export function uppyBrowserSuite(name: string, start: (pageOrigin: string) => Promise<BrowserTarget>): void {
  let dir: string;
  let server: Server;
  let origin: string;
  let target: BrowserTarget;
  let browser: Browser;
  let page: Page;
  const file = (fname: string) => join(dir, 'files', fname);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-uppy-page-'));
    mkdirSync(join(dir, 'files'));
    mkdirSync(ARTIFACTS, { recursive: true });
    await build({ entryPoints: [join(__dirname, 'page', 'main.ts')], outfile: join(dir, 'main.js'), bundle: true, format: 'iife', platform: 'browser', target: ['chrome110'], logLevel: 'error' });
    writeFileSync(file('small.bin'), randomBytes(1000 * 1000));
    writeFileSync(file('big.bin'), randomBytes(120 * 1000 * 1000));
    writeFileSync(file('six.bin'), randomBytes(6 * 1024 * 1024));
    writeFileSync(file('three-k.bin'), randomBytes(3000));
    server = createServer((req, res) => {
      const script = req.url === '/main.js';
      res.setHeader('Content-Type', script ? 'text/javascript' : 'text/html; charset=utf-8');
      if (script) createReadStream(join(dir, 'main.js')).pipe(res);
      else res.end(HTML);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    target = await start(origin);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${origin}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await target?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const endpointFor = async (key: string): Promise<string> => {
    const res = await fetch(`${target.gateway.url}/uppy/session`, { method: 'POST', headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).toBe(201);
    return `${target.gateway.url}${((await res.json()) as { endpoint: string }).endpoint}`;
  };
  const upload = async (files: string[], options: UploadOptions): Promise<Outcome[]> => {
    await page.setInputFiles('#pick', files.map(file));
    const outcomes = await page.evaluate((o) => (globalThis as unknown as { uppyUpload: UppyUpload }).uppyUpload(o), options);
    return outcomes.sort((a, b) => a.name.localeCompare(b.name));
  };
  /** A GET through the gateway as alice; the 307 is followed by hand, so a missing redirect fails here, not as a storage error. */
  const getThrough = async (path: string): Promise<Response> => {
    const redirect = await fetch(`${target.gateway.url}${path}`, { headers: { Authorization: `Bearer ${alice.key}` }, redirect: 'manual' });
    expect(redirect.status).toBe(307);
    return fetch(redirect.headers.get('location')!);
  };
  /** sha256 of an object read through the gateway, streamed. */
  const sha256Through = async (path: string): Promise<string> => {
    const res = await getThrough(path);
    expect(res.status).toBe(200);
    const hash = createHash('sha256');
    for await (const chunk of res.body! as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  };
  const sha256Of = async (fname: string): Promise<string> => {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file(fname))) hash.update(chunk as Buffer);
    return hash.digest('hex');
  };

  describe(`stock Uppy (@uppy/aws-s3) in Chromium (${name})`, () => {
    it('uploads a 1 MB file (POST form) and a 120 MB file (multipart) with the same bytes', async () => {
      const outcomes = await upload(['big.bin', 'small.bin'], { endpoint: await endpointFor(alice.key), folder: '/files/home/alice/uppy' });
      expect(outcomes.map((o) => [o.name, o.ok, o.key])).toEqual([
        ['big.bin', true, 'home/alice/uppy/big.bin'],
        ['small.bin', true, 'home/alice/uppy/small.bin'],
      ]);
      expect(outcomes[0]?.location).toBe('/files/home/alice/uppy/big.bin'); // multipart: the gateway path
      expect(outcomes[1]?.location).toMatch(/\/home\/alice\/uppy\/small\.bin$/); // a form: Uppy's own storage URL
      expect(await sha256Through('/files/home/alice/uppy/small.bin')).toBe(await sha256Of('small.bin'));
      expect(await sha256Through('/files/home/alice/uppy/big.bin')).toBe(await sha256Of('big.bin'));
      await page.screenshot({ path: join(ARTIFACTS, `uppy-${name}.png`) });
    });

    it("another user's folder: the policy's 403 is Uppy's error", async () => {
      const [outcome] = await upload(['small.bin'], { endpoint: await endpointFor(alice.key), folder: '/files/home/bob' });
      expect([outcome?.name, outcome?.ok]).toEqual(['small.bin', false]);
      expect(outcome?.error).toMatch(/Forbidden/);
      expect(await page.textContent('#out')).toMatch(/small\.bin: failed: .*Forbidden/);
    });

    it("over the rule's maxSize: 413 at Complete (multipart), refused by storage (form)", async () => {
      const endpoint = await endpointFor(alice.key);
      const [multipart] = await upload(['six.bin'], { endpoint, folder: '/files/small', multipartOver: 0 });
      expect(multipart?.ok).toBe(false);
      expect(multipart?.error).toMatch(/Payload Too Large/);
      const [form] = await upload(['three-k.bin'], { endpoint, folder: '/files/small' });
      expect(form?.ok).toBe(false);
      expect(form?.error).toMatch(/network error/); // Uppy's words for a 4xx from storage
      for (const f of ['six.bin', 'three-k.bin']) expect((await getThrough(`/files/small/${f}`)).status).toBe(404);
    });

    it('a part request tampered with in flight (another key) is refused', async () => {
      await page.route('**/s3/multipart/*/*?*', (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set('key', 'home/bob/stolen.bin');
        return route.continue({ url: url.href });
      });
      try {
        const [outcome] = await upload(['six.bin'], { endpoint: await endpointFor(alice.key), folder: '/files/home/alice', multipartOver: 0 });
        expect(outcome?.ok).toBe(false);
        expect(outcome?.error).toMatch(/Forbidden/);
      } finally {
        await page.unrouteAll();
      }
    });
  });
}
