/**
 * Query-based dispatch under a mount, consulted by app.ts only when the request target has a
 * query string or the path ends in "/" (so plain GET/HEAD/PUT/DELETE redirects pay nothing):
 *
 *   GET  <mount>/<folder>/   (and <mount>/, <mount>)  -> listing.ts
 *   POST <mount>/<key>?upload                         -> tickets.ts
 *   POST <mount>/<key>?url[=get|head|put]             -> url-tickets.ts
 *   POST <mount>/<key>?share                          -> share-links.ts (create)
 *   GET|HEAD <mount>/<key>?share=<token>              -> share-links.ts (open)
 *   GET  <mount>/<key>?download[=name] | ?inline      -> downloads.ts
 *
 * Anything else returns undefined and goes to the files handler as before (other query
 * parameters are ignored there, POST without ?upload/?share gets 405).
 */
import { download } from './downloads';
import { listing } from './listing';
import { multipartRouteFor } from './multipart';
import type { MountRoute } from './route-kit';
import { createShareLink, openShareLink } from './share-links';
import { uploadTicket } from './tickets';
import { urlTicket } from './url-tickets';

/** The routes this table serves, as (method, what selects it); the OpenAPI test reads it. */
export const QUERY_ROUTES = [
  { method: 'GET', path: 'folder', query: null },
  { method: 'POST', path: 'key', query: 'upload' },
  { method: 'POST', path: 'key', query: 'url' },
  { method: 'POST', path: 'key', query: 'share' },
  { method: 'GET', path: 'key', query: 'share' },
  { method: 'HEAD', path: 'key', query: 'share' },
  { method: 'GET', path: 'key', query: 'download' },
  { method: 'GET', path: 'key', query: 'inline' },
  { method: 'POST', path: 'key', query: 'uploads' },
  { method: 'GET', path: 'key', query: 'uploadId' },
  { method: 'POST', path: 'key', query: 'uploadId' },
  { method: 'DELETE', path: 'key', query: 'uploadId' },
] as const;

const ticket: MountRoute = (ctx, req, res, mount, raw) => uploadTicket(ctx, req, res, mount, raw);

/** @param folder the path ends in "/" (or is the mount itself). */
export function routeFor(method: string | undefined, folder: boolean, query: URLSearchParams): MountRoute | undefined {
  if (folder) return method === 'GET' ? listing : undefined;
  const multipart = multipartRouteFor(method, query);
  if (multipart) return multipart;
  switch (method) {
    case 'POST':
      if (query.has('upload')) return ticket;
      if (query.has('url')) return urlTicket;
      if (query.has('share')) return createShareLink;
      return undefined;
    case 'GET':
      if (query.has('share')) return openShareLink;
      if (query.has('download') || query.has('inline')) return download;
      return undefined;
    case 'HEAD':
      return query.has('share') ? openShareLink : undefined;
    default:
      return undefined;
  }
}
