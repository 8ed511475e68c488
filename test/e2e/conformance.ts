/**
 * The end-to-end suite: the real server driven by the real curl binary, against a store that
 * really verifies SigV4. One body of cases, run against every store target (the embedded store
 * always; Ceph RGW in the conformance run), so a difference between them shows up as a failure.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cp } from '../../src/cli/cp';
import type { Decide } from '../../src/policy/types';
import { uriEncodeKey } from '../../src/signing/uri-encode';
import { curl, curlStatus, finalHeaders } from '../support/curl';
import { startGateway, type S3Target, type TestGateway } from '../support/gateway';
import { rawRequest } from '../support/raw-http';
import { sha256, sha256File } from '../support/sha256';

export interface StoreTarget {
  readonly name: string;
  /** Returns the S3 target to point the gateway at, or undefined for the embedded store. */
  setup(): Promise<S3Target | undefined>;
  teardown(): Promise<void>;
  /** Longest key (UTF-8 bytes) the store round-trips; default 1000. */
  readonly maxKeyBytes?: number;
  /** Does the store verify a signed x-amz-checksum-sha256 (so the gateway offers checksum tickets)? */
  readonly contentBound: boolean;
}

/** Keys from ceph/s3-tests' special key names and nginx-s3-gateway's test_api.sh, plus limits. */
export const TRICKY_KEYS = [
  'plus+plus',
  'equals=sign',
  'at@sign',
  "'(1)",
  '%bad%file%name%',
  'a space/and more spaces.txt',
  'hash#tag',
  'question?mark',
  'amp&and=eq',
  'b/e.txt',
  'trailing.dot.',
  '日本語のファイル名.txt',
  'Кириллица/файл.txt',
  'עברית.txt',
  'emoji 😀.bin',
  'brackets[1]{2}',
  "quote'single",
  '_',
  '0',
  'x'.repeat(250) + '/' + 'y'.repeat(300) + '/z',
];

// Short-lived URLs for one folder, so expiry is tested through the real gateway and store.
const withShortTtl: Decide = (_p, _a, key) => ({ effect: 'allow', rule: 'test', constraints: key.includes('/short-ttl/') ? { ttl: 1 } : {} });

export function conformanceSuite(target: StoreTarget): void {
  let gw: TestGateway;
  let dir: string;
  let runId: string;
  const url = (key: string) => `${gw.url}/files/${runId}/${uriEncodeKey(key)}`;
  const file = (name: string, content: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(async () => {
    const s3 = await target.setup();
    gw = await startGateway({ decide: withShortTtl, ...(s3 && { s3, env: { SIGNPOST_S3_CHECKSUM_SHA256: String(target.contentBound) } }) });
    dir = mkdtempSync(join(tmpdir(), 'signpost-curl-'));
    runId = `run-${randomBytes(4).toString('hex')}`;
  }, 180_000);

  afterAll(async () => {
    await gw?.stop();
    await target.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it.each([0, 1024])('round trip of %i bytes: upload, download, HEAD, DELETE, then 404', async (size) => {
    const body = randomBytes(size);
    const u = url(`round-trip-${size}.bin`);
    expect(await curlStatus(['-L', '--upload-file', file(`rt-${size}`, body), u])).toBe(200);
    const got = await curl(['-L', '-o', join(dir, `rt-${size}.out`), '-w', '%{http_code}', u]);
    expect(got.stdout).toBe('200');
    expect(await sha256File(join(dir, `rt-${size}.out`))).toBe(sha256(body));
    const head = await curl(['-I', '-L', u]);
    expect(head.stdout).toMatch(new RegExp(`\\r\\ncontent-length: ${size}\\r\\n`, 'i'));
    expect(head.stdout.split('\r\n\r\n').filter(Boolean).at(-1)).toMatch(/^HTTP\/1\.1 200/);
    expect(await curlStatus(['-L', '-X', 'DELETE', u])).toBe(204);
    expect(await curlStatus(['-L', u])).toBe(404);
  });

  it.each([
    ['GET', []],
    ['PUT', ['--upload-file', 'SMALL']], // curl 7.88 sends Expect: 100-continue with every PUT body
    ['DELETE', ['-X', 'DELETE']],
  ])('curl without -L (%s) prints where the file is and says to add -L', async (_method, args) => {
    const u = url('forgot-L.txt');
    const r = await curl([...args.map((a) => (a === 'SMALL' ? file('small', Buffer.from('abc')) : a)), '-w', '%{http_code} %{redirect_url}', u]);
    const [line = '', status = ''] = r.stdout.split('\n');
    const location = status.split(' ')[1];
    expect(status.split(' ')[0]).toBe('307');
    expect(line).toBe(`Redirecting to ${location} (curl: add -L to follow redirects)`);
  });

  it('100 MB: uploads through a redirect with 0 body bytes reaching the gateway, downloads intact', async () => {
    const path = join(dir, 'big.bin');
    const hash = writeRandomFile(path, 100 * 1024 * 1024);
    const u = url('big/100MB.bin');

    gw.resetBytes();
    const probe = await curl(['-o', '/dev/null', '-w', '%{http_code} %{size_upload}', '--upload-file', path, u]);
    expect(probe.stdout).toBe('307 0'); // curl itself reports it sent no body to the gateway
    expect(gw.bytesReceived()).toBeLessThan(1024); // and the gateway's sockets read headers only

    gw.resetBytes();
    expect(await curlStatus(['-L', '--upload-file', path, u])).toBe(200);
    expect(gw.bytesReceived()).toBeLessThan(1024);

    const out = join(dir, 'big.out');
    expect(await curlStatus(['-L', '-o', out, u])).toBe(200);
    expect(await sha256File(out)).toBe(hash);
  }, 120_000);

  it('a PUT sent without Expect: 100-continue is streamed to storage: the body crosses once, storage answers and enforces', async () => {
    const size = 20 * 1024 * 1024;
    const path = join(dir, 'no-expect.bin');
    const hash = writeRandomFile(path, size);
    const u = url('no-expect.bin');
    gw.resetBytes();
    const probe = await curl(['-o', '/dev/null', '-H', 'Expect:', '-H', 'If-None-Match: *', '-H', 'Content-Type: text/plain', '-w', '%{http_code} %{size_upload}', '--upload-file', path, u]);
    expect(probe.stdout).toBe(`200 ${size}`); // no -L: the gateway answered with storage's 200
    expect(gw.bytesReceived()).toBeGreaterThanOrEqual(size);
    expect(gw.bytesReceived()).toBeLessThan(size + 4096); // once, not twice
    // Storage still enforces what was signed: create-only gets storage's own 412 the second time.
    const again = await curl(['-o', '/dev/null', '-H', 'Expect:', '-H', 'If-None-Match: *', '-w', '%{http_code}', '--upload-file', path, u]);
    expect(again.stdout).toBe('412');
    const head = await curl(['-I', '-L', u]);
    expect(head.stdout).toMatch(/\r\ncontent-type: text\/plain\r\n/i);
    const out = join(dir, 'no-expect.out');
    expect(await curlStatus(['-L', '-o', out, u])).toBe(200);
    expect(await sha256File(out)).toBe(hash);
  });

  it('300 MB multipart through the gateway: signpost cp uploads parts in parallel, the download matches', async () => {
    const path = join(dir, 'multipart.bin');
    const size = 300 * 1024 * 1024 + 12345; // 38 parts of 8 MiB, 4 at a time
    const hash = writeRandomFile(path, size);
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const code = await cp(['--quiet', path, url('multipart/big.bin')], { stdout: out, stderr: new PassThrough(), env: {} });
    expect(code).toBe(0);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toMatchObject({ size });
    const downloaded = join(dir, 'multipart.out');
    expect(await curlStatus(['-L', '-o', downloaded, url('multipart/big.bin')])).toBe(200);
    expect(await sha256File(downloaded)).toBe(hash);
  }, 180_000);

  it.each(TRICKY_KEYS)('key %j round-trips', async (key) => {
    const body = `content of ${key}`;
    expect(await curlStatus(['-L', '--upload-file', file('tricky', body), url(key)])).toBe(200);
    expect((await curl(['-L', url(key)])).stdout).toBe(body);
    expect(await curlStatus(['-L', '-X', 'DELETE', url(key)])).toBe(204);
  });

  it('the longest key the store supports round-trips', async () => {
    const key = 'k'.repeat((target.maxKeyBytes ?? 1000) - `${runId}/`.length);
    expect(await curlStatus(['-L', '--upload-file', file('long', 'long key'), url(key)])).toBe(200);
    expect((await curl(['-L', url(key)])).stdout).toBe('long key');
    expect(await curlStatus(['-L', '-X', 'DELETE', url(key)])).toBe(204);
  });

  describe('storage refuses what the URL does not grant, and nothing changes', () => {
    const key = 'guarded.txt';
    beforeAll(async () => {
      expect(await curlStatus(['-L', '--upload-file', file('orig', 'original'), url(key)])).toBe(200);
    });
    afterEach(async () => {
      expect((await curl(['-L', url(key)])).stdout).toBe('original');
    });

    it('a tampered signature gets 403', async () => {
      const location = await locationFor('PUT', url(key), { 'Content-Length': '8' });
      const tampered = location.replace(/(X-Amz-Signature=)([0-9a-f])/, (_m, p: string, c: string) => p + (c === '0' ? '1' : '0'));
      expect(await curlStatus(['--upload-file', file('evil', 'tampered'), tampered])).toBe(403);
    });

    it('an expired URL gets 403', async () => {
      const location = await locationFor('PUT', url(`short-ttl/${key}`), { 'Content-Length': '8' });
      await new Promise((r) => setTimeout(r, 2100));
      expect(await curlStatus(['--upload-file', file('late', 'too late'), location])).toBe(403);
      expect(await curlStatus(['-L', url(`short-ttl/${key}`)])).toBe(404);
    });

    it('a GET URL used for PUT or DELETE gets 403', async () => {
      const location = await locationFor('GET', url(key));
      expect(await curlStatus(['--upload-file', file('evil2', 'replaced'), location])).toBe(403);
      expect(await curlStatus(['-X', 'DELETE', location])).toBe(403);
    });

    it('a body of another size than the signed Content-Length is rejected', async () => {
      const location = await locationFor('PUT', url(key), { 'Content-Length': '4' });
      expect(await curlStatus(['--upload-file', file('longer', 'longer body'), location])).toBeGreaterThanOrEqual(400);
    });

    it('a Content-Type other than the signed one is rejected', async () => {
      const location = await locationFor('PUT', url(key), { 'Content-Length': '8', 'Content-Type': 'text/plain' });
      expect(await curlStatus(['-H', 'Content-Type: image/png', '--upload-file', file('typed', 'png body'), location])).toBe(403);
    });
  });

  it('If-None-Match: * creates once; the second PUT gets 412 and the first body stays', async () => {
    const u = url('create-only.txt');
    expect(await curlStatus(['-L', '-H', 'If-None-Match: *', '--upload-file', file('first', 'first'), u])).toBe(200);
    expect(await curlStatus(['-L', '-H', 'If-None-Match: *', '--upload-file', file('second', 'second'), u])).toBe(412);
    expect((await curl(['-L', u])).stdout).toBe('first');
  });

  it('serves ranges, including suffix ranges', async () => {
    const u = url('ranges.txt');
    const body = 'abcdefghijklmnopqrstuvwxyz'.repeat(10);
    expect(await curlStatus(['-L', '--upload-file', file('ranges', body), u])).toBe(200);
    expect((await curl(['-L', '-r', '0-9', u])).stdout).toBe(body.slice(0, 10));
    expect((await curl(['-L', '-r', '250-', u])).stdout).toBe(body.slice(250));
    expect((await curl(['-L', '-H', 'Range: bytes=-100', u])).stdout).toBe(body.slice(-100));
    expect(await curlStatus(['-L', '-H', 'Range: bytes=1000-2000', u])).toBe(416);
  });

  describe('transfers: tickets, listings, download names, share links', () => {
    it('an upload ticket through the text/plain one-liner, then the file downloads', async () => {
      const path = file('ticket.txt', 'uploaded with a ticket');
      const oneLiner = `curl -sS -o /dev/null -w '%{http_code}' --upload-file "$F" "$(curl -sS -X POST "$GW/files/$K?upload" -H "X-Upload-Length: $(wc -c < "$F" | tr -d ' ')" -H 'Accept: text/plain')"`;
      const res = await sh(oneLiner, { GW: gw.url, F: path, K: `${runId}/ticket%20one.txt` });
      expect(res.stdout).toBe('200');
      expect((await curl(['-L', url('ticket one.txt')])).stdout).toBe('uploaded with a ticket');
    });

    it('a ticket for the wrong size is refused by storage', async () => {
      const res = await curl(['-X', 'POST', `${url('ticket-size.txt')}?upload`, '-H', 'X-Upload-Length: 3', '-H', 'Accept: text/plain']);
      expect(await curlStatus(['--upload-file', file('ticket-size', 'not three bytes'), res.stdout.trim()])).toBeGreaterThanOrEqual(400);
    });

    if (target.contentBound) {
      it('a ticket with a checksum: the documented one-liner stores the file; other bytes of the same size are refused by storage and nothing is stored', async () => {
        const path = file('sum.txt', 'bound to its sha256');
        const oneLiner =
          `curl -sS -o /dev/null -w '%{http_code}' --upload-file "$F" -H "x-amz-checksum-sha256: $(openssl dgst -sha256 -binary "$F" | base64)" ` +
          `"$(curl -sS -X POST "$GW/files/$K?upload" -H "X-Upload-Length: $(wc -c < "$F" | tr -d ' ')" -H "X-Upload-Checksum-SHA256: $(sha256sum "$F" | cut -d' ' -f1)" -H 'Accept: text/plain')"`;
        expect((await sh(oneLiner, { GW: gw.url, F: path, K: `${runId}/sum.txt` })).stdout).toBe('200');
        expect((await curl(['-L', url('sum.txt')])).stdout).toBe('bound to its sha256');

        const right = 'the right bytes';
        const wrong = 'the wrong bytes'; // same size: only the checksum tells them apart
        const ticket = JSON.parse(
          (await curl(['-X', 'POST', `${url('sum-json.txt')}?upload`, '-H', 'Content-Type: application/json', '--data-raw', JSON.stringify({ size: right.length, checksum: sha256(right) })])).stdout,
        ) as { url: string; headers: Record<string, string> };
        expect(ticket.headers).toEqual({ 'x-amz-checksum-sha256': createHash('sha256').update(right).digest('base64') });
        const send = (name: string, body: string, headers: Record<string, string>) =>
          curl(['-sS', '-o', '-', '-w', '\n%{http_code}', '--upload-file', file(name, body), ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), ticket.url]);
        const refused = await send('sum-wrong', wrong, ticket.headers);
        expect(refused.stdout).toMatch(/<Code>BadDigest<\/Code>[\s\S]*\n400$/);
        expect(await curlStatus(['-L', url('sum-json.txt')])).toBe(404);
        expect((await send('sum-unsent', right, {})).stdout).toMatch(/\n403$/); // the header is signed: it must be sent
        expect((await send('sum-right', right, ticket.headers)).stdout).toMatch(/\n200$/);
        expect((await curl(['-L', url('sum-json.txt')])).stdout).toBe(right);
      });
    } else {
      it('a ticket with a checksum is refused (422), since this storage would sign it and store any bytes', async () => {
        for (const args of [
          ['-H', 'X-Upload-Length: 3', '-H', `X-Upload-Checksum-SHA256: ${sha256('abc')}`],
          ['-H', 'Content-Type: application/json', '--data-raw', JSON.stringify({ size: 3, checksum: sha256('abc') })],
        ]) {
          const res = await curl(['-X', 'POST', '-w', '\n%{http_code}', ...args, `${url('sum-refused.txt')}?upload`]);
          const [text = '', status] = res.stdout.split('\n');
          expect(status).toBe('422');
          expect(JSON.parse(text)).toMatchObject({ error: 'checksum_unsupported' });
        }
      });
    }

    it('a listing pages with limit 2 over 5 files and a sub-folder, and lists the sub-folder', async () => {
      for (const n of [1, 2, 3, 4, 5]) expect(await curlStatus(['-L', '--upload-file', file(`l${n}`, `file ${n}`), url(`listing/f${n}.txt`)])).toBe(200);
      expect(await curlStatus(['-L', '--upload-file', file('ls', 'nested'), url('listing/sub/inner.txt')])).toBe(200);
      const names: string[] = [];
      const folders: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const target: string = `${gw.url}/files/${runId}/listing/?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
        const page = JSON.parse((await curl([target])).stdout) as { prefix: string; entries: { name: string; key: string; size: number }[]; folders: { name: string }[]; cursor: string | null };
        expect(page.prefix).toBe(`${runId}/listing/`);
        expect(page.entries.length + page.folders.length).toBeLessThanOrEqual(2);
        names.push(...page.entries.map((e) => e.name));
        folders.push(...page.folders.map((f) => f.name));
        cursor = page.cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(names).toEqual(['f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt']);
      expect(folders).toEqual(['sub']);
      expect(pages).toBe(3);
      const sub = JSON.parse((await curl([`${gw.url}/files/${runId}/listing/sub/`])).stdout) as { entries: { key: string; size: number }[] };
      expect(sub.entries.map((e) => [e.key, e.size])).toEqual([[`${runId}/listing/sub/inner.txt`, 6]]);
      const html = await curl(['-H', 'Accept: text/html', `${gw.url}/files/${runId}/listing/`]);
      expect(html.stdout).toContain('f1.txt?download">f1.txt</a>');
    });

    it('a listing cursor the gateway did not hand out is a 400 invalid_cursor (not a 502, not an empty page), logged as no error', async () => {
      for (const name of ['a.txt', 'b.txt', 'c.txt']) expect(await curlStatus(['-L', '--upload-file', file(`cur-${name}`, name), url(`cursor/${name}`)])).toBe(200);
      const list = async (folder: string, cursor: string): Promise<{ status: number; error?: string; entries?: { name: string }[] }> => {
        const res = await curl(['-w', '\n%{http_code}', `${gw.url}/files/${runId}/${folder}/?limit=1&cursor=${encodeURIComponent(cursor)}`]);
        const [text = '', status = ''] = [res.stdout.slice(0, res.stdout.lastIndexOf('\n')), res.stdout.slice(res.stdout.lastIndexOf('\n') + 1)];
        return { status: Number(status), ...(JSON.parse(text) as { error?: string; entries?: { name: string }[] }) };
      };
      const first = JSON.parse((await curl([`${gw.url}/files/${runId}/cursor/?limit=1`])).stdout) as { cursor: string };
      const errorsBefore = gw.logLines.filter((l) => /"level":(50|60)/.test(l)).length;
      const garbage = [
        'garbage',
        'AAAA',
        `${first.cursor.slice(0, -2)}${first.cursor.endsWith('AA') ? 'BB' : 'AA'}`,
        Buffer.from(`k${runId}/cursor/a.txt`).toString('base64url'), // the embedded store's own token format
        `${runId}/cursor/a.txt`, // a start-after marker, as Ceph RGW would take it
      ];
      for (const cursor of garbage) expect(await list('cursor', cursor)).toMatchObject({ status: 400, error: 'invalid_cursor' });
      expect(await list('listing', first.cursor)).toMatchObject({ status: 400, error: 'invalid_cursor' }); // another folder's cursor
      expect(gw.logLines.filter((l) => /"level":(50|60)/.test(l))).toHaveLength(errorsBefore);
      const second = await list('cursor', first.cursor);
      expect(second).toMatchObject({ status: 200, entries: [{ name: 'b.txt' }] });
    });

    it('a non-ASCII download name comes back from storage as an RFC 6266 Content-Disposition', async () => {
      expect(await curlStatus(['-L', '--upload-file', file('dl', 'download me'), url('dl.txt')])).toBe(200);
      const res = await curl(['-sS', '-L', '-D', '-', '-o', '/dev/null', `${url('dl.txt')}?download=${encodeURIComponent('Résumé 日本.txt')}`]);
      expect(res.stdout).toMatch(/\r\ncontent-disposition: attachment; filename="Resume __\.txt"; filename\*=UTF-8''R%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC\.txt\r\n/i);
    });

    it('a share link opens without credentials and is refused after it expires', async () => {
      expect(await curlStatus(['-L', '--upload-file', file('shared', 'shared body'), url('shared.txt')])).toBe(200);
      const link = JSON.parse((await curl(['-X', 'POST', `${url('shared.txt')}?share&ttl=2`])).stdout) as { url: string; path: string };
      expect(link.url).toBe(`${gw.url}${link.path}`);
      expect((await curl(['-L', link.url])).stdout).toBe('shared body');
      await new Promise((r) => setTimeout(r, 2100));
      expect(await curlStatus(['-L', link.url])).toBe(410);
      const token = link.path.split('share=')[1]!.split('.')[1]!;
      for (const line of gw.logLines) expect(line).not.toContain(token);
    });
  });

  describe('what stored objects are served as (types, attachments, names)', () => {
    it('the Content-Type bypass is refused end to end: nothing is stored', async () => {
      const u = url('bypass.png');
      const res = await curl(['-sS', '-L', '-w', '\n%{http_code}', '-H', 'Content-Type: image/png; x=1, text/html', '--upload-file', file('bypass', '<script>alert(1)</script>'), u]);
      expect(res.stdout).toMatch(/"error":"invalid_content_type".*comma[^]*\n400$/);
      expect(await curlStatus(['-L', u])).toBe(404);
    });

    it.each([
      ['report.pdf', ['--upload-file'], 'binary/octet-stream', 'application/pdf'], // the README's way: no Content-Type
      ['notes.txt', ['--upload-file'], 'binary/octet-stream', 'text/plain; charset=utf-8'],
      ['photo.png', ['-X', 'PUT', '--data-binary'], 'application/x-www-form-urlencoded', 'image/png'],
    ])('%s uploaded with curl %j (stored as %s) is served inline as %s', async (name, how, stored, type) => {
      const u = url(`serve/${name}`);
      const path = file(name, `bytes of ${name}`);
      expect(await curlStatus(['-L', ...how, how.includes('--data-binary') ? `@${path}` : path, u])).toBe(200);
      expect((await finalHeaders(u, ['-I']))['content-type']).toBe(stored); // HEAD: what storage holds
      const h = await finalHeaders(u);
      expect([h.status, h['content-type'], h['content-disposition']]).toEqual(['200', type, undefined]);
    });

    it('HTML downloads (attachment, stored type kept); a .png stored as text/html is still an image', async () => {
      const html = url('serve/page.html');
      expect(await curlStatus(['-L', '-H', 'Content-Type: text/html', '--upload-file', file('page', '<script>1</script>'), html])).toBe(200);
      const h = await finalHeaders(html);
      expect([h['content-type'], h['content-disposition']]).toEqual(['text/html', 'attachment; filename="page.html"']);
      const fake = url('serve/fake.png');
      expect(await curlStatus(['-L', '-H', 'Content-Type: text/html', '--upload-file', file('fake', '<script>1</script>'), fake])).toBe(200);
      expect((await finalHeaders(fake))['content-type']).toBe('image/png');
      expect((await finalHeaders(`${html}?inline`))['content-disposition']).toBe('attachment; filename="page.html"');
    });

    it('the overrides are signed: storage refuses a URL whose response-content-* was changed or removed', async () => {
      const pdf = await locationFor('GET', url('serve/report.pdf'));
      expect(await curlStatus([pdf])).toBe(200);
      expect(await curlStatus([pdf.replace('response-content-type=application%2Fpdf', 'response-content-type=text%2Fhtml')])).toBe(403);
      const html = await locationFor('GET', url('serve/page.html'));
      expect(await curlStatus([html.replace(/&response-content-disposition=[^&]*/, '')])).toBe(403);
    });

    it('download names: the extension is kept, bidi controls refused; a named share link answers with its name', async () => {
      expect(await curlStatus(['-L', `${url('serve/report.pdf')}?download=setup.exe`])).toBe(400);
      expect(await curlStatus(['-L', `${url('serve/report.pdf')}?download=${encodeURIComponent('x\u202Efdp.exe')}`])).toBe(400);
      const link = JSON.parse((await curl(['-X', 'POST', `${url('serve/report.pdf')}?share&download=${encodeURIComponent('Q3 résumé.pdf')}`])).stdout) as { url: string };
      const h = await finalHeaders(link.url);
      expect([h.status, h['content-type'], h['content-disposition']]).toEqual(['200', 'application/pdf', `attachment; filename="Q3 resume.pdf"; filename*=UTF-8''Q3%20r%C3%A9sum%C3%A9.pdf`]);
      expect(await curlStatus(['-L', link.url.replace(/download=[^&]*$/, 'download=setup.exe')])).toBe(403);
    });
  });

  it('no log line carries a signature, credential or presigned URL', () => {
    expect(gw.logLines.length).toBeGreaterThan(20);
    for (const line of gw.logLines) expect(line).not.toMatch(/X-Amz-|Signature|Credential|secret/i);
  });
}

/** Runs a shell one-liner (the documented curl usage) with the given environment. */
function sh(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout, stderr });
    });
  });
}

async function locationFor(method: string, target: string, headers: Record<string, string> = {}): Promise<string> {
  const { origin, pathname } = new URL(target);
  const res = await rawRequest(origin, method, pathname, { ...headers, ...(method === 'PUT' && { Expect: '100-continue' }) });
  expect(res.status).toBe(307);
  return res.headers.location!;
}


/** Writes `size` random bytes in 1 MiB chunks; returns their sha256. */
export function writeRandomFile(path: string, size: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let left = size; left > 0; ) {
      const chunk = randomBytes(Math.min(left, 1024 * 1024));
      hash.update(chunk);
      writeSync(fd, chunk);
      left -= chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
