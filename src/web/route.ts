/**
 * Serves the browser UI built by build.ts: `GET /` (index.html, with the page's own CSP and the
 * mounts in a <meta> tag: no inline script) and `GET /assets/<name>` (hashed names, immutable,
 * gzip when accepted). Anything else is passed to `next` (express) or answered 404.
 *
 * The page PUTs to storage directly, so its CSP `connect-src` must name the storage origins.
 * They are derived once, lazily, by presigning a throwaway GET on each mount's backend and
 * keeping the URL's origin (embedded store: its loopback origin; S3: the bucket endpoint;
 * Azure: the account endpoint). No request is sent to storage for that.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Mount } from '../storage/mount';
import type { WebManifest } from './build';

export interface WebRouteOptions {
  /** Where buildWeb wrote its output (the server: `dist/web`). */
  readonly dir: string;
  /** The gateway's mounts: listed in the page's mount switcher, their storage origins allowed in connect-src. */
  readonly mounts: readonly Mount[];
  /** Storage origins to allow besides those derived from the mounts. */
  readonly extraConnectSrc?: readonly string[];
  /** Files of at least this many bytes are uploaded with multipart (default 64 MiB). */
  readonly multipartThreshold?: number;
  readonly now?: () => Date;
}

export type WebHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
}

const TYPES: Readonly<Record<string, string>> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
export const DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024;

export function pageCsp(storageOrigins: readonly string[]): string {
  const connect = ["'self'", ...storageOrigins].join(' ');
  return `default-src 'none'; script-src 'self'; style-src 'self'; connect-src ${connect}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
}

/** The origin of each mount's storage, from a presigned URL (nothing is sent). */
export async function storageOrigins(mounts: readonly Mount[], now: Date): Promise<string[]> {
  const origins = new Set<string>();
  for (const mount of mounts) {
    try {
      const signed = await mount.backend.presign({ operation: 'GetObject', bucket: mount.bucket, key: `${mount.prefix}.signpost-web-probe`, expiresIn: 60, now });
      origins.add(new URL(signed.url).origin);
    } catch {
      // A backend that cannot sign right now (credentials) is retried on the next page load.
      throw new Error(`cannot derive the storage origin of mount ${mount.path}`);
    }
  }
  return [...origins];
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function setPageHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

export function webRoutes(options: WebRouteOptions): WebHandler {
  const now = options.now ?? (() => new Date());
  let loaded: { html: string; assets: Map<string, Asset> } | undefined;
  const load = () => {
    if (loaded) return loaded;
    const manifestPath = join(options.dir, 'manifest.json');
    if (!existsSync(manifestPath)) return undefined;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as WebManifest;
    const assets = new Map<string, Asset>();
    for (const name of manifest.files) {
      const body = readFileSync(join(options.dir, 'assets', name));
      assets.set(name, { type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream', body, gzip: gzipSync(body, { level: 9 }) });
    }
    const config = JSON.stringify({ mounts: options.mounts.map((m) => m.path), multipartThreshold: options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD });
    const html = readFileSync(join(options.dir, 'index.html'), 'utf8').replace('{{CONFIG}}', escapeAttr(config));
    loaded = { html, assets };
    return loaded;
  };
  let csp: Promise<string> | undefined;
  const cspFor = (): Promise<string> => {
    csp ??= storageOrigins(options.mounts, now()).then(
      (origins) => pageCsp([...origins, ...(options.extraConnectSrc ?? [])]),
      (err: unknown) => {
        csp = undefined;
        throw err;
      },
    );
    return csp;
  };

  const send = (req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer, gzip?: Buffer) => {
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.setHeader('Vary', 'Accept-Encoding');
    const useGzip = gzip !== undefined && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const out = useGzip ? gzip : body;
    if (useGzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', out.length);
    res.end(req.method === 'HEAD' ? undefined : out);
  };
  const fail = (res: ServerResponse, status: number, error: string, message: string) => {
    const body = Buffer.from(JSON.stringify({ error, message }));
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', body.length);
    res.end(body);
  };

  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const isPage = path === '/' || path === '/index.html';
    const isAsset = path.startsWith('/assets/');
    if ((!isPage && !isAsset) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      if (next) next();
      else fail(res, 404, 'not_found', 'no such resource');
      return;
    }
    setPageHeaders(res);
    const site = load();
    if (!site) return fail(res, 404, 'not_found', 'the web UI is not built (npm run build)');
    if (isAsset) {
      const asset = site.assets.get(path.slice('/assets/'.length));
      if (!asset) return fail(res, 404, 'not_found', 'no such asset');
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      return send(req, res, 200, asset.type, asset.body, asset.gzip);
    }
    cspFor().then(
      (policy) => {
        res.setHeader('Content-Security-Policy', policy);
        res.setHeader('Cache-Control', 'no-cache');
        send(req, res, 200, 'text/html; charset=utf-8', Buffer.from(site.html));
      },
      () => fail(res, 503, 'storage_unavailable', 'cannot determine the storage origin yet; retry'),
    );
  };
}
