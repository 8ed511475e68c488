/**
 * How storage must answer a GET: the Content-Type and Content-Disposition overrides the gateway
 * signs into the URL (S3, GCS, Ceph RGW, the embedded store: `response-content-type` and
 * `response-content-disposition`; Azure: the SAS's `rsct` and `rscd`). Signed, so a holder of
 * the URL cannot remove or change them. Pure, and decided on the key alone: the gateway does not
 * know the stored type without a HEAD, and asks storage nothing on the hot path.
 *
 * - A key whose extension is a known passive type (passive-types.ts) is always answered with
 *   that type, whatever was stored: a curl-uploaded `report.pdf` stored as `binary/octet-stream`
 *   opens as a PDF, and a `.png` stored as `text/html` is still an image, never a page.
 * - Any other key (HTML, SVG, XML, JavaScript, unknown or no extension) may hold active content,
 *   so it is answered as an `attachment` (downloaded, never rendered on storage's origin), unless
 *   the allow rule says `inlineActive: true`; then storage answers with what it stored.
 * - `download` is always an attachment; `inline` adds `inline; filename=…` where inline is allowed.
 */
import type { PresignInput } from '../storage/types';
import { contentDisposition, lastSegment } from './download-name';
import { passiveTypeFor } from './passive-types';

export const ServeModes = {
  /** A plain GET, or a share link opened without `download`/`inline`. */
  plain: 'plain',
  /** `?inline`: show in the browser where that is allowed. */
  inline: 'inline',
  /** `?download[=name]`: always save. */
  download: 'download',
} as const;
export type ServeMode = (typeof ServeModes)[keyof typeof ServeModes];

export type ServeAs = Pick<PresignInput, 'responseContentType' | 'responseContentDisposition'>;

export interface ServeOptions {
  /** The download name (already checked); default: the key's last segment. */
  readonly name?: string;
  /** The allow rule's `inlineActive`: serve non-passive types as stored, not as attachments. */
  readonly inlineActive?: boolean;
}

export function serveAs(key: string, mode: ServeMode, options: ServeOptions = {}): ServeAs {
  const passive = passiveTypeFor(key);
  const typed: ServeAs = passive === undefined ? {} : { responseContentType: passive };
  const name = (): string => options.name ?? lastSegment(key);
  if (mode === ServeModes.download) return { ...typed, responseContentDisposition: contentDisposition('attachment', name()) };
  if (passive === undefined && options.inlineActive !== true) return { responseContentDisposition: contentDisposition('attachment', name()) };
  return mode === ServeModes.inline ? { ...typed, responseContentDisposition: contentDisposition('inline', name()) } : typed;
}
