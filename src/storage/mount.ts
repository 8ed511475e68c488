/**
 * A mount: a URL path on the gateway (`/files`) bound to a bucket, a key prefix and the
 * backend that signs for it. Resolved once at startup from configuration.
 */
import type { StorageBackend } from './types';

export interface Mount {
  /** URL path without trailing slash, e.g. `/files`. */
  readonly path: string;
  readonly bucket: string;
  /** Prepended to every key: empty or ending in `/`. */
  readonly prefix: string;
  readonly backend: StorageBackend;
}
