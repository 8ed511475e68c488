/**
 * Downloads for browsers: `GET <mount>/<key>?download`, `?download=<name>` or `?inline`.
 *
 * Same read check as a plain GET, then a 307 to a presigned GetObject URL that makes storage
 * answer with `Content-Disposition` (S3's signed `response-content-disposition`):
 * - `?download[=name]`: `attachment; filename="<ascii fallback>"; filename*=UTF-8''<pct-encoded>`
 *   (RFC 6266 / RFC 5987). The name defaults to the key's last segment; non-ASCII letters fall
 *   back to their unaccented form or `_`; `"`, `\`, `/` and controls never reach the header.
 * - `?inline`: `inline; filename=…`, and the Content-Type is also fixed from the key's extension
 *   (`response-content-type`), so a `.png` that was uploaded as text/html still is not HTML.
 *   Only known passive types are shown inline (images except SVG, audio, video, PDF, plain
 *   text, CSV, JSON); everything else, notably HTML, SVG, XHTML, XML and JavaScript, and keys
 *   without a known extension, is forced to `attachment`. Decided on the key's extension alone:
 *   no HEAD round trip to storage.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../http/errors';
import type { Mount } from '../storage/mount';
import { ObjectOperations } from '../storage/types';
import type { RequestTarget } from './request-target';
import { authorizeTarget, presign, redirect, urlLifetime, type RouteContext } from './route-kit';

/** Extensions that may be shown inline, with the Content-Type signed for them. */
const INLINE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', bmp: 'image/bmp', ico: 'image/x-icon',
  mp3: 'audio/mpeg', ogg: 'audio/ogg', wav: 'audio/wav', flac: 'audio/flac', m4a: 'audio/mp4',
  mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime',
  pdf: 'application/pdf', txt: 'text/plain; charset=utf-8', log: 'text/plain; charset=utf-8', md: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8', json: 'application/json',
};

export interface Disposition {
  readonly disposition: string;
  /** Set for inline: the type storage must answer with. */
  readonly contentType?: string;
}

/** Decides the Content-Disposition (and, inline, the Content-Type) for a key. */
export function dispositionFor(key: string, query: URLSearchParams): Disposition {
  const asked = query.get('download');
  if (asked !== null && asked.length > 255) throw badRequest('invalid_download_name', 'the download name is limited to 255 characters');
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (asked !== null && /[\u0000-\u001f\u007f-\u009f]/.test(asked)) throw badRequest('invalid_download_name', 'control characters are not allowed in the download name');
  const name = asked !== null && asked !== '' ? asked : (key.split('/').pop() ?? 'download');
  const wantsInline = asked === null && query.has('inline');
  const dot = key.lastIndexOf('.');
  const ext = dot > key.lastIndexOf('/') ? key.slice(dot + 1).toLowerCase() : '';
  const inlineType = Object.hasOwn(INLINE_TYPES, ext) ? INLINE_TYPES[ext] : undefined;
  if (wantsInline && inlineType !== undefined) return { disposition: contentDisposition('inline', name), contentType: inlineType };
  return { disposition: contentDisposition('attachment', name) };
}

/** `type; filename="ascii"; filename*=UTF-8''pct` (the extended form only when it differs). */
export function contentDisposition(type: 'attachment' | 'inline', name: string): string {
  const clean = name.replace(/[/\\]/g, '_');
  const fallback = asciiFallback(clean);
  const header = `${type}; filename="${fallback}"`;
  return fallback === clean ? header : `${header}; filename*=UTF-8''${rfc5987(clean)}`;
}

function asciiFallback(name: string): string {
  const folded = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const ascii = folded.replace(/[^\u0020-\u007e]/g, '_').replace(/["\\%]/g, '_');
  return ascii.trim() === '' ? 'download' : ascii;
}

/** RFC 5987 value-chars: attr-char kept, every other UTF-8 byte as %XX. */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function download(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, target: RequestTarget, query: URLSearchParams): Promise<void> {
  const { key } = target;
  const d = dispositionFor(key, query);
  const { constraints, at } = await authorizeTarget(ctx, req, res, target);
  const signed = await presign(mount, {
    operation: ObjectOperations.get,
    bucket: mount.bucket,
    key,
    expiresIn: urlLifetime(ctx, constraints),
    now: at,
    responseContentDisposition: d.disposition,
    ...(d.contentType !== undefined && { responseContentType: d.contentType }),
  });
  redirect(res, signed.url);
}
