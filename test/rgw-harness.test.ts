// Proves the RGW harness (test/support/rgw.ts, scripts/rgw/*.sh): a real S3 that verifies
// SigV4, driven with presigned URLs and real curl, then torn down without leftovers.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

import type { RgwInstance } from './support/rgw';
import { createBucket, describeRgw, rgwS3Client, startRgw } from './support/rgw';

jest.setTimeout(120_000);

interface CurlResult {
  status: number;
  body: Buffer;
}

/** Runs curl, writing the response body to a file; returns the HTTP status and the body. */
function curl(args: string[], workDir: string): Promise<CurlResult> {
  const out = join(workDir, `curl-${randomBytes(4).toString('hex')}.out`);
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '30', '-o', out, '-w', '%{http_code}', ...args], (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`curl ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        return;
      }
      const body = existsSync(out) ? readFileSync(out) : Buffer.alloc(0);
      resolve({ status: Number(stdout.trim()), body });
    });
  });
}

/** Alive and not a zombie (zombies wait for init to reap them, which may take a moment). */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describeRgw('RGW test harness', () => {
  let rgw: RgwInstance | null = null;
  let s3: S3Client;
  let bucket: string;
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'rgw-harness-'));
    rgw = await startRgw();
    if (!rgw) return;
    s3 = rgwS3Client(rgw);
    bucket = await createBucket(rgw, undefined, s3);
  });

  afterAll(async () => {
    s3?.destroy();
    await rgw?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('gives a loopback endpoint and credentials', () => {
    if (!rgw) return;
    expect(rgw.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(rgw.region).toBe('us-east-1');
    expect(rgw.accessKeyId).not.toBe('');
    expect(rgw.pids).toHaveLength(3);
  });

  it('uploads through a presigned PUT URL with curl and reads the same bytes back', async () => {
    if (!rgw) return;
    const key = 'dir/hello world ü+%.bin';
    const data = randomBytes(300_001);
    const file = join(workDir, 'upload.bin');
    writeFileSync(file, data);

    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
    expect(putUrl).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum-algorithm/i);
    const put = await curl(['--upload-file', file, putUrl], workDir);
    expect({ status: put.status, body: put.body.toString() }).toEqual({ status: 200, body: '' });

    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
    const get = await curl([getUrl], workDir);
    expect(get.status).toBe(200);
    expect(get.body.length).toBe(data.length);
    expect(get.body.equals(data)).toBe(true);

    // A tampered signature is rejected: RGW really verifies SigV4 (s3rver does not).
    const tampered = new URL(getUrl);
    const sig = tampered.searchParams.get('X-Amz-Signature') ?? '';
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    tampered.searchParams.set('X-Amz-Signature', (sig.startsWith('0') ? '1' : '0') + sig.slice(1));
    const bad = await curl([tampered.toString()], workDir);
    expect(bad.status).toBe(403);
    expect(bad.body.toString()).toContain('SignatureDoesNotMatch');

    // And a URL signed for GET does not authorize a PUT.
    const wrongMethod = await curl(['--upload-file', file, getUrl], workDir);
    expect(wrongMethod.status).toBe(403);
  });

  it('stops every daemon and removes its state dir', async () => {
    if (!rgw) return;
    const { pids, dir } = rgw;
    expect(pids.every(processAlive)).toBe(true);
    await rgw.stop();
    expect(pids.filter(processAlive)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    await rgw.stop(); // idempotent
  });
});
