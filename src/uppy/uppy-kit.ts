/**
 * What the Uppy routes share: their dependencies and call, the media-type check, the 501 for
 * mounts Uppy's S3 plugin cannot use, and `boundUpload`, the one way the part, list, complete and
 * abort routes learn which upload they act on: from the signed upload token alone (mount, key,
 * storage upload id), after checking that it is intact and unexpired, that `?key=` is its key,
 * that the caller is the principal who created it, and that the policy still allows the write.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHALLENGE, describePrincipal } from '../http/authenticate';
import { badRequest, forbidden, HttpError, unauthorized } from '../http/errors';
import { facts } from '../http/request-log';
import { Actions, type Constraints } from '../policy/types';
import { multipartOf } from '../routes/multipart';
import { authorizeAs, type RouteContext } from '../routes/route-kit';
import { readUploadHeaders } from '../routes/upload-headers';
import type { MediaType } from '../content/media-type';
import type { Mount } from '../storage/mount';
import type { MultipartBackend } from '../storage/multipart';
import { callerOf } from './caller';
import type { UploadGrant, UppyTokens } from './tokens';

export interface UppyDeps {
  readonly ctx: RouteContext;
  readonly tokens: UppyTokens;
  readonly mounts: readonly Mount[];
}

export interface UppyCall {
  readonly deps: UppyDeps;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: URLSearchParams;
  /** The session token from the path (`/uppy/s/<session>/…`), if any. */
  readonly session?: string;
  /** Path parameters: the upload token and the part number. */
  readonly uploadToken?: string;
  readonly partNumber?: string;
}

export interface BoundUpload {
  readonly grant: UploadGrant;
  readonly mount: Mount;
  readonly backend: MultipartBackend;
  readonly constraints: Constraints;
  readonly at: Date;
}

/** A file's type as Uppy sends it, checked like a PUT's Content-Type (400 when malformed). */
export function mediaTypeOf(type: unknown): MediaType | undefined {
  if (type === undefined || type === null || type === '') return undefined;
  if (typeof type !== 'string') throw badRequest('invalid_content_type', 'type must be a media type such as image/png');
  return readUploadHeaders({ 'content-length': '0', 'content-type': type }).contentType;
}

export const notOnThisMount = (mount: Mount): HttpError =>
  new HttpError(501, 'not_implemented', `Uppy's S3 plugin needs S3-compatible storage with POST policies and part ETags; mount ${mount.path} (${mount.backend.kind}) has neither`);

/** A mount Uppy's multipart path can use: S3 family (part PUTs answer an ETag), multipart available. */
export function uppyMultipartOf(mount: Mount): MultipartBackend {
  const backend = multipartOf(mount);
  if (!backend || !mount.backend.presignPost || backend.partUrlsMayOverwrite) throw notOnThisMount(mount);
  return backend;
}

export async function boundUpload(call: UppyCall): Promise<BoundUpload> {
  const { deps, req, res } = call;
  const at = deps.ctx.now();
  const principal = await callerOf(deps.ctx, deps.tokens, req, call.session, at);
  facts(res).principal = describePrincipal(principal);
  const opened = deps.tokens.openUpload(call.uploadToken ?? '', Math.floor(at.getTime() / 1000));
  if (!opened.ok) {
    if (opened.reason === 'expired') throw new HttpError(410, 'upload_expired', 'this upload\'s token has expired: start the upload again');
    throw forbidden('not an upload of this gateway, or it was altered');
  }
  const grant = opened.value;
  if (call.query.get('key') !== grant.key) throw forbidden('the key does not belong to this upload');
  if (describePrincipal(principal) !== grant.principal) {
    if (principal.kind === 'anonymous') throw unauthorized('credentials required', CHALLENGE);
    throw forbidden('this upload belongs to another caller');
  }
  const mount = deps.mounts.find((m) => m.path === grant.mountPath);
  if (!mount) throw forbidden('this upload\'s mount is gone');
  const backend = uppyMultipartOf(mount);
  const { constraints } = authorizeAs(deps.ctx, res, principal, at, Actions.write, grant.key);
  return { grant, mount, backend, constraints, at };
}
