/**
 * Lambda bundle stand-in for mime-db (aliased in infra/lambda-bundle.ts): only the media types
 * the gateway's responses use, and the passive types it signs for downloads, with mime-db's
 * own values (tests keep them equal).
 *
 * Why: express loads mime-types, which loads all of mime-db (~2,500 types) and indexes it at
 * startup, on every cold start; the gateway sends JSON, empty redirects and nothing else, so it
 * never looks up another type. A lookup of any other type finds nothing, and express then
 * falls back to application/octet-stream. Contract: the CommonJS shape of mime-db, a map from
 * type to { source, charset?, compressible?, extensions? }.
 */

interface MimeEntry {
  readonly source?: string;
  readonly charset?: string;
  readonly compressible?: boolean;
  readonly extensions?: readonly string[];
}

const db: Readonly<Record<string, MimeEntry>> = {
  'application/json': { source: 'iana', charset: 'UTF-8', compressible: true, extensions: ['json', 'map'] },
  'application/octet-stream': {
    source: 'iana',
    compressible: true,
    extensions: ['bin', 'dms', 'lrf', 'mar', 'so', 'dist', 'distz', 'pkg', 'bpk', 'dump', 'elc', 'deploy', 'exe', 'dll', 'deb', 'dmg', 'iso', 'img', 'msi', 'msp', 'msm', 'buffer'],
  },
  'text/html': { source: 'iana', compressible: true, extensions: ['html', 'htm', 'shtml'] },
  'text/plain': { source: 'iana', compressible: true, extensions: ['txt', 'text', 'conf', 'def', 'list', 'log', 'in', 'ini'] },
  // The passive types a GET is served as (src/content/passive-types.ts); test/content keeps the tables equal.
  'image/png': { source: 'iana', compressible: false, extensions: ['png'] },
  'image/apng': { source: 'iana', compressible: false, extensions: ['apng'] },
  'image/jpeg': { source: 'iana', compressible: false, extensions: ['jpg', 'jpeg', 'jpe'] },
  'image/gif': { source: 'iana', compressible: false, extensions: ['gif'] },
  'image/webp': { source: 'iana', extensions: ['webp'] },
  'image/avif': { source: 'iana', compressible: false, extensions: ['avif'] },
  'image/bmp': { source: 'iana', compressible: true, extensions: ['bmp', 'dib'] },
  'image/vnd.microsoft.icon': { source: 'iana', compressible: true, extensions: ['ico'] },
  'image/tiff': { source: 'iana', compressible: false, extensions: ['tif', 'tiff'] },
  'image/heic': { source: 'iana', extensions: ['heic'] },
  'image/heif': { source: 'iana', extensions: ['heif'] },
  'image/jxl': { source: 'iana', extensions: ['jxl'] },
  'audio/mpeg': { source: 'iana', compressible: false, extensions: ['mpga', 'mp2', 'mp2a', 'mp3', 'm2a', 'm3a'] },
  'audio/mp4': { source: 'iana', compressible: false, extensions: ['m4a', 'mp4a', 'm4b'] },
  'audio/aac': { source: 'iana', extensions: ['adts', 'aac'] },
  'audio/ogg': { source: 'iana', compressible: false, extensions: ['oga', 'ogg', 'spx', 'opus'] },
  'audio/wav': { compressible: false, extensions: ['wav'] },
  'audio/x-flac': { source: 'apache', extensions: ['flac'] },
  'audio/webm': { source: 'apache', compressible: false, extensions: ['weba'] },
  'video/mp4': { source: 'iana', compressible: false, extensions: ['mp4', 'mp4v', 'mpg4'] },
  'video/webm': { source: 'apache', compressible: false, extensions: ['webm'] },
  'video/ogg': { source: 'iana', compressible: false, extensions: ['ogv'] },
  'video/quicktime': { source: 'iana', compressible: false, extensions: ['qt', 'mov'] },
  'video/x-matroska': { source: 'apache', compressible: false, extensions: ['mkv', 'mk3d', 'mks'] },
  'video/mpeg': { source: 'iana', compressible: false, extensions: ['mpeg', 'mpg', 'mpe', 'm1v', 'm2v'] },
  'application/pdf': { source: 'iana', compressible: false, extensions: ['pdf'] },
  'text/csv': { source: 'iana', compressible: true, extensions: ['csv'] },
  'text/tab-separated-values': { source: 'iana', compressible: true, extensions: ['tsv'] },
  'text/markdown': { source: 'iana', compressible: true, extensions: ['md', 'markdown'] },
  'text/vtt': { source: 'iana', charset: 'UTF-8', compressible: true, extensions: ['vtt'] },
};

export = db;
