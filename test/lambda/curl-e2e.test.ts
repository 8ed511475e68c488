/**
 * Local end to end: the handler gets the events each front door would send, and the real curl
 * completes the upload and download at the `Location` it answers with, against the embedded
 * store (which verifies SigV4). The Lambda is configured purely from the environment, as on AWS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLambdaHandler, type LambdaHandler } from '../../src/lambda/handler';
import { startEmbeddedStore, type EmbeddedStore } from '../../src/store';
import { uriEncodeKey } from '../../src/signing/uri-encode';
import { curl, curlStatus } from '../support/curl';
import { memoryLogger } from '../support/memory-log';
import { describeWith } from '../support/require-tool';
import { DOORS, eventFor, headersOf, type ClientRequest, type Door } from './support/door-events';

const BUCKET = 'signpost-lambda-e2e';
const CREDENTIALS = { accessKeyId: 'SPLAMBDAE2E0000000001', secretAccessKey: randomBytes(30).toString('base64') };

describeWith('curl', 'apt-get install curl')('Lambda handler + curl + embedded store', () => {
  let store: EmbeddedStore;
  let handler: LambdaHandler;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-lambda-e2e-'));
    store = await startEmbeddedStore({ dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, region: 'us-east-1', credentials: CREDENTIALS, buckets: [BUCKET] });
    handler = createLambdaHandler(
      {
        SIGNPOST_BUCKET: BUCKET,
        AWS_REGION: 'us-east-1',
        SIGNPOST_S3_ENDPOINT: store.url,
        SIGNPOST_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        SIGNPOST_ALLOW_ALL: 'true',
      },
      { logger: memoryLogger('silent').logger },
    );
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function locationFor(door: Door, req: ClientRequest): Promise<string> {
    const outcome = eventFor(door, req);
    if (outcome.kind !== 'event') throw new Error(`${door} refused ${req.path}`);
    const result = await handler(outcome.event);
    expect(result.statusCode).toBe(307);
    const location = headersOf(result).location;
    if (!location) throw new Error('no Location');
    return location;
  }

  const KEYS = ['plain.txt', 'reports/q3 final #1?.txt', '日本語/λ 😀.bin'];

  describe.each(DOORS)('%s', (door) => {
    test.each(KEYS)('upload, download, HEAD, DELETE: %s', async (key) => {
      // Keys with `?` cannot pass an HTTP API intact (it cuts the path there): use another one.
      const usable = (door === 'http-api' || door === 'http-api-v1') && key.includes('?') ? key.replace('?', '') : key;
      const path = `/files/${door}/${uriEncodeKey(usable)}`;
      const content = randomBytes(70_000 + usable.length);
      const file = join(dir, `${door}-${createHash('sha1').update(usable).digest('hex')}`);
      writeFileSync(file, content);

      // The body travels with the event as API Gateway would send it; the Lambda ignores it.
      const put = await locationFor(door, { method: 'PUT', path, headers: { 'Content-Length': String(content.length) }, body: content });
      expect(await curlStatus(['--upload-file', file, put])).toBe(200);

      const get = await locationFor(door, { method: 'GET', path });
      const download = join(dir, 'download');
      expect(await curlStatus(['-o', download, get])).toBe(200);
      expect(readFileSync(download).equals(content)).toBe(true);

      const head = await locationFor(door, { method: 'HEAD', path });
      const headers = await curl(['-I', head]);
      expect(headers.stdout).toMatch(/^HTTP\/1\.1 200/);
      expect(headers.stdout.toLowerCase()).toContain(`content-length: ${content.length}`);

      const del = await locationFor(door, { method: 'DELETE', path });
      expect(await curlStatus(['-X', 'DELETE', del])).toBe(204);
      expect(await curlStatus([await locationFor(door, { method: 'GET', path })])).toBe(404);
    });
  });

  test('a URL signed for GET cannot be used to PUT (the store checks the signature)', async () => {
    const get = await locationFor('http-api', { method: 'GET', path: '/files/x.txt' });
    const file = join(dir, 'x');
    writeFileSync(file, 'x');
    expect(await curlStatus(['--upload-file', file, get])).toBe(403);
  });
});
