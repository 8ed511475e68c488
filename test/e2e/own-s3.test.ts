/**
 * The same end-to-end suite against an S3 endpoint of your own (MinIO, R2, AWS, another RGW),
 * opt-in: set SIGNPOST_TEST_S3_ENDPOINT, SIGNPOST_TEST_S3_BUCKET (an existing, disposable
 * bucket), SIGNPOST_TEST_S3_REGION, SIGNPOST_TEST_S3_ACCESS_KEY and SIGNPOST_TEST_S3_SECRET_KEY;
 * SIGNPOST_TEST_S3_CHECKSUM_SHA256=true when the endpoint verifies x-amz-checksum-sha256 (AWS does).
 * Objects are written under a random run prefix. Not run otherwise (CI has no such endpoint).
 */
import { conformanceSuite } from './conformance';

const env = process.env;
const endpoint = env.SIGNPOST_TEST_S3_ENDPOINT;

if (endpoint) {
  const required = ['SIGNPOST_TEST_S3_BUCKET', 'SIGNPOST_TEST_S3_ACCESS_KEY', 'SIGNPOST_TEST_S3_SECRET_KEY'].filter((name) => !env[name]);
  if (required.length > 0) throw new Error(`SIGNPOST_TEST_S3_ENDPOINT is set but ${required.join(', ')} is not`);
  describe(`end to end with curl: your S3 endpoint ${endpoint}`, () => {
    conformanceSuite({
      name: 'own-s3',
      contentBound: env.SIGNPOST_TEST_S3_CHECKSUM_SHA256 === 'true',
      setup: () =>
        Promise.resolve({
          endpoint,
          region: env.SIGNPOST_TEST_S3_REGION ?? 'us-east-1',
          bucket: env.SIGNPOST_TEST_S3_BUCKET!,
          accessKeyId: env.SIGNPOST_TEST_S3_ACCESS_KEY!,
          secretAccessKey: env.SIGNPOST_TEST_S3_SECRET_KEY!,
        }),
      teardown: () => Promise.resolve(),
      ...(env.SIGNPOST_TEST_S3_MAX_KEY_BYTES && { maxKeyBytes: Number(env.SIGNPOST_TEST_S3_MAX_KEY_BYTES) }),
    });
  });
} else {
  it.skip('your own S3 endpoint (set SIGNPOST_TEST_S3_ENDPOINT and friends to run the suite against it)', () => undefined);
}
