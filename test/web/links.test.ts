/**
 * Browser links to stored files, in Debian's Chromium (playwright-core): files uploaded the
 * README's way (`curl -L --upload-file`, no Content-Type, so storage holds binary/octet-stream)
 * open in the browser with their type, and HTML (or a .png that is really HTML) never renders:
 * it downloads. The real server (createApp behind startServer) with the zero-config embedded
 * store; the browser follows the gateway's 307 to the store like any link click.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { curlStatus } from '../support/curl';
import { startGateway, type TestGateway } from '../support/gateway';
import { describeWith } from '../support/require-tool';

const PDF = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const HTML = '<!doctype html><title>ran</title><p>active content</p>';

describeWith('chromium', 'apt-get install chromium')('browser links (Chromium)', () => {
  let gw: TestGateway;
  let dir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const url = (key: string) => `${gw.url}/files/links/${key}`;

  beforeAll(async () => {
    gw = await startGateway();
    dir = mkdtempSync(join(tmpdir(), 'signpost-links-'));
    const upload = async (key: string, body: string | Buffer, headers: string[] = []) => {
      const path = join(dir, key);
      writeFileSync(path, body);
      expect(await curlStatus(['-L', ...headers, '--upload-file', path, url(key)])).toBe(200);
    };
    await upload('report.pdf', PDF);
    await upload('photo.png', PNG);
    await upload('notes.txt', 'plain words\n');
    await upload('page.html', HTML, ['-H', 'Content-Type: text/html']);
    await upload('fake.png', HTML, ['-H', 'Content-Type: text/html']);
    browser = await launchChromium();
    context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Navigates; returns what the page shows, or the file name when the browser downloads instead. */
  const open = async (target: string): Promise<{ shown: string } | { downloaded: string }> => {
    const downloading = page.waitForEvent('download', { timeout: 10_000 }).catch(() => null);
    try {
      const res = await page.goto(target);
      expect(res?.status()).toBe(200);
      return { shown: await page.evaluate<string>('document.contentType') };
    } catch (err) {
      if (!/Download is starting/.test((err as Error).message)) throw err;
      const download = await downloading;
      return { downloaded: download?.suggestedFilename() ?? '(no download event)' };
    }
  };

  it.each([
    ['report.pdf', 'application/pdf'],
    ['photo.png', 'image/png'],
    ['notes.txt', 'text/plain'],
    ['fake.png', 'image/png'], // stored as text/html: shown as an (undecodable) image, never a page
  ])('a link to %s opens in the browser as %s', async (key, type) => {
    expect(await open(url(key))).toEqual({ shown: type });
  });

  it('the PNG really renders, and the text file shows its words', async () => {
    await page.goto(url('photo.png'));
    expect(await page.evaluate('document.images[0] ? document.images[0].naturalWidth : 0')).toBe(1);
    await page.goto(url('notes.txt'));
    expect((await page.evaluate<string>('document.body.innerText')).trim()).toBe('plain words');
  });

  it('HTML downloads instead of rendering: a plain link, ?inline, and an anonymous share link', async () => {
    expect(await open(url('page.html'))).toEqual({ downloaded: 'page.html' });
    expect(await open(`${url('page.html')}?inline`)).toEqual({ downloaded: 'page.html' });
    const share = await fetch(`${url('page.html')}?share`, { method: 'POST' });
    const { url: link } = (await share.json()) as { url: string };
    expect(link.startsWith(`${gw.url}/files/links/page.html?share=`)).toBe(true);
    const stranger = await browser.newContext({ acceptDownloads: true });
    const strangerPage = await stranger.newPage();
    const downloading = strangerPage.waitForEvent('download');
    await expect(strangerPage.goto(link)).rejects.toThrow(/Download is starting/);
    expect((await downloading).suggestedFilename()).toBe('page.html');
    await stranger.close();
  });

  it('a share link to the PDF opens for someone without credentials', async () => {
    const { url: link } = (await (await fetch(`${url('report.pdf')}?share`, { method: 'POST' })).json()) as { url: string };
    const stranger = await browser.newContext();
    const res = await (await stranger.newPage()).goto(link);
    expect([res?.status(), res?.headers()['content-type']]).toEqual([200, 'application/pdf']);
    await stranger.close();
  });
});
