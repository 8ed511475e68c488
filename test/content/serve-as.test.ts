/**
 * What a read signs for storage to answer with: the Content-Type from mime-db for passive
 * extensions, attachment for everything else (active or unknown), the rule's opt-in, and the
 * download-name checks (bidi and control characters, keeping the extension).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mimeDb from 'mime-db';
import { checkDownloadName, checkRename, contentDisposition } from '../../src/content/download-name';
import { extensionOf, PASSIVE_MEDIA_TYPES, passiveTable, passiveTypeFor } from '../../src/content/passive-types';
import { serveAs, ServeModes } from '../../src/content/serve-as';
import lambdaMimeShim from '../../src/lambda/shims/mime-db';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('passive types', () => {
  it.each([
    ['report.pdf', 'application/pdf'],
    ['a/b/photo.PNG', 'image/png'],
    ['x.jpg', 'image/jpeg'],
    ['x.jpeg', 'image/jpeg'],
    ['x.gif', 'image/gif'],
    ['x.webp', 'image/webp'],
    ['x.avif', 'image/avif'],
    ['notes.txt', 'text/plain; charset=utf-8'],
    ['server.log', 'text/plain; charset=utf-8'],
    ['data.csv', 'text/csv; charset=utf-8'],
    ['README.md', 'text/markdown; charset=utf-8'],
    ['data.json', 'application/json; charset=utf-8'],
    ['song.mp3', 'audio/mpeg'],
    ['film.mp4', 'video/mp4'],
    ['clip.webm', 'video/webm'],
    ['clip.mov', 'video/quicktime'],
    ['sound.wav', 'audio/wav'],
  ])('%s -> %s', (key, type) => {
    expect(passiveTypeFor(key)).toBe(type);
  });

  it.each(['page.html', 'page.htm', 'page.xhtml', 'logo.svg', 'feed.xml', 'app.js', 'mod.mjs', 'style.css', 'setup.exe', 'x.bin', 'noextension', 'dir.png/file', 'trailing.', 'x.swf', 'x.xsl', 'mail.eml', 'x.wasm'])('%s is not known passive', (key) => {
    expect(passiveTypeFor(key)).toBeUndefined();
  });

  it('every passive type is a mime-db type with extensions, and none of them is active', () => {
    for (const type of PASSIVE_MEDIA_TYPES) {
      expect([type, mimeDb[type]?.extensions?.length ?? 0]).not.toEqual([type, 0]);
      expect(type).not.toMatch(/html|xml|svg|javascript|ecmascript/);
    }
  });

  it('the Lambda bundle stand-in for mime-db gives the same table (it keeps mime-db\'s entries for these types)', () => {
    const real = JSON.parse(readFileSync(join(__dirname, '../../node_modules/mime-db/db.json'), 'utf8')) as Parameters<typeof passiveTable>[0];
    expect([...passiveTable(lambdaMimeShim)]).toEqual([...passiveTable(real)]);
    expect(passiveTable(real).size).toBeGreaterThan(40);
  });

  it.each([
    ['a.b/c', ''],
    ['a/b.tar.GZ', 'gz'],
    ['.bashrc', 'bashrc'],
    ['x.', ''],
  ])('extensionOf(%j) = %j', (name, ext) => {
    expect(extensionOf(name)).toBe(ext);
  });
});

describe('serveAs', () => {
  const { plain, inline, download } = ServeModes;
  it.each([
    // passive: the type from the extension, always (a .png stored as text/html is still an image)
    ['report.pdf', plain, {}, { responseContentType: 'application/pdf' }],
    ['img/cat.PNG', inline, {}, { responseContentType: 'image/png', responseContentDisposition: 'inline; filename="cat.PNG"' }],
    ['report.pdf', download, {}, { responseContentType: 'application/pdf', responseContentDisposition: 'attachment; filename="report.pdf"' }],
    ['report.pdf', download, { name: 'Q3.pdf' }, { responseContentType: 'application/pdf', responseContentDisposition: 'attachment; filename="Q3.pdf"' }],
    ['report.pdf', plain, { inlineActive: true }, { responseContentType: 'application/pdf' }],
    // active or unknown: an attachment, whatever the mode
    ['site/index.html', plain, {}, { responseContentDisposition: 'attachment; filename="index.html"' }],
    ['logo.svg', inline, {}, { responseContentDisposition: 'attachment; filename="logo.svg"' }],
    ['data.bin', plain, {}, { responseContentDisposition: 'attachment; filename="data.bin"' }],
    ['LICENSE', plain, {}, { responseContentDisposition: 'attachment; filename="LICENSE"' }],
    ['page.html', download, {}, { responseContentDisposition: 'attachment; filename="page.html"' }],
    // the rule's explicit opt-in: served as stored
    ['site/index.html', plain, { inlineActive: true }, {}],
    ['logo.svg', inline, { inlineActive: true }, { responseContentDisposition: 'inline; filename="logo.svg"' }],
    ['page.html', download, { inlineActive: true }, { responseContentDisposition: 'attachment; filename="page.html"' }],
  ] as const)('%s %s %j -> %j', (key, mode, options, expected) => {
    expect(serveAs(key, mode, options)).toEqual(expected);
  });
});

describe('download names', () => {
  it.each([
    ['evil\u202Egpj.exe', 'U+202E right-to-left override'],
    ['a\u202Ab.txt', 'U+202A'],
    ['a\u2066b.txt', 'U+2066 isolate'],
    ['a\u200Fb.txt', 'U+200F RLM'],
    ['a\u061Cb.txt', 'U+061C ALM'],
    ['a\nb.txt', 'LF'],
    ['a\u0000b.txt', 'NUL'],
    ['a\u007Fb.txt', 'DEL'],
    ['a\u0085b.txt', 'C1 NEL'],
    ['a\u2028b.txt', 'line separator'],
    ['a\u200Bb.txt', 'zero-width space'],
    ['a\uFEFFb.txt', 'BOM'],
    ['a\uD800b.txt', 'lone surrogate'],
    ['x'.repeat(256), 'too long'],
  ])('%j (%s) -> 400 invalid_download_name', (name) => {
    expect(thrown(() => checkDownloadName(name))).toMatchObject({ statusCode: 400, code: 'invalid_download_name' });
  });

  it.each(['Résumé 日本.txt', 'a b+c.txt', 'family 👨\u200D👩\u200D👧.txt', 'x'.repeat(255)])('%j is a valid name', (name) => {
    expect(checkDownloadName(name)).toBe(name);
  });

  it.each([
    ['report.pdf', 'Q3 report.pdf', true],
    ['report.pdf', 'Q3.PDF', true],
    ['a/b/archive.tar.gz', 'x.gz', true],
    ['README', 'readme', true],
    ['report.pdf', 'setup.exe', false],
    ['report.pdf', 'report.pdf.exe', false],
    ['report.pdf', 'report', false],
    ['report.pdf', 'report.pdf.', false],
    ['README', 'README.exe', false],
  ])('key %j, name %j: kept extension %p', (key, name, kept) => {
    const error = thrown(() => checkRename(name, key, false));
    if (kept) expect(error).toBeUndefined();
    else expect(error).toMatchObject({ statusCode: 400, code: 'download_name_extension' });
    expect(() => checkRename(name, key, true)).not.toThrow(); // a rule with renameDownloads
  });

  it('a key\'s own bidi or control characters never reach the header', () => {
    expect(contentDisposition('attachment', 'evil\u202Egpj.exe')).toBe(`attachment; filename="evil_gpj.exe"`);
    expect(contentDisposition('inline', 'a"b\\c/d%e.txt')).toBe(`inline; filename="a_b_c_d_e.txt"; filename*=UTF-8''a%22b_c_d%25e.txt`);
  });
});
