/**
 * A real S3 backend (real SigV4 presigning, AKIDEXAMPLE's credentials) for a store nobody runs:
 * 127.0.0.1:9, the discard port, where nothing listens. For tests that look at the gateway's
 * redirects and never follow them; one that did would fail at once on a refused connection
 * rather than hang or reach something real.
 */
import { staticCredentials } from '../../src/signing/credentials';
import { createS3Backend } from '../../src/storage/s3-backend';
import type { StorageBackend } from '../../src/storage/types';

export const UNREACHABLE_S3_ENDPOINT = 'http://127.0.0.1:9';

export function unreachableS3(): StorageBackend {
  return createS3Backend({ region: 'us-east-1', endpoint: UNREACHABLE_S3_ENDPOINT, forcePathStyle: true, credentials: staticCredentials({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }) });
}
