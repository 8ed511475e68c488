/**
 * The Uppy endpoint: Companion's S3 signing routes for `@uppy/aws-s3` 6.x, used with
 * `companionEndpoint: '<gateway>/uppy'` (or `'<gateway>/uppy/s/<session>'`, caller.ts):
 *
 *   POST   /uppy/session                                 -> caller.ts
 *   GET    /uppy[/s/<session>]/s3/params                 -> params.ts
 *   POST   /uppy[/s/<session>]/s3/multipart              -> multipart.ts
 *   GET    …/s3/multipart/<id>          DELETE …/s3/multipart/<id>
 *   GET    …/s3/multipart/<id>/<n>      POST   …/s3/multipart/<id>/complete
 *
 * Companion's `s3/sts` (bucket-wide temporary credentials) is deliberately absent: 501. The
 * request log gets the path with the session and upload tokens blanked out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardUnwantedBody } from '../http/discard-body';
import { badRequest, HttpError, methodNotAllowed, notFound } from '../http/errors';
import { facts } from '../http/request-log';
import type { RouteContext } from '../routes/route-kit';
import type { Mount } from '../storage/mount';
import { createSession } from './caller';
import { abortUpload, completeUpload, createUpload, listUploadedParts, signPart } from './multipart';
import { uploadParams } from './params';
import { createUppyTokens } from './tokens';
import type { UppyCall, UppyDeps } from './uppy-kit';

export const UPPY_PATH = '/uppy';

/** Every route, as the OpenAPI document names it (each also under /uppy/s/{session}/s3/…). */
export const UPPY_ROUTES = [
  { method: 'POST', path: '/uppy/session' },
  { method: 'GET', path: '/uppy/s3/params' },
  { method: 'POST', path: '/uppy/s3/multipart' },
  { method: 'GET', path: '/uppy/s3/multipart/{uploadId}' },
  { method: 'DELETE', path: '/uppy/s3/multipart/{uploadId}' },
  { method: 'GET', path: '/uppy/s3/multipart/{uploadId}/{partNumber}' },
  { method: 'POST', path: '/uppy/s3/multipart/{uploadId}/complete' },
] as const;

type Handler = (call: UppyCall) => Promise<void>;
type Table = Partial<Record<string, Handler>>;

export type UppyHandler = (req: IncomingMessage, res: ServerResponse, rawPath: string, url: string) => Promise<void>;

export function uppyHandler(ctx: RouteContext, mounts: readonly Mount[], shareKey?: string): UppyHandler {
  const deps: UppyDeps = { ctx, tokens: createUppyTokens(shareKey), mounts };
  return async (req, res, rawPath, url) => {
    const q = url.indexOf('?');
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const raw = rawPath.slice(UPPY_PATH.length).split('/').slice(1);
    const inSession = raw[0] === 's' && raw.length >= 2;
    // Tokens in the path never reach the log: the session is a credential, the upload token names an upload.
    facts(res).logPath = [UPPY_PATH, ...raw.map((s, i) => (inSession && i === 1) || (raw[inSession ? 2 : 0] === 's3' && i === (inSession ? 4 : 2)) ? '…' : s)].join('/');
    const segments = raw.map(decodeSegment);
    const session = inSession ? segments.splice(0, 2)[1] : undefined;
    const table = routeOf(segments, session !== undefined);
    const handler = table?.[req.method ?? ''];
    if (handler !== createUpload && handler !== completeUpload) discardUnwantedBody(req, res); // only these two read a body
    if (!table) throw notFound('no such Uppy route (see docs/uppy.md)');
    if (!handler) throw methodNotAllowed(Object.keys(table));
    await handler({ deps, req, res, query, ...(session !== undefined && { session }), ...(segments[2] !== undefined && { uploadToken: segments[2] }), ...(segments[3] !== undefined && { partNumber: segments[3] }) });
  };
}

function routeOf(s: readonly string[], inSession: boolean): Table | undefined {
  if (s.length === 1 && s[0] === 'session' && !inSession) return { POST: (c) => createSession(c.deps.ctx, c.deps.tokens, c.req, c.res, c.query) };
  if (s[0] !== 's3') return undefined;
  const [, what, id, rest] = s;
  if (s.length === 2 && what === 'params') return { GET: uploadParams };
  if (s.length === 2 && what === 'sts') return { GET: () => Promise.reject(new HttpError(501, 'not_implemented', 'Signpost never hands out storage credentials; uploads are signed one by one under the policy')) };
  if (what !== 'multipart' || id === '') return undefined;
  if (s.length === 2) return { POST: createUpload };
  if (s.length === 3) return { GET: listUploadedParts, DELETE: abortUpload };
  if (s.length === 4 && rest === 'complete') return { POST: completeUpload };
  if (s.length === 4) return { GET: signPart };
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('invalid_path', 'malformed percent-encoding in the path');
  }
}
