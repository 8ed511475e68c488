/**
 * Download names and the Content-Disposition header that carries them.
 *
 * A name the caller asks for (`?download=<name>`) is checked before anything is signed:
 * at most 255 characters; no control characters (C0, DEL, C1), no bidirectional controls
 * (U+202E and friends: `evil\u202Egpj.exe` shows as `evilexe.jpg`), no line or paragraph
 * separators, no BOM or zero-width space (400 `invalid_download_name`). And it keeps the object's
 * extension, compared case-insensitively, unless a rule allows renaming (`renameDownloads`):
 * otherwise a link to `report.pdf` could save `setup.exe` (400 `download_name_extension`).
 *
 * The header is RFC 6266 with the RFC 5987 extended form when the name is not plain ASCII; names
 * derived from keys go through the same cleaning (`/`, `\`, `"`, `%`, controls never reach it).
 */
import { badRequest } from '../http/errors';
import { extensionOf } from './passive-types';

export const MAX_DOWNLOAD_NAME_LENGTH = 255;
// Lone surrogates (Cs) too: they cannot be encoded as UTF-8 for the header's extended form.
const REFUSED = /[\p{Cc}\p{Cs}\p{Bidi_Control}\u2028\u2029\u200B\uFEFF]/u;
// Printable ASCII without " % / \ and not blank: the header is then just the name, quoted.
const PLAIN = /^(?=.*[^ ])[ !#$&-.0-[\]-~]*$/;
const REFUSED_ALL = /[\p{Cc}\p{Cs}\p{Bidi_Control}\u2028\u2029\u200B\uFEFF]/gu;

/** Validates a requested download name (syntax only; see `checkRename` for the extension). */
export function checkDownloadName(name: string): string {
  if (name.length > MAX_DOWNLOAD_NAME_LENGTH) throw badRequest('invalid_download_name', `the download name is limited to ${MAX_DOWNLOAD_NAME_LENGTH} characters`);
  if (REFUSED.test(name)) throw badRequest('invalid_download_name', 'the download name must not contain control characters, bidirectional controls (such as U+202E) or invisible separators');
  return name;
}

/** Refuses a name whose extension differs from the key's, unless renaming is allowed. */
export function checkRename(name: string, key: string, renameAllowed: boolean): void {
  if (renameAllowed) return;
  const want = extensionOf(lastSegment(key));
  if (extensionOf(name) !== want) {
    throw badRequest('download_name_extension', want === '' ? 'the download name must not add an extension: this file has none' : `the download name must keep the file's extension ".${want}"`);
  }
}

export function lastSegment(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** `type; filename="ascii"; filename*=UTF-8''pct` (the extended form only when it differs). */
export function contentDisposition(type: 'attachment' | 'inline', name: string): string {
  // Plain-ASCII names (most keys) need no folding: this runs on every GET of a non-passive key.
  if (PLAIN.test(name)) return `${type}; filename="${name}"`;
  const clean = name.replace(/[/\\]/g, '_').replace(REFUSED_ALL, '_');
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
