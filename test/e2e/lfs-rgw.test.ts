/**
 * Signpost as a Git LFS server on Ceph RGW 16 (a real S3 implementation): the real git-lfs client
 * suite, locks shared by two gateways on one bucket, and what RGW does with the headers that bind
 * an upload. Measured here and recorded in README.md / docs/backends.md: RGW 16 signs
 * x-amz-checksum-sha256 and then ignores it (any bytes are stored, nothing is kept for HEAD), so
 * the gateway does not count on it (`checksumSha256` is off for non-AWS endpoints) and makes a
 * new object's upload create-only instead, which RGW does enforce (412).
 */
import { createHash, randomBytes } from 'node:crypto';
import { objectCalls } from '../../src/storage/object-calls';
import { createS3Backend } from '../../src/storage/s3-backend';
import { ObjectOperations } from '../../src/storage/types';
import { staticCredentials } from '../../src/signing/credentials';
import { createPresigner } from '../../src/signing/sigv4-presigner';
import { blob, lfs, objectsOf, perform, startTeamGateway, type TeamGateway } from '../lfs/support';
import { createBucket, describeRgw, startRgw, type RgwInstance } from '../support/rgw';
import type { S3Target } from '../support/gateway';
import { describeWith } from '../support/require-tool';
import { lfsGitSuite } from './lfs-git-suite';

jest.setTimeout(300_000);

describeRgw('Git LFS on Ceph RGW', () => {
  let rgw: RgwInstance | null = null;
  let s3: S3Target;
  let t: TeamGateway | undefined;
  beforeAll(async () => {
    rgw = await startRgw();
    if (!rgw) throw new Error('radosgw is not installed');
    const bucket = await createBucket(rgw);
    s3 = { endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
  });
  afterAll(async () => {
    await t?.stop();
    await rgw?.stop();
  });

  describe('what RGW 16 does with x-amz-checksum-sha256', () => {
    it('signs it but does not enforce it: other bytes are stored, and no checksum is kept (so the gateway does not claim it)', async () => {
      // A backend told (wrongly) that RGW verifies checksums, to see what RGW does with the signed header.
      const claiming = createS3Backend({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: staticCredentials(s3), checksumSha256: true });
      const promised = randomBytes(64);
      const other = randomBytes(64);
      const checksum = createHash('sha256').update(promised).digest('base64');
      const signed = await claiming.presign({ operation: ObjectOperations.put, bucket: s3.bucket, key: 'probe/checksum', expiresIn: 60, now: new Date(), contentLength: 64, contentType: 'application/octet-stream', checksumSha256: checksum });
      expect(signed.headers['x-amz-checksum-sha256']).toBe(checksum);
      expect((await fetch(signed.url, { method: 'PUT', body: other, headers: signed.headers })).status).toBe(200);
      expect(await objectCalls({ bucket: s3.bucket, backend: claiming }).head('probe/checksum', new Date(), { checksum: true })).toEqual({ size: 64 });
      // Not even the value is checked: 3 bytes of "checksum", signed, are accepted too.
      const presign = createPresigner({ endpoint: new URL(s3.endpoint), region: s3.region, forcePathStyle: true });
      const headers = { 'content-length': '64', 'x-amz-checksum-sha256': 'AAAA' };
      const url = presign(s3, { method: 'PUT', bucket: s3.bucket, key: 'probe/malformed', query: {}, headers, expiresIn: 60, now: new Date() });
      expect((await fetch(url, { method: 'PUT', body: other, headers: { 'x-amz-checksum-sha256': 'AAAA' } })).status).toBe(200);
      // The gateway's own default for this endpoint: not content-bound.
      expect(createS3Backend({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: staticCredentials(s3) }).checksumSha256).toBe(false);
    });
  });

  describe('uploads on a backend that cannot bind content', () => {
    let gw: TeamGateway;
    beforeAll(async () => {
      gw = await startTeamGateway({ s3 });
    });
    afterAll(() => gw?.stop());

    it('a new object\'s upload is create-only: a second URL for it cannot replace it once stored (412)', async () => {
      const b = blob(512);
      const batch = () => lfs(`${gw.gw.url}/lfs/acme/rgw/objects/batch`, { as: 'alice', body: { operation: 'upload', objects: [b] } });
      const [first, second] = [objectsOf(await batch())[0]!, objectsOf(await batch())[0]!];
      expect(first.actions!.upload!.header).toEqual({ 'Content-Type': 'application/octet-stream', 'If-None-Match': '*' });
      expect((await perform(first.actions!.upload!, 'PUT', b.bytes)).status).toBe(200);
      expect((await perform(second.actions!.upload!, 'PUT', randomBytes(512))).status).toBe(412);
      expect(objectsOf(await batch())[0]).toEqual({ oid: b.oid, size: 512 });
      const [d] = objectsOf(await lfs(`${gw.gw.url}/lfs/acme/rgw/objects/batch`, { as: 'rita', body: { operation: 'download', objects: [b] } }));
      expect(Buffer.from(await (await perform(d!.actions!.download!, 'GET')).arrayBuffer()).equals(b.bytes)).toBe(true);
    });

    it('verify checks the size RGW reports (404 missing, 422 another size, 200 stored)', async () => {
      const b = blob(100);
      const [o] = objectsOf(await lfs(`${gw.gw.url}/lfs/acme/rgw/objects/batch`, { as: 'alice', body: { operation: 'upload', objects: [b] } }));
      const verify = (size: number) => lfs(o!.actions!.verify!.href, { body: { oid: b.oid, size }, as: 'alice' });
      expect((await verify(100)).status).toBe(404);
      expect((await perform(o!.actions!.upload!, 'PUT', b.bytes)).status).toBe(200);
      expect((await verify(100)).status).toBe(200);
      expect((await verify(101)).status).toBe(422);
    });

    it('locks taken through two gateways on one bucket: racing creates leave exactly one lock', async () => {
      const other = await startTeamGateway({ s3 });
      try {
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => lfs(`${(i % 2 ? gw : other).gw.url}/lfs/acme/rgw/locks`, { as: i % 2 ? 'alice' : 'bob', body: { path: 'shared.psd' } })),
        );
        expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
        const seen = await lfs(`${other.gw.url}/lfs/acme/rgw/locks`, { as: 'rita' });
        expect((seen.body.locks as { path: string }[]).map((l) => l.path)).toEqual(['shared.psd']);
      } finally {
        await other.stop();
      }
    });
  });

  describeWith('git-lfs', 'apt-get install git git-lfs')('the git-lfs client', () => {
    lfsGitSuite({
      name: 'rgw',
      bindsContent: false,
      start: async () => (t = await startTeamGateway({ s3 })),
      stop: async () => {
        await t?.stop();
        t = undefined;
      },
    });
  });
});
