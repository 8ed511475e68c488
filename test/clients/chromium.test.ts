/**
 * The client matrix for Chromium (Debian's, driven by playwright-core): a page on another
 * loopback origin, allowed by the gateway's corsOrigins, uses fetch() as a web app would: PUT a
 * Uint8Array (streamed to storage by the gateway; the answer carries the gateway's CORS
 * headers), GET/HEAD/DELETE following the 307 to the embedded store (which allows any origin,
 * `null` included, on presigned URLs); and the PUT where the gateway answers it with a 307
 * (bodyUploads: redirect): Chromium re-sends the body to storage. The page computes the sha256s itself (crypto.subtle).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { SIZES, startMatrix, type Matrix } from './harness';
import { launchChromium } from '../support/chromium';
import { describeWith } from '../support/require-tool';

/** In the page: `size` random bytes PUT to `url`; returns the status and the bytes' sha256. */
const PUT = `async ({ url, size }) => {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)));
  const put = await fetch(url, { method: 'PUT', body: data });
  const sha = [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))].map((x) => x.toString(16).padStart(2, '0')).join('');
  return { status: put.status, redirected: put.redirected, sha256: sha };
}`;

/** In the page: GET (with the body's sha256), HEAD (with its Content-Length) and DELETE of `url`. */
const GET_HEAD_DELETE = `async ({ url }) => {
  const get = await fetch(url);
  const sha = [...new Uint8Array(await crypto.subtle.digest('SHA-256', await get.arrayBuffer()))].map((x) => x.toString(16).padStart(2, '0')).join('');
  const head = await fetch(url, { method: 'HEAD' });
  const del = await fetch(url, { method: 'DELETE' });
  return { get: get.status, sha256: sha, head: head.status, length: head.headers.get('content-length'), delete: del.status };
}`;

describeWith('chromium', 'apt-get install chromium')('client: chromium', () => {
  let m: Matrix;
  let pages: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    pages = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end('<!doctype html><title>a web app</title>');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    m = await startMatrix({ SIGNPOST_CORS_ORIGINS: origin });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${origin}/`);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    await m?.stop();
  });

  const inPage = <T>(script: string, arg: Record<string, unknown>): Promise<T> => page.evaluate<T>(`(${script})(${JSON.stringify(arg)})`);

  it.each(SIZES)('%s: PUT, GET, HEAD, DELETE under a unicode key, sha256 compared', async (_label, size) => {
    const key = m.key('chromium', size);
    const url = m.url(key);
    const put = await inPage<{ status: number; redirected: boolean; sha256: string }>(PUT, { url, size });
    expect(put).toMatchObject({ status: 200, redirected: false });
    expect(await m.stored(key)).toBe(put.sha256);
    const rest = await inPage<Record<string, unknown>>(GET_HEAD_DELETE, { url });
    expect(rest).toEqual({ get: 200, sha256: put.sha256, head: 200, length: String(size), delete: 204 });
    expect(await m.stored(key)).toBeNull();
  }, 120_000);

  it.each(SIZES)('%s: PUT where the gateway answers it with 307 (bodyUploads: redirect, as on Lambda): fetch() follows it and sends the body again', async (_label, size) => {
    const key = m.key('chromium-redirected', size);
    const put = await inPage<{ status: number; redirected: boolean; sha256: string }>(PUT, { url: m.url(key, 'redirect'), size });
    expect(put).toMatchObject({ status: 200, redirected: true });
    expect(await m.stored(key, 'redirect')).toBe(put.sha256);
  }, 120_000);
});
