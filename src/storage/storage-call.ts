/**
 * One request from the gateway itself to storage (multipart and block-list calls): a signed URL sent with node's fetch under a bounded timeout, the answer read up
 * to a size cap, and every failure turned into an HttpError a client can act on.
 *
 * Contract: resolves only for a 2xx answer without an `<Error>` body (S3 sends some errors with
 * 200; Azure and S3 share the `<Error><Code>` shape). Storage's error code maps through `known`
 * to a client status and code; anything else is 502 `storage_error` naming the code, never the
 * URL. A timeout is 504 `storage_timeout`; an unreachable store 502.
 */
import { HttpError, serviceUnavailable } from '../http/errors';
import { CredentialsUnavailable } from '../signing/credentials';

export interface StorageAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * Storage error code -> [HTTP status for the client, our error code]. An answer without an
 * `<Error>` body (a HEAD's 404) is looked up as `HTTP <status>`.
 */
export type KnownErrors = Readonly<Record<string, readonly [number, string]>>;

const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface StorageRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Tests inject a failing or slow fetch. */
  readonly fetch?: typeof fetch;
}

export async function storageCall(what: string, url: string, req: StorageRequest, known: KnownErrors): Promise<StorageAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await (req.fetch ?? fetch)(url, { method: req.method, headers: req.headers, redirect: 'error', signal: AbortSignal.timeout(req.timeoutMs), ...(req.body !== undefined && { body: req.body }) });
    text = await res.text();
  } catch (err) {
    const name = (err as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new HttpError(504, 'storage_timeout', `storage did not answer ${what} within ${req.timeoutMs} ms`);
    throw new HttpError(502, 'storage_error', `storage could not be reached for ${what}`);
  }
  if (text.length > MAX_RESPONSE_BYTES) throw new HttpError(502, 'storage_error', `storage sent an oversized answer to ${what}`);
  const code = /<Error>[\s\S]*?<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(text)?.[1];
  if (res.status >= 300 || code !== undefined) {
    const entry = code ?? `HTTP ${res.status}`;
    const mapped = Object.hasOwn(known, entry) ? known[entry] : undefined; // a code like "constructor" is no entry
    if (mapped) throw new HttpError(mapped[0], mapped[1], `storage refused ${what} (${entry})`);
    throw new HttpError(502, 'storage_error', `storage refused ${what} (${entry})`);
  }
  return { status: res.status, headers: res.headers, text };
}

/** Runs `get` (a credential or signing-key fetch); CredentialsUnavailable becomes 503 + Retry-After, never a dead URL. */
export async function withCredentials<T>(get: () => Promise<T>): Promise<T> {
  try {
    return await get();
  } catch (err) {
    if (err instanceof CredentialsUnavailable) throw serviceUnavailable('storage credentials are unavailable; try again shortly', 5);
    throw err;
  }
}

/** A text node from fast-xml-parser (kept as a string with parseTagValue: false; numbers tolerated), or ''. */
export const xmlText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
