/**
 * Downloads for browsers: `GET <mount>/<key>?download`, `?download=<name>` or `?inline`.
 *
 * Same read check as a plain GET, then a 307 to a presigned GetObject URL whose signed
 * overrides make storage answer with the right Content-Type and Content-Disposition
 * (src/content/serve-as.ts): `?download[=name]` is always an attachment (RFC 6266, non-ASCII
 * names too); `?inline` shows known passive types inline with their type fixed from the
 * extension, and forces everything else (HTML, SVG, XHTML, XML, JavaScript, unknown) to an
 * attachment unless the rule says `inlineActive: true`. A requested name is checked (no
 * controls or bidi controls, at most 255 characters) and must keep the key's extension unless
 * the rule says `renameDownloads: true` (src/content/download-name.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkDownloadName, checkRename } from '../content/download-name';
import { serveAs, ServeModes, type ServeMode } from '../content/serve-as';
import { badRequest } from '../http/errors';
import { Actions } from '../policy/types';
import type { Mount } from '../storage/mount';
import { ObjectOperations } from '../storage/types';
import { authorize, objectKeyOf, presign, redirect, urlLifetime, type RouteContext } from './route-kit';

export interface Serving {
  readonly mode: ServeMode;
  /** A name given with `?download=<name>`, syntax-checked (the extension is checked after the decision). */
  readonly name?: string;
}

/** What the query asks for: `download[=name]` (at most once) wins over `inline`; else a plain read. */
export function requestedServing(query: URLSearchParams): Serving {
  const names = query.getAll('download');
  if (names.length > 1) throw badRequest('invalid_download_name', 'give ?download at most once');
  const name = names[0];
  if (name === undefined) return { mode: query.has('inline') ? ServeModes.inline : ServeModes.plain };
  return name === '' ? { mode: ServeModes.download } : { mode: ServeModes.download, name: checkDownloadName(name) };
}

export async function download(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, rawKeyPath: string, query: URLSearchParams): Promise<void> {
  const key = objectKeyOf(rawKeyPath, mount);
  const serving = requestedServing(query);
  const { constraints, at } = await authorize(ctx, req, res, Actions.read, key);
  if (serving.name !== undefined) checkRename(serving.name, key, constraints.renameDownloads === true);
  const signed = await presign(mount, {
    operation: ObjectOperations.get,
    bucket: mount.bucket,
    key,
    expiresIn: urlLifetime(ctx, constraints),
    now: at,
    ...serveAs(key, serving.mode, { ...(serving.name !== undefined && { name: serving.name }), inlineActive: constraints.inlineActive === true }),
  });
  redirect(res, signed.url);
}
