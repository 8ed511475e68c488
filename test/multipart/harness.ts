/**
 * Test harness for the multipart routes until the lead wires them into the app: an embedded
 * store started here with known credentials, the real gateway (startGateway, S3 mode pointed at
 * that store, with a policy and API keys), and a front server that sends `?uploads` /
 * `?uploadId` requests under a mount to the multipart route (on the same Mount objects as the
 * runtime's, with `multipart` attached) and everything else to the gateway's own handler.
 * Once wired (see docs/multipart.md), `front` can become the gateway itself.
 */
import { createBodyUploads, DEFAULT_BODY_UPLOADS } from '../../src/body-uploads/plan';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/auth';
import { sendError, toHttpError } from '../../src/http/error-handler';
import { multipart as multipartRoute } from '../../src/routes/multipart';
import { requestTarget, type RequestTarget } from '../../src/routes/request-target';
import { rawPathOf } from '../../src/routes/files';
import type { RouteContext } from '../../src/routes/route-kit';
import { createCursorSealer } from '../../src/routes/listing-cursor';
import { createShareSigner } from '../../src/share/tokens';
import { staticCredentials } from '../../src/signing/credentials';
import { createPresigner } from '../../src/signing/sigv4-presigner';
import { createS3Multipart } from '../../src/storage/s3-multipart';
import { startEmbeddedStore, type EmbeddedStore } from '../../src/store';
import { startGateway, type TestGateway } from '../support/gateway';
import { memoryLogger } from '../support/memory-log';

export const alice = createApiKey({ subject: 'alice', groups: ['staff'] });
export const bob = createApiKey({ subject: 'bob', groups: ['readers'] });

const policy = {
  version: 1,
  rules: [
    { id: 'own-home', paths: 'home/{sub}/**', actions: '*', principals: 'authenticated', effect: 'allow', maxSize: '2GB' },
    { id: 'small', paths: 'small/**', actions: '*', principals: 'authenticated', effect: 'allow', maxSize: '10MB' },
    { id: 'archive', paths: 'archive/**', actions: ['write', 'read'], principals: 'authenticated', effect: 'allow', createOnly: true },
    { id: 'read-alice', paths: 'home/alice/**', actions: ['read'], principals: 'group:readers', effect: 'allow' },
  ],
};

export interface Harness {
  /** The front server's URL: multipart routes + the real gateway. */
  readonly url: string;
  readonly gateway: TestGateway;
  readonly dir: string;
  stop(): Promise<void>;
}

/** The request's target, or undefined when it is a 400/405 (the gateway behind answers those). */
function targetOrNone(method: string, rawKeyPath: string, prefix: string, query: URLSearchParams): RequestTarget | undefined {
  try {
    return requestTarget(method, rawKeyPath, prefix, query);
  } catch {
    return undefined;
  }
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-mp-'));
  const credentials = { accessKeyId: `MP${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  const bucket = 'mp-test';
  const store: EmbeddedStore = await startEmbeddedStore({ dataDir: join(dir, 'store'), host: '127.0.0.1', port: 0, region: 'us-east-1', credentials, buckets: [bucket] });
  writeFileSync(join(dir, 'signpost.yaml'), stringify({ policy, auth: { apiKeys: [alice.entry, bob.entry] } }));
  const gateway = await startGateway({
    s3: { endpoint: store.url, region: 'us-east-1', bucket, ...credentials },
    env: { SIGNPOST_CONFIG: join(dir, 'signpost.yaml') },
  });
  const runtime = gateway.running.runtime;
  const presign = createPresigner({ endpoint: new URL(store.url), region: 'us-east-1', forcePathStyle: true });
  const multipart = createS3Multipart({ presign, credentials: staticCredentials(credentials) });
  const mounts = [...runtime.mounts].sort((a, b) => b.path.length - a.path.length).map((m) => ({ ...m, multipart }));
  const { logger } = memoryLogger('warn');
  const bodyUploads = createBodyUploads(DEFAULT_BODY_UPLOADS, logger);
  const ctx: RouteContext = { decide: runtime.access.decide, authenticate: runtime.access.authenticate, urlTtl: 300, now: () => new Date(), share: createShareSigner(), cursors: createCursorSealer(undefined), publicUrl: () => undefined, bodyUploads };

  const handler: RequestListener = (req, res) => {
    const target = req.url ?? '/';
    const path = rawPathOf(target);
    const q = target.indexOf('?');
    const query = new URLSearchParams(q === -1 ? '' : target.slice(q + 1));
    const mount = mounts.find((m) => path.startsWith(`${m.path}/`));
    const rt = mount && q !== -1 ? targetOrNone(req.method ?? '', path.slice(mount.path.length + 1), mount.prefix, query) : undefined;
    if (mount && rt?.endpoint === 'multipart') {
      multipartRoute(ctx, req, res, mount, rt, query).catch((err: unknown) => sendError(res, toHttpError(err, res, logger)));
      return;
    }
    runtime.app(req, res);
  };
  const front: Server = createServer({ requestTimeout: 60_000 }, handler);
  front.on('checkContinue', handler);
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

  return {
    url,
    gateway,
    dir,
    stop: async () => {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await gateway.stop();
      await store.close(0);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
