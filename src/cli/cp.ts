/**
 * `signpost cp FILE URL` (upload) and `signpost cp URL FILE` (download).
 *
 * Upload: always the multipart flow (one part for small files): `POST URL?uploads` with
 * X-Upload-Length, PUT the parts straight to storage, 4 at a time (--parallel), each with 3
 * attempts and exponential backoff, then `POST URL?uploadId=…` to complete. The upload id is
 * printed first; after a failure, `--resume ID` lists the uploaded parts and sends only the ones
 * missing (or of another size). Download: cp-download.ts (an interrupted one leaves no partial
 * file). `--help` prints the usage; an unknown option is a usage error. Auth: --token T or --key K (both sent as
 * `Authorization: Bearer`), default $SIGNPOST_TOKEN. Progress on stderr (see cp-progress.ts);
 * the completed upload's JSON ({ key, etag, size }) on stdout. Exit 0 ok, 1 failure, 2 usage,
 * 128 + the signal's number when interrupted.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { gatewayJson, putPart, stripQuery, withRetries } from './cp-client';
import { CpInterrupted, download } from './cp-download';
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
export const CP_HELP = `${USAGE}

  signpost cp FILE URL   upload FILE to URL (a gateway URL such as http://127.0.0.1:3000/files/a.txt):
                         multipart, --parallel parts at once (default 4, at most 32), each retried;
                         prints the upload id first, and after a failure --resume UPLOAD_ID sends
                         only the parts storage lacks. Prints {key, etag, size} as JSON when done.
  signpost cp URL FILE   download URL into FILE (written as FILE.partial-PID, renamed when complete;
                         removed if the download fails or is interrupted).

  --token T, --key K     sent as Authorization: Bearer to the gateway only (default $SIGNPOST_TOKEN)
  --content-type T       the uploaded object's Content-Type
  --quiet                no progress on stderr
  -h, --help             this text

Exit status: 0 done, 1 failed, 2 usage error, 128+N interrupted by signal N (130 for Ctrl-C).`;
const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

const OPTIONS = {
  token: { type: 'string' },
  key: { type: 'string' },
  resume: { type: 'string' },
  parallel: { type: 'string' },
  'content-type': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function cp(args: readonly string[], io: CpIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: OPTIONS });
  } catch (err) {
    io.stderr.write(`signpost cp: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(`${CP_HELP}\n`);
    return 0;
  }
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
    return err instanceof CpInterrupted ? err.exitCode : 1;
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

// Run directly (`npx tsx src/cli/cp.ts …`); the argv check keeps a bundled dist/cli.js from running it.
if (require.main === module && /[\\/]cp\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  cp(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    process.stderr.write(`signpost cp: ${String(err)}\n`);
    process.exit(1);
  });
}
