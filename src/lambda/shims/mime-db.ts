/**
 * Lambda bundle stand-in for mime-db (aliased in infra/lambda-bundle.ts): only the media types
 * the gateway's responses use, with mime-db's own values (a test keeps them equal).
 *
 * Why: express loads mime-types, which loads all of mime-db (~2,500 types) and indexes it at
 * startup, on every cold start; the gateway sends JSON, empty redirects and nothing else, so it
 * never looks up another type. A lookup of any other type finds nothing, and express then
 * falls back to application/octet-stream. Contract: the CommonJS shape of mime-db, a map from
 * type to { source, charset?, compressible?, extensions? }.
 */

interface MimeEntry {
  readonly source: string;
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
};

export = db;
