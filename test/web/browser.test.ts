/**
 * The browser UI end to end, on the real server (startServer -> createApp, embedded store) with
 * the page built by esbuild into a temp dir, driven by Debian's Chromium through playwright-core.
 * First what a newcomer sees: a zero-config start opened at `/` (the mount's root listed, an
 * upload appearing there, the keyboard focus on "Upload files…" visible); then a gateway with a
 * policy and API keys. Screenshots: test-artifacts/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/auth';
import { DEFAULT_MULTIPART_THRESHOLD } from '../../src/web/route';
import { buildWeb } from '../../src/web/build';
import { launchChromium } from '../support/chromium';
import { curl } from '../support/curl';
import { startGateway, type TestGateway } from '../support/gateway';
import { describeWith } from '../support/require-tool';

const alice = createApiKey({ subject: 'alice', groups: ['staff'] });
const policy = {
  version: 1,
  rules: [
    { id: 'own-home', paths: ['home/{sub}', 'home/{sub}/**'], actions: '*', principals: 'authenticated', effect: 'allow' },
    { id: 'public', paths: ['public', 'public/**'], actions: ['read', 'list'], principals: '*', effect: 'allow' },
  ],
};
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

describeWith('chromium', 'apt-get install chromium')('the browser UI (Chromium)', () => {
  let open: TestGateway;
  let gw: TestGateway;
  let dir: string;
  let webDir: string;
  let browser: Browser;
  const small = Buffer.from('hello from the browser\n');
  // Just over the page's multipart threshold, so it takes the multipart path (9 parts, 4 in parallel); the small one a ticket.
  const big = randomBytes(DEFAULT_MULTIPART_THRESHOLD + 1_000_000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-web-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(dir, 'signpost.yaml'), stringify({ policy, auth: { apiKeys: [alice.entry] }, corsOrigins: ['*'] }));
    writeFileSync(join(dir, 'hello.txt'), small);
    writeFileSync(join(dir, 'big.bin'), big);
    webDir = join(dir, 'web');
    await buildWeb(webDir);
    open = await startGateway({ webDir });
    gw = await startGateway({ env: { SIGNPOST_CONFIG: join(dir, 'signpost.yaml') }, webDir });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await open?.stop();
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const row = (page: Page, key: string) => page.locator(`tr[data-key="${key}"]`);
  /** Retries an assertion until it passes (playwright-core has no auto-waiting expect). */
  const eventually = async (check: () => Promise<void>, timeout = 10_000): Promise<void> => {
    const end = Date.now() + timeout;
    for (;;) {
      try {
        return await check();
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const text = (l: Locator, re: RegExp) => eventually(async () => expect(await l.textContent()).toMatch(re));
  /** Console errors and page errors; `expected` matches the refusals a test provokes on purpose. */
  const watch = (page: Page, expected?: RegExp): string[] => {
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !(expected?.test(m.text()) ?? false) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    return problems;
  };
  // Page-side code as strings: the tests compile without the DOM library.
  const outline = (page: Page, selector: string) =>
    page.evaluate<string>(`(() => { const s = getComputedStyle(document.querySelector(${JSON.stringify(selector)})); return s.outlineStyle + ' ' + s.outlineWidth; })()`);
  const focused = (page: Page) => page.evaluate<string | null>('document.activeElement && document.activeElement.id');

  it('zero-config, opened at /: lists the mount root, shows the keyboard focus, and an upload appears there', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    const problems = watch(page);
    const listed: string[] = [];
    page.on('response', (r) => r.url().includes('/files/') && r.request().method() === 'GET' && listed.push(`${r.status()} ${new URL(r.url()).pathname}`));

    // A file put at the root by curl is there before the page is opened.
    expect((await curl(['-f', '-L', '--upload-file', join(dir, 'hello.txt'), `${open.url}/files/from-curl.txt`])).code).toBe(0);
    await page.goto(`${open.url}/`);
    await row(page, 'from-curl.txt').waitFor();
    expect(await page.locator('#status').textContent()).toBe('');
    expect(listed).toEqual(['200 /files/']);

    // Keyboard only: Tab reaches the (visually hidden) file input, and its label shows the focus.
    const label = page.locator('label[for="pick"]');
    expect(await label.textContent()).toBe('Upload files…');
    expect(await outline(page, 'label[for="pick"]')).toMatch(/^none /);
    for (let i = 0; i < 20 && (await focused(page)) !== 'pick'; i++) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('pick');
    expect(await outline(page, 'label[for="pick"]')).toBe('solid 3px');
    await page.screenshot({ path: join(ARTIFACTS, 'web-root-focus.png') });

    await page.setInputFiles('#pick', [join(dir, 'hello.txt')]);
    const up = page.locator('#uploads li[data-name="hello.txt"]');
    await eventually(async () => expect(await up.getAttribute('data-state')).toMatch(/done|error/), 30_000);
    expect(await up.locator('.msg').textContent()).toMatch(/^Uploaded to hello\.txt/);
    await row(page, 'hello.txt').waitFor();
    await page.reload();
    await row(page, 'hello.txt').waitFor();
    await row(page, 'from-curl.txt').waitFor();
    expect((await curl(['-f', '-L', `${open.url}/files/hello.txt`])).stdout).toBe(small.toString());

    expect(open.logLines.filter((l) => /"status":4\d\d/.test(l))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('signs in, uploads, lists, downloads, shares, deletes; shows a 403 for a forbidden folder', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    // Expected refusals (401 anonymous, 403 someone else's folder) show up as failed loads; anything else (CSP violations, 404s, script errors) is a problem.
    const problems = watch(page, /status of 40[13] /);

    const res = await page.goto(`${gw.url}/#/files/home/alice/`);
    expect(res?.headers()['content-security-policy']).toContain(`connect-src 'self' ${gw.running.runtime.store!.url.replace(/\/$/, '')}`);
    // Anonymous: the home folder needs a key.
    await text(page.locator('#status'), /sign in/i);

    await page.fill('#token', alice.key);
    await page.click('#signin button[type=submit]');
    await text(page.locator('#status'), /empty/i);

    await page.setInputFiles('#pick', [join(dir, 'hello.txt'), join(dir, 'big.bin')]);
    for (const name of ['hello.txt', 'big.bin']) {
      const up = page.locator(`#uploads li[data-name="${name}"]`);
      await eventually(async () => expect(await up.getAttribute('data-state')).toMatch(/done|error/), 30_000);
      expect(`${name}: ${await up.locator('.msg').textContent()}`).toMatch(/: Uploaded/);
      await text(up.locator('.pct'), /^100 %$/);
      expect(await up.locator('progress').evaluate((p) => (p as unknown as { value: number }).value)).toBe(100);
    }
    await row(page, 'home/alice/hello.txt').waitFor();
    await row(page, 'home/alice/big.bin').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'web-desktop.png'), fullPage: true });

    // Download (signed in: through a 60-second share link) and compare the bytes.
    for (const [name, bytes] of [['big.bin', big], ['hello.txt', small]] as const) {
      const downloading = page.waitForEvent('download');
      await row(page, `home/alice/${name}`).getByRole('button', { name, exact: true }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe(name);
      expect(readFileSync(await download.path()).equals(bytes)).toBe(true);
    }

    // Share: the link appears in a field (clipboard may be denied headless), and opens without credentials.
    await row(page, 'home/alice/hello.txt').getByRole('button', { name: /share link/i }).click();
    const field = row(page, 'home/alice/hello.txt').locator('input.share');
    await eventually(async () => expect(await field.inputValue()).toMatch(/\?share=/));
    const link = await field.inputValue();
    const stranger = await browser.newContext();
    const opened = await stranger.request.get(link);
    expect(opened.status()).toBe(200);
    expect(Buffer.from(await opened.body()).equals(small)).toBe(true);
    await stranger.close();

    // Delete, after confirming.
    page.once('dialog', (d) => void d.accept());
    await row(page, 'home/alice/hello.txt').getByRole('button', { name: /delete/i }).click();
    await row(page, 'home/alice/hello.txt').waitFor({ state: 'detached' });
    await page.reload();
    await row(page, 'home/alice/big.bin').waitFor();
    await row(page, 'home/alice/hello.txt').waitFor({ state: 'detached' });

    // Someone else's folder: the listing says 403 in plain words, and so does an upload next to its file.
    await page.goto(`${gw.url}/#/files/home/bob/`);
    await text(page.locator('#status'), /not allowed/i);
    await page.setInputFiles('#pick', [join(dir, 'hello.txt')]);
    const refused = page.locator('#uploads li[data-name="hello.txt"]');
    await eventually(async () => expect(await refused.getAttribute('data-state')).toBe('error'));
    await text(refused.locator('.msg'), /not allowed/i);
    await page.screenshot({ path: join(ARTIFACTS, 'web-forbidden.png'), fullPage: true });

    // Phone width.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${gw.url}/#/files/home/alice/`);
    await row(page, 'home/alice/big.bin').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'web-375.png'), fullPage: true });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('another origin may call the gateway with the headers the page sends (Chromium accepts the CORS preflights)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Another web site (another origin, loopback too): every request below is cross-origin, with a preflight.
    const site = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    await page.goto(`http://localhost:${(site.address() as AddressInfo).port}/`);
    const call = (path: string, init: { method: string; headers: Record<string, string>; body?: string }) =>
      page.evaluate<string>(
        `fetch(${JSON.stringify(`${gw.url}${path}`)}, ${JSON.stringify(init)}).then(async (r) => r.status + ' ' + (r.headers.get('x-request-id') ? 'id' : 'no-id') + ' ' + (await r.text()).slice(0, 40), (e) => 'failed: ' + e.message)`,
      );
    const auth = { Authorization: `Bearer ${alice.key}` };
    // What main.ts sends for an upload ticket and a multipart upload, and for a listing.
    expect(await call('/files/home/alice/cors.txt?upload', { method: 'POST', headers: { ...auth, 'X-Upload-Length': '3', 'X-Upload-Content-Type': 'text/plain', 'If-None-Match': '*' } })).toMatch(/^200 id \{"method":"PUT"/);
    expect(await call('/files/home/alice/cors.bin?uploads', { method: 'POST', headers: { ...auth, 'X-Upload-Length': '3', 'X-Upload-Content-Type': 'application/octet-stream' } })).toMatch(/^201 id \{/);
    expect(await call('/files/home/alice/?cursor=x', { method: 'GET', headers: { ...auth, Accept: 'application/json' } })).toMatch(/^(200|400) id /);
    expect(await call('/files/home/bob/x.txt?upload', { method: 'POST', headers: { ...auth, 'X-Upload-Length': '3' } })).toMatch(/^403 id /);
    await context.close();
    await new Promise((r) => site.close(r));
  });
});
