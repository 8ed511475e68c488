/**
 * What a request under a mount asks for: (method, raw path below the mount, query) -> the
 * endpoint that serves it, the policy actions it needs and the key they are decided on. The one
 * place this mapping lives: app.ts dispatches on it and `signpost policy explain` prints it, so
 * explain decides exactly what the gateway decides.
 *
 *   GET  <folder>/ (and the mount itself)        listing       list   on the folder, no trailing "/"
 *   POST <key>?uploads | GET|POST|DELETE ?uploadId  multipart  write
 *   POST <key>?upload                            ticket        write
 *   POST <key>?url[=get|head|put]                url-ticket    read (get, head) | write (put)
 *   POST <key>?share                             share-create  share, then read
 *   GET|HEAD <key>?share=<token>                 share-open    none: the token is the capability
 *   GET  <key>?download[=name] | ?inline         download      read
 *   GET|HEAD|PUT|DELETE <key>                    object        read | write | delete
 *   OPTIONS                                      options       none
 * Other query parameters are ignored; any other method is 405, a bad key 400 (thrown as
 * HttpError, before anything else happens). `query` is null when the target has no "?", so the
 * plain redirect path parses no query string.
 */
import { badRequest, methodNotAllowed } from '../http/errors';
import { keyFromPath } from '../keys/object-key';
import { Actions, type Action } from '../policy/types';
import { ObjectOperations, type ObjectOperation } from '../storage/types';

export const FILE_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'] as const;

export const Endpoints = {
  object: 'object',
  options: 'options',
  listing: 'listing',
  ticket: 'ticket',
  urlTicket: 'url-ticket',
  multipart: 'multipart',
  shareCreate: 'share-create',
  shareOpen: 'share-open',
  download: 'download',
} as const;
export type Endpoint = (typeof Endpoints)[keyof typeof Endpoints];

export interface RequestTarget {
  readonly endpoint: Endpoint;
  /** Decided in this order on `key`; all must allow. Empty: no policy decision. */
  readonly actions: readonly Action[];
  /** The object key (mount prefix included); a listing's folder without its trailing "/". */
  readonly key: string;
  /** The storage operation of an `object` request, or the one a `url-ticket` signs. */
  readonly operation?: ObjectOperation;
}

const NONE: readonly Action[] = Object.freeze([]);
const READ: readonly Action[] = Object.freeze([Actions.read]);
const WRITE: readonly Action[] = Object.freeze([Actions.write]);
const DELETE: readonly Action[] = Object.freeze([Actions.delete]);
const LIST: readonly Action[] = Object.freeze([Actions.list]);
const SHARE_THEN_READ: readonly Action[] = Object.freeze([Actions.share, Actions.read]);

const OBJECT_METHODS: ReadonlyMap<string, { actions: readonly Action[]; operation: ObjectOperation }> = new Map([
  ['GET', { actions: READ, operation: ObjectOperations.get }],
  ['HEAD', { actions: READ, operation: ObjectOperations.head }],
  ['PUT', { actions: WRITE, operation: ObjectOperations.put }],
  ['DELETE', { actions: DELETE, operation: ObjectOperations.delete }],
]);

const URL_OPERATIONS: ReadonlyMap<string, { actions: readonly Action[]; operation: ObjectOperation }> = new Map([
  ['get', { actions: READ, operation: ObjectOperations.get }],
  ['head', { actions: READ, operation: ObjectOperations.head }],
  ['put', { actions: WRITE, operation: ObjectOperations.put }],
]);

/** `?url=NAME`: which presigned request a URL ticket hands out (absent or empty: get). */
function urlTicket(query: URLSearchParams): { endpoint: Endpoint; actions: readonly Action[]; operation: ObjectOperation } {
  const chosen = URL_OPERATIONS.get((query.get('url') ?? '').toLowerCase() || 'get');
  if (!chosen) throw badRequest('invalid_method', '?url= takes get, head or put');
  return { endpoint: Endpoints.urlTicket, ...chosen };
}

type Selected = { endpoint: Endpoint; actions: readonly Action[]; operation?: ObjectOperation };

/** The query-selected endpoint of a request on a key, or undefined (a plain object request). */
function queryEndpoint(method: string, query: URLSearchParams): Selected | undefined {
  if (query.has('uploads')) return method === 'POST' ? { endpoint: Endpoints.multipart, actions: WRITE } : undefined;
  if (query.has('uploadId') && (method === 'GET' || method === 'POST' || method === 'DELETE')) return { endpoint: Endpoints.multipart, actions: WRITE };
  switch (method) {
    case 'POST':
      if (query.has('upload')) return { endpoint: Endpoints.ticket, actions: WRITE };
      if (query.has('url')) return urlTicket(query);
      if (query.has('share')) return { endpoint: Endpoints.shareCreate, actions: SHARE_THEN_READ };
      return undefined;
    case 'GET':
      if (query.has('share')) return { endpoint: Endpoints.shareOpen, actions: NONE };
      if (query.has('download') || query.has('inline')) return { endpoint: Endpoints.download, actions: READ };
      return undefined;
    case 'HEAD':
      return query.has('share') ? { endpoint: Endpoints.shareOpen, actions: NONE } : undefined;
    default:
      return undefined;
  }
}

/** The object key a path names (not a folder), or a 400. */
export function objectKey(rawKeyPath: string, prefix: string): string {
  const parsed = keyFromPath(rawKeyPath, prefix);
  if (!parsed.ok) throw badRequest('invalid_key', parsed.reason);
  if (parsed.folder) throw badRequest('folder_key', 'paths ending in "/" name folders, not files (GET lists a folder)');
  return parsed.key;
}

/**
 * @param method      the request method, as sent
 * @param rawKeyPath  the raw (percent-encoded) path below `<mount>/`; '' for the mount itself
 * @param prefix      the mount's key prefix
 * @param query       the parsed query string, or null when the target has none
 */
export function requestTarget(method: string, rawKeyPath: string, prefix: string, query: URLSearchParams | null): RequestTarget {
  const folder = rawKeyPath === '' || rawKeyPath.endsWith('/');
  if (folder && method === 'GET') {
    const parsed = keyFromPath(rawKeyPath, prefix);
    if (!parsed.ok) throw badRequest('invalid_key', parsed.reason);
    return { endpoint: Endpoints.listing, actions: LIST, key: parsed.key.endsWith('/') ? parsed.key.slice(0, -1) : parsed.key };
  }
  const selected = query === null || folder ? undefined : queryEndpoint(method, query);
  if (selected) return { ...selected, key: objectKey(rawKeyPath, prefix) };
  if (method === 'OPTIONS') return { endpoint: Endpoints.options, actions: NONE, key: '' };
  const object = OBJECT_METHODS.get(method);
  if (!object) throw methodNotAllowed(FILE_METHODS);
  return { endpoint: Endpoints.object, actions: object.actions, operation: object.operation, key: objectKey(rawKeyPath, prefix) };
}

/** A listing's storage prefix: its folder key with the "/" back ('' for a bucket's root). */
export function listingPrefix(target: RequestTarget): string {
  return target.key === '' ? '' : `${target.key}/`;
}

/** The mount a request path falls under (the longest mount path wins) and the raw path below it. */
export function mountFinder<M extends { readonly path: string }>(mounts: readonly M[]): (path: string) => { mount: M; rawKeyPath: string } | undefined {
  const sorted = [...mounts].sort((a, b) => b.path.length - a.path.length).map((m) => ({ mount: m, base: `${m.path}/` }));
  return (path) => {
    for (const { mount, base } of sorted) {
      if (path.startsWith(base) || path === mount.path) return { mount, rawKeyPath: path.slice(base.length) };
    }
    return undefined;
  };
}
