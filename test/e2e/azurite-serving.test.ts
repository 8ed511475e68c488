/**
 * What Azure serves a stored blob as, end to end with curl against Azurite (which verifies SAS
 * signatures): the gateway signs `rsct` (the type, for passive extensions) and `rscd`
 * (attachment, for everything else) into the SAS, Azure answers with them, and a SAS whose
 * rsct/rscd was changed or removed is refused. The Content-Type grammar holds on Azure too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server';
import { azureMountConfig, startAzurite, type Azurite } from '../support/azurite';
import { curl, curlStatus, finalHeaders } from '../support/curl';
import { memoryLogger } from '../support/memory-log';
import { rawRequest } from '../support/raw-http';
import { describeWith } from '../support/require-tool';

jest.setTimeout(60_000);
const BLOCK = ['-H', 'x-ms-blob-type: BlockBlob'];

describeWith('curl', 'apt-get install curl')('Azure (Azurite): what blobs are served as', () => {
  let azurite: Azurite;
  let running: RunningServer;
  let dir: string;
  const url = (key: string) => `${running.url}/blobs/serve/${key}`;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const locationOf = async (target: string): Promise<string> => {
    const res = await rawRequest(running.url, 'GET', new URL(target).pathname);
    expect(res.status).toBe(307);
    return res.headers.location!;
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    dir = mkdtempSync(join(tmpdir(), 'signpost-azure-serving-'));
    running = await startServer(azureMountConfig(dir, azurite.endpoint, await azurite.createContainer()), { logger: memoryLogger('warn').logger });
    // curl's README way for the passive ones (no Content-Type); the HTML ones with their type.
    for (const name of ['report.pdf', 'notes.txt']) expect(await curlStatus(['-L', ...BLOCK, '--upload-file', file(name, `bytes of ${name}`), url(name)])).toBe(201);
    for (const name of ['page.html', 'fake.png']) expect(await curlStatus(['-L', ...BLOCK, '-H', 'Content-Type: text/html', '--upload-file', file(name, '<script>1</script>'), url(name)])).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await azurite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['report.pdf', 'application/pdf', undefined],
    ['notes.txt', 'text/plain; charset=utf-8', undefined],
    ['fake.png', 'image/png', undefined], // stored as text/html: rsct overrides it
    ['page.html', 'text/html', 'attachment; filename="page.html"'],
    ['page.html?inline', 'text/html', 'attachment; filename="page.html"'],
  ])('GET %s -> Content-Type %s, Content-Disposition %s', async (key, type, disposition) => {
    const h = await finalHeaders(url(key));
    expect([h.status, h['content-type'], h['content-disposition']]).toEqual(['200', type, disposition]);
  });

  it('a share link to HTML downloads too (rscd), and its name is the signed one', async () => {
    const link = JSON.parse((await curl(['-X', 'POST', `${url('page.html')}?share&download=Page.HTML`])).stdout) as { url: string };
    const h = await finalHeaders(link.url);
    expect([h.status, h['content-disposition']]).toEqual(['200', 'attachment; filename="Page.HTML"']);
  });

  it('the SAS binds rsct and rscd: changed or removed, Azure refuses it', async () => {
    const pdf = await locationOf(url('report.pdf'));
    expect(await curlStatus([pdf])).toBe(200);
    expect(await curlStatus([pdf.replace('rsct=application%2Fpdf', 'rsct=text%2Fhtml')])).toBe(403);
    const html = await locationOf(url('page.html'));
    expect(await curlStatus([html])).toBe(200);
    expect(await curlStatus([html.replace(/&rscd=[^&]*/, '')])).toBe(403);
  });

  it('the Content-Type bypass is refused before anything reaches Azure', async () => {
    const res = await curl(['-sS', '-L', '-w', '\n%{http_code}', ...BLOCK, '-H', 'Content-Type: image/png; x=1, text/html', '--upload-file', file('bypass', 'x'), url('bypass.png')]);
    expect(res.stdout).toMatch(/"error":"invalid_content_type"[^]*\n400$/);
    expect(await curlStatus(['-L', url('bypass.png')])).toBe(404);
  });
});
