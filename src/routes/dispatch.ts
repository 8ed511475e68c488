/**
 * Each endpoint under a mount and its handler. Which endpoint a request is, and the actions and
 * key the policy decides, come from request-target.ts (shared with `signpost policy explain`):
 *
 *   GET  <mount>/<folder>/   (and <mount>/, <mount>)  -> listing.ts
 *   POST <mount>/<key>?upload                         -> tickets.ts
 *   POST <mount>/<key>?url[=get|head|put]             -> url-tickets.ts
 *   POST <mount>/<key>?share                          -> share-links.ts (create)
 *   GET|HEAD <mount>/<key>?share=<token>              -> share-links.ts (open)
 *   GET  <mount>/<key>?download[=name] | ?inline      -> downloads.ts
 *   ?uploads / ?uploadId                              -> multipart.ts
 *   GET|HEAD|PUT|DELETE|OPTIONS <mount>/<key>         -> files.ts (the redirects)
 */
import { download } from './downloads';
import { objectRoute, optionsRoute } from './files';
import { listing } from './listing';
import { multipart } from './multipart';
import type { Endpoint } from './request-target';
import type { MountRoute } from './route-kit';
import { createShareLink, openShareLink } from './share-links';
import { uploadTicket } from './tickets';
import { urlTicket } from './url-tickets';

/** The routes selected by a query or a folder path, as (method, what selects it); the OpenAPI test reads it. */
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

/** What routes see for a request without a query string (none of them changes it). */
export const NO_QUERY = new URLSearchParams();

export const MOUNT_ROUTES: Readonly<Record<Endpoint, MountRoute>> = {
  object: objectRoute,
  options: optionsRoute,
  listing,
  ticket: uploadTicket,
  'url-ticket': urlTicket,
  multipart,
  'share-create': createShareLink,
  'share-open': openShareLink,
  download,
};
