/**
 * The Git LFS server on Lambda, through every front door's event shape, with two handlers standing
 * for two execution environments on one bucket (the embedded store, which verifies SigV4 and
 * x-amz-checksum-sha256): a batch upload whose action goes straight to storage, the verify action
 * answered by the other environment (the share key signs its token), and a lock taken in one
 * environment that the other one refuses to take again: no database, no shared memory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLambdaHandler, type LambdaHandler } from '../../src/lambda/handler';
import { startEmbeddedStore, type EmbeddedStore } from '../../src/store';
import { memoryLogger } from '../support/memory-log';
import { DOORS, eventFor, type Door } from './support/door-events';

const BUCKET = 'signpost-lambda-lfs';
const CREDENTIALS = { accessKeyId: 'SPLAMBDALFS000000001', secretAccessKey: randomBytes(30).toString('base64') };
const LFS_JSON = 'application/vnd.git-lfs+json';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

describe('Git LFS on Lambda', () => {
  let store: EmbeddedStore;
  let dir: string;
  let first: LambdaHandler;
  let second: LambdaHandler;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-lambda-lfs-'));
    store = await startEmbeddedStore({ dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, region: 'us-east-1', credentials: CREDENTIALS, buckets: [BUCKET] });
    const env = {
      SIGNPOST_BUCKET: BUCKET,
      AWS_REGION: 'us-east-1',
      SIGNPOST_S3_ENDPOINT: store.url,
      SIGNPOST_FORCE_PATH_STYLE: 'true',
      SIGNPOST_S3_CHECKSUM_SHA256: 'true', // this endpoint verifies checksums: say so
      SIGNPOST_SHARE_KEY: randomBytes(32).toString('base64'),
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      SIGNPOST_ALLOW_ALL: 'true',
    };
    first = createLambdaHandler(env, { logger: memoryLogger('silent').logger });
    second = createLambdaHandler(env, { logger: memoryLogger('silent').logger });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(handler: LambdaHandler, door: Door, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const outcome = eventFor(door, {
      method,
      path,
      headers: { Accept: LFS_JSON, ...(body !== undefined && { 'Content-Type': LFS_JSON }), ...headers },
      ...(body !== undefined && { body: Buffer.from(JSON.stringify(body)) }),
    });
    if (outcome.kind !== 'event') throw new Error(`${door} refused ${path}`);
    const result = await handler(outcome.event);
    const raw = typeof result.body === 'string' ? result.body : '';
    const text = result.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    return { status: result.statusCode as number, body: JSON.parse(text) as Record<string, unknown> };
  }

  describe.each(DOORS)('%s', (door) => {
    test('upload straight to storage, verify in another environment, a lock both environments agree on', async () => {
      const bytes = randomBytes(4096);
      const oid = createHash('sha256').update(bytes).digest('hex');
      const repo = `/lfs/doors/${door}`;
      const batch = await send(first, door, 'POST', `${repo}/objects/batch`, { operation: 'upload', objects: [{ oid, size: bytes.length }] });
      expect(batch.status).toBe(200);
      const [object] = batch.body.objects as { actions: Record<string, { href: string; header: Record<string, string> }> }[];
      const { upload, verify } = object!.actions;
      expect(upload!.header['X-Amz-Checksum-Sha256']).toBe(Buffer.from(oid, 'hex').toString('base64'));
      expect((await fetch(upload!.href, { method: 'PUT', body: bytes, headers: upload!.header })).status).toBe(200);

      const verified = await send(second, door, 'POST', new URL(verify!.href).pathname, { oid, size: bytes.length }, verify!.header);
      expect(verified.status).toBe(200);

      expect((await send(first, door, 'POST', `${repo}/locks`, { path: 'art/hero.psd' })).status).toBe(201);
      const again = await send(second, door, 'POST', `${repo}/locks`, { path: 'art/hero.psd' });
      expect(again.status).toBe(409);
      expect((again.body.lock as { path: string }).path).toBe('art/hero.psd');
      expect(((await send(second, door, 'GET', `${repo}/locks`)).body.locks as unknown[]).length).toBe(1);
    });
  });
});
