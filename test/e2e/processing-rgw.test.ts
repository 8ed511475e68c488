/**
 * Hand files to a processing service, on Ceph RGW (a real S3): unknown-size PUT URLs sign only
 * the host (plus type and create-only when asked), and RGW enforces what is signed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway } from '../support/gateway';
import { createBucket, describeRgw, startRgw, type RgwInstance } from '../support/rgw';
import { processingAuth, processingPolicy, processingSuite } from './processing';

jest.setTimeout(120_000);

describeRgw('processing service: Ceph RGW', () => {
  let rgw: RgwInstance | null = null;
  processingSuite({
    name: 'rgw',
    start: async (dir) => {
      rgw = await startRgw();
      if (!rgw) throw new Error('radosgw is not installed');
      const bucket = await createBucket(rgw);
      writeFileSync(join(dir, 'signpost.json'), JSON.stringify({ policy: processingPolicy(false), auth: processingAuth }));
      const s3 = { endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
      const gw = await startGateway({ s3, env: { SIGNPOST_CONFIG: join(dir, 'signpost.json') } });
      return {
        mountUrl: `${gw.url}/files`,
        stop: async () => {
          await gw.stop();
          await rgw?.stop();
        },
      };
    },
    expects: { written: 200, createOnlyConflict: [412, 'PreconditionFailed'], wrongType: 'refused', chunked: [411, 'MissingContentLength'] },
  });
});
