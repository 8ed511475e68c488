/**
 * Which keys storage may show inline: an object's extension -> a passive media type, one that no
 * browser runs as code (images other than SVG, audio, video, PDF, plain text, CSV, JSON).
 *
 * The extensions come from mime-db (the table express and most of npm use), never from a list
 * kept here; what is written here is the security decision of which media types count as
 * passive, in order of preference where mime-db lists an extension under two of them. HTML,
 * XHTML, SVG, XML, JavaScript and every type not named below are not passive. Text types are
 * signed with `charset=utf-8` (as mime-types does), so a UTF-8 text file reads right.
 *
 * On Lambda, `mime-db` is the bundle's stand-in (src/lambda/shims/mime-db.ts), which keeps
 * mime-db's own entries for these types; test/content keeps the two tables equal.
 */
import mimeDb from 'mime-db';

export const PASSIVE_MEDIA_TYPES = [
  'image/png', 'image/apng', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp',
  'image/vnd.microsoft.icon', 'image/tiff', 'image/heic', 'image/heif', 'image/jxl',
  'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/ogg', 'audio/wav', 'audio/x-flac', 'audio/webm',
  'video/mp4', 'video/webm', 'video/ogg', 'video/quicktime', 'video/x-matroska', 'video/mpeg',
  'application/pdf', 'application/json',
  'text/plain', 'text/csv', 'text/tab-separated-values', 'text/markdown', 'text/vtt',
] as const;

interface MimeEntry {
  readonly charset?: string;
  readonly extensions?: readonly string[];
}

/** extension (lowercase, no dot) -> the Content-Type to sign for it. */
export function passiveTable(db: Readonly<Record<string, MimeEntry | undefined>>): ReadonlyMap<string, string> {
  const table = new Map<string, string>();
  for (const type of PASSIVE_MEDIA_TYPES) {
    const entry = db[type];
    const charset = entry?.charset ?? (type.startsWith('text/') ? 'UTF-8' : undefined);
    const signed = charset === undefined ? type : `${type}; charset=${charset.toLowerCase()}`;
    for (const ext of entry?.extensions ?? []) if (!table.has(ext)) table.set(ext, signed);
  }
  return table;
}

const BY_EXTENSION = passiveTable(mimeDb);

/** The lowercased extension of a key's last segment ('' when it has none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > name.lastIndexOf('/') ? name.slice(dot + 1).toLowerCase() : '';
}

/** The passive Content-Type for a key, from its extension; undefined when it is not known passive. */
export function passiveTypeFor(key: string): string | undefined {
  return BY_EXTENSION.get(extensionOf(key));
}
