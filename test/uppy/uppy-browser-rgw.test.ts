/**
 * Stock Uppy in Chromium against the gateway in front of Ceph RGW (browser-suite.ts): RGW
 * verifies the POST policies and part URLs. The bucket gets a CORS rule (any origin, ETag
 * exposed: Uppy reads part ETags), as a real deployment's bucket needs. Needs radosgw and
 * chromium; in CI a missing one fails the run.
 */
import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeWith } from '../support/require-tool';
import { createBucket, describeRgw, rgwS3Client, startRgw, type RgwInstance } from '../support/rgw';
import { startUppyGateway } from '../support/uppy';
import { uppyBrowserSuite } from './browser-suite';

jest.setTimeout(300_000);

describeWith('chromium', 'apt-get install chromium')('Uppy in the browser', () => {
  describeRgw('Ceph RGW', () => {
    uppyBrowserSuite('rgw', async (pageOrigin) => {
      const rgw: RgwInstance | null = await startRgw();
      if (!rgw) throw new Error('radosgw is not installed');
      const client: S3Client = rgwS3Client(rgw);
      const bucket = await createBucket(rgw, undefined, client);
      await client.send(
        new PutBucketCorsCommand({
          Bucket: bucket,
          CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 }] },
        }),
      );
      client.destroy();
      const gateway = await startUppyGateway({ corsOrigin: pageOrigin, s3: { endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } });
      return {
        gateway,
        stop: async () => {
          await gateway.stop();
          await rgw.stop();
        },
      };
    });
  });
});
