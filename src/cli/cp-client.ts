/**
 * HTTP helpers of `signpost cp`: JSON calls to the gateway (with the caller's Bearer token),
 * retries with exponential backoff, and part PUTs streamed from the file to presigned storage
 * URLs. The token goes to the gateway only, never to a storage URL (S3 refuses a request with
 * both an Authorization header and query auth, and the token is not storage's business).
 */
import type { FileHandle } from 'node:fs/promises';

export class CpError extends Error {
  override readonly name = 'CpError';
  constructor(
    message: string,
    /** HTTP status, when the failure was an answer (0: network). */
    readonly status = 0,
  ) {
    super(message);
  }
  /** Network failures, 408, 429 and 5xx are worth another try; other 4xx are not. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** A JSON call to the gateway; a non-2xx answer becomes a CpError with the gateway's message. */
export async function gatewayJson<T>(url: string, init: { method: string; headers?: Record<string, string>; body?: string; token?: string | undefined }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { method: init.method, headers: { accept: 'application/json', ...authHeaders(init.token), ...init.headers }, redirect: 'manual', signal: AbortSignal.timeout(600_000), ...(init.body !== undefined && { body: init.body }) });
  } catch (err) {
    throw new CpError(`${init.method} ${stripQuery(url)}: ${describeFailure(err)}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      const body = JSON.parse(text) as { error?: string; message?: string };
      message = `${body.error ?? ''}: ${body.message ?? ''}`;
    } catch {
      /* not JSON: keep the text */
    }
    throw new CpError(`${init.method} ${stripQuery(url)} -> ${res.status} ${message}`, res.status);
  }
  return (text === '' ? {} : JSON.parse(text)) as T;
}

/** fetch's own message is just "fetch failed"; the cause says what (ECONNREFUSED, a reset, …). */
function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.message ? `${e.message} (${e.cause.code ?? e.cause.message})` : e.message;
}

export async function withRetries<T>(attempts: number, baseDelayMs: number, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const retryable = !(err instanceof CpError) || err.retryable;
      if (!retryable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2)));
    }
  }
}

/**
 * PUTs `size` bytes of `file` from `offset` to a presigned part URL; returns the part's ETag, or
 * `knownEtag` when the gateway gave one with the URL (Azure's Put Block answers without an ETag).
 */
export async function putPart(url: string, file: FileHandle, offset: number, size: number, onBytes: (n: number) => void, knownEtag?: string): Promise<string> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let done = 0;
    while (done < size) {
      const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, size - done));
      const { bytesRead } = await file.read(buf, 0, buf.length, offset + done);
      if (bytesRead === 0) throw new CpError('the file got shorter while uploading');
      done += bytesRead;
      onBytes(bytesRead);
      yield buf.subarray(0, bytesRead);
    }
  }
  let res: Response;
  try {
    res = await fetch(url, { method: 'PUT', headers: { 'content-length': String(size) }, body: chunks(), duplex: 'half', redirect: 'error', signal: AbortSignal.timeout(600_000) });
  } catch (err) {
    throw new CpError(`part upload failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new CpError(`part upload refused: ${res.status} ${/<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1] ?? ''}`, res.status);
  const etag = knownEtag ?? res.headers.get('etag');
  if (etag === null) throw new CpError('storage sent no ETag for a part (CORS: expose ETag)');
  return etag.replace(/^"|"$/g, '');
}

/** The URL without its query (never print presigned signatures). */
export function stripQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
