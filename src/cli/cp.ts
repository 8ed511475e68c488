/**
 * `signpost cp FILE URL` (upload) and `signpost cp URL FILE` (download).
 *
 * Upload: always the multipart flow (one part for small files): `POST URL?uploads` with
 * X-Upload-Length, PUT the parts straight to storage, 4 at a time (--parallel), each with 3
 * attempts and exponential backoff, then `POST URL?uploadId=…` to complete. The upload id is
 * printed first; after a failure, `--resume ID` lists the uploaded parts and sends only the ones
 * missing (or of another size). Download: GET URL with the token, follow the 307 without it,
 * stream into FILE.partial-<pid>, rename when complete. Auth: --token T or --key K (both sent as
 * `Authorization: Bearer`), default $SIGNPOST_TOKEN. Progress on stderr (see cp-progress.ts);
 * the completed upload's JSON ({ key, etag, size }) on stdout. Exit 0 ok, 1 failure, 2 usage.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { authHeaders, CpError, gatewayJson, putPart, stripQuery, withRetries } from './cp-client';
import { createProgress } from './cp-progress';

export interface CpIo {
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface PartUrl {
  partNumber: number;
  size: number;
  url: string;
  /** Sent when storage answers a part without an ETag (Azure). */
  etag?: string;
}
interface Page {
  uploadId: string;
  parts: PartUrl[];
  next?: string;
  partSize?: number;
}

const USAGE = 'usage: signpost cp [--token T | --key K] [--resume UPLOAD_ID] [--parallel N] [--content-type T] [--quiet] FILE URL | URL FILE';
const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

export async function cp(args: readonly string[], io: CpIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { token: { type: 'string' }, key: { type: 'string' }, resume: { type: 'string' }, parallel: { type: 'string' }, 'content-type': { type: 'string' }, quiet: { type: 'boolean' } },
  });
  const [from, to] = positionals;
  const parallel = Number(values.parallel ?? 4);
  if (positionals.length !== 2 || from === undefined || to === undefined || isUrl(from) === isUrl(to) || !(parallel >= 1 && parallel <= 32)) {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const token = values.token ?? values.key ?? io.env.SIGNPOST_TOKEN;
  const quiet = values.quiet === true;
  try {
    if (isUrl(to)) {
      const { result } = await upload({ file: from, url: to, token, parallel, quiet, io, ...(values.resume !== undefined && { resume: values.resume }), ...(values['content-type'] !== undefined && { contentType: values['content-type'] }) });
      io.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      await download({ url: from, file: to, token, quiet, io });
    }
    return 0;
  } catch (err) {
    io.stderr.write(`signpost cp: ${(err as Error).message}\n`);
    return 1;
  }
}

export interface UploadOptions {
  readonly file: string;
  readonly url: string;
  readonly token: string | undefined;
  readonly parallel: number;
  readonly quiet: boolean;
  readonly io: CpIo;
  readonly resume?: string;
  readonly contentType?: string;
}

export interface UploadResult {
  readonly result: { key: string; etag: string; size: number };
  /** Parts sent now, and parts a resume found already uploaded (same size and MD5 ETag). */
  readonly sent: number;
  readonly skipped: number;
}

export async function upload(o: UploadOptions): Promise<UploadResult> {
  const size = (await stat(o.file)).size;
  const base = stripQuery(o.url);
  const sizeHeader = { 'x-upload-length': String(size) };
  let page: Page;
  const done = new Map<number, { etag: string; size: number }>();
  if (o.resume === undefined) {
    const headers = { ...sizeHeader, ...(o.contentType !== undefined && { 'x-upload-content-type': o.contentType }) };
    page = await gatewayJson<Page>(`${base}?uploads`, { method: 'POST', headers, token: o.token });
  } else {
    const id = encodeURIComponent(o.resume);
    const listed = await gatewayJson<{ parts: { partNumber: number; etag: string; size: number }[] }>(`${base}?uploadId=${id}`, { method: 'GET', token: o.token });
    for (const p of listed.parts) done.set(p.partNumber, p);
    page = await gatewayJson<Page>(`${base}?uploadId=${id}&parts=1-1000`, { method: 'GET', headers: sizeHeader, token: o.token });
  }
  const uploadId = page.uploadId;
  if (!o.quiet) o.io.stderr.write(`upload id: ${uploadId} (after a failure: --resume ${uploadId})\n`);
  const parts = [...page.parts];
  while (page.next !== undefined) {
    page = await gatewayJson<Page>(`${base}?uploadId=${encodeURIComponent(uploadId)}&parts=${page.next}`, { method: 'GET', headers: sizeHeader, token: o.token });
    parts.push(...page.parts);
  }
  const partSize = parts[0]?.size ?? 0;
  let skipped = 0;
  const file = await open(o.file, 'r');
  try {
    const todo: PartUrl[] = [];
    for (const p of parts) if (!(await alreadyUploaded(file, p, partSize, done.get(p.partNumber)))) todo.push(p);
    skipped = parts.length - todo.length;
    const progress = createProgress({ out: o.io.stderr, label: basename(o.file), total: size, quiet: o.quiet });
    progress.add(parts.filter((p) => !todo.includes(p)).reduce((n, p) => n + p.size, 0));
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let part = todo[next++]; part !== undefined; part = todo[next++]) {
        const p = part;
        const etag = await withRetries(3, 500, async () => {
          let sent = 0;
          try {
            return await putPart(
              p.url,
              file,
              (p.partNumber - 1) * partSize,
              p.size,
              (n) => {
                sent += n;
                progress.add(n);
              },
              p.etag,
            );
          } catch (err) {
            progress.add(-sent);
            throw err;
          }
        });
        done.set(p.partNumber, { etag, size: p.size });
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.parallel, Math.max(1, todo.length)) }, worker));
    progress.done();
  } finally {
    await file.close();
  }
  const body = JSON.stringify({ parts: parts.map((p) => ({ partNumber: p.partNumber, etag: done.get(p.partNumber)?.etag ?? '' })) });
  const result = await withRetries(3, 500, () =>
    gatewayJson<{ key: string; etag: string; size: number }>(`${base}?uploadId=${encodeURIComponent(uploadId)}`, { method: 'POST', headers: { ...sizeHeader, 'content-type': 'application/json' }, body, token: o.token }),
  );
  return { result, sent: parts.length - skipped, skipped };
}

/** A resume skips a part storage has with the same size and, when its ETag is an MD5, the same MD5. */
async function alreadyUploaded(file: FileHandle, p: PartUrl, partSize: number, stored: { etag: string; size: number } | undefined): Promise<boolean> {
  if (stored?.size !== p.size) return false;
  if (!/^[0-9a-f]{32}$/i.test(stored.etag)) return true;
  const buf = Buffer.allocUnsafe(p.size);
  await file.read(buf, 0, p.size, (p.partNumber - 1) * partSize);
  return createHash('md5').update(buf).digest('hex') === stored.etag.toLowerCase();
}

export async function download(o: { url: string; file: string; token: string | undefined; quiet: boolean; io: CpIo }): Promise<void> {
  const first = await fetch(o.url, { headers: authHeaders(o.token), redirect: 'manual' });
  let res = first;
  const location = first.headers.get('location');
  if (first.status >= 300 && first.status < 400 && location !== null) {
    await first.body?.cancel();
    res = await fetch(new URL(location, o.url), { redirect: 'follow' }); // never the token to storage
  }
  if (!res.ok || res.body === null) throw new CpError(`GET ${stripQuery(o.url)} -> ${res.status} ${(await res.text()).slice(0, 200)}`, res.status);
  const total = Number(res.headers.get('content-length') ?? 0);
  const progress = createProgress({ out: o.io.stderr, label: basename(o.file), total, quiet: o.quiet });
  const temp = `${o.file}.partial-${process.pid}`;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      progress.add(chunk.length);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body), count, createWriteStream(temp, { flags: 'wx' }));
    const got = (await stat(temp)).size;
    if (total > 0 && got !== total) throw new CpError(`download incomplete: ${got} of ${total} bytes`);
    await rename(temp, o.file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  progress.done();
}

// Run directly (`npx tsx src/cli/cp.ts …`); the argv check keeps a bundled dist/cli.js from running it.
if (require.main === module && /[\\/]cp\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  cp(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    process.stderr.write(`signpost cp: ${String(err)}\n`);
    process.exit(1);
  });
}
