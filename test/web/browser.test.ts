/**
 * The browser UI end to end: the real gateway (policy + API keys, embedded store), the page
 * built with esbuild into a temp dir, served by webRoutes in a small composition (what app.ts
 * will do), driven by Debian's Chromium through playwright-core. Screenshots: test-artifacts/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/auth';
import { buildWeb } from '../../src/web/build';
import { webRoutes } from '../../src/web/route';
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
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

describeWith('chromium', 'apt-get install chromium')('the browser UI (Chromium)', () => {
  let gw: TestGateway;
  let dir: string;
  let server: Server;
  let base: string;
  let browser: Browser;
  const small = Buffer.from('hello from the browser\n');
  const big = randomBytes(50 * 1000 * 1000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-web-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(dir, 'signpost.yaml'), stringify({ policy, auth: { apiKeys: [alice.entry] } }));
    writeFileSync(join(dir, 'hello.txt'), small);
    writeFileSync(join(dir, 'big.bin'), big);
    gw = await startGateway({ env: { SIGNPOST_CONFIG: join(dir, 'signpost.yaml') } });
    await buildWeb(join(dir, 'web'));
    // 16 MiB so the 50 MB file takes the multipart path (7 parts, 4 in parallel) and the small one a ticket.
    const web = webRoutes({ dir: join(dir, 'web'), mounts: gw.running.runtime.mounts, multipartThreshold: 16 * 1024 * 1024 });
    const app = gw.running.runtime.app;
    server = createServer((req, res) => web(req, res, () => app(req, res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
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

  it('signs in, uploads, lists, downloads, shares, deletes; shows a 403 for a forbidden folder', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    // Expected refusals (401 anonymous, 403 someone else's folder) show up as failed loads; anything else (CSP violations, 404s, script errors) is a problem.
    page.on('console', (m) => m.type() === 'error' && !/status of 40[13] /.test(m.text()) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));

    const res = await page.goto(`${base}/#/files/home/alice/`);
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
    await page.goto(`${base}/#/files/home/bob/`);
    await text(page.locator('#status'), /not allowed/i);
    await page.setInputFiles('#pick', [join(dir, 'hello.txt')]);
    const refused = page.locator('#uploads li[data-name="hello.txt"]');
    await eventually(async () => expect(await refused.getAttribute('data-state')).toBe('error'));
    await text(refused.locator('.msg'), /not allowed/i);
    await page.screenshot({ path: join(ARTIFACTS, 'web-forbidden.png'), fullPage: true });

    // Phone width.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${base}/#/files/home/alice/`);
    await row(page, 'home/alice/big.bin').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'web-375.png'), fullPage: true });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);

    expect(problems).toEqual([]);
    await context.close();
  });
});
