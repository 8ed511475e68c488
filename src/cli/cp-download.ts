/**
 * `signpost cp URL FILE`: GET URL with the token, follow the 307 without it, stream into
 * FILE.partial-<pid>, rename when complete. Whatever ends a download early (an error, or the
 * user's Ctrl-C, SIGTERM or SIGHUP while it runs) removes the partial file: a download leaves
 * either FILE, complete, or nothing. An interruption is reported as CpInterrupted, whose exit
 * code is the shell's for that signal (130 for SIGINT).
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { authHeaders, CpError, stripQuery } from './cp-client';
import { createProgress } from './cp-progress';
import type { CpIo } from './cp';

const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Interrupt = (typeof INTERRUPTS)[number];

export class CpInterrupted extends Error {
  override readonly name = 'CpInterrupted';
  constructor(readonly signal: Interrupt) {
    super(`interrupted (${signal}); the partial download was removed`);
  }
  get exitCode(): number {
    return 128 + constants.signals[this.signal];
  }
}

export interface DownloadOptions {
  readonly url: string;
  readonly file: string;
  readonly token: string | undefined;
  readonly quiet: boolean;
  readonly io: CpIo;
}

export async function download(o: DownloadOptions): Promise<void> {
  // Listening to these signals only while downloading: a signal then aborts the transfer and
  // the partial file is removed, instead of the process dying with the file left behind.
  const controller = new AbortController();
  const handlers = INTERRUPTS.map((s) => [s, () => controller.abort(s)] as const);
  for (const [s, h] of handlers) process.once(s, h);
  try {
    await transfer(o, controller.signal);
  } catch (err) {
    if (controller.signal.aborted) throw new CpInterrupted(controller.signal.reason as Interrupt);
    throw err;
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

async function transfer(o: DownloadOptions, signal: AbortSignal): Promise<void> {
  const first = await fetch(o.url, { headers: authHeaders(o.token), redirect: 'manual', signal });
  let res = first;
  const location = first.headers.get('location');
  if (first.status >= 300 && first.status < 400 && location !== null) {
    await first.body?.cancel();
    res = await fetch(new URL(location, o.url), { redirect: 'follow', signal }); // never the token to storage
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
    await pipeline(Readable.fromWeb(res.body), count, createWriteStream(temp, { flags: 'wx' }), { signal });
    const got = (await stat(temp)).size;
    if (total > 0 && got !== total) throw new CpError(`download incomplete: ${got} of ${total} bytes`);
    await rename(temp, o.file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  progress.done();
}
