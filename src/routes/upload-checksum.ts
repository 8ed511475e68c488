/**
 * Upload tickets bound to their content: the client says the body's SHA-256, the ticket signs it
 * as `x-amz-checksum-sha256`, and storage refuses any other bytes (nothing is stored). A signed
 * size alone still lets the URL's holder store other bytes of that size.
 *
 * Accepted forms, exactly one value with nothing around it:
 *   - base64 of the 32 raw bytes, canonical (44 characters, `=` at the end): S3's own form,
 *     `openssl dgst -sha256 -binary FILE | base64`
 *   - 64 hex digits, either case: `sha256sum FILE`
 * Anything else is a 400 `invalid_checksum`. The signed (and returned) form is always base64.
 *
 * Only where storage verifies the header (`bindsContent`: the embedded store, AWS S3, an endpoint
 * configured with `checksumSha256`): elsewhere (Ceph RGW 16 stores any bytes under a signed
 * checksum, GCS and Azure have no SHA-256 check) a ticket with a checksum is a 422
 * `checksum_unsupported`, never a URL that looks bound and is not.
 */
import { badRequest, HttpError } from '../http/errors';
import { bindsContent } from '../storage/capabilities';
import type { Mount } from '../storage/mount';

/** The header form of a ticket's checksum (with X-Upload-Length); JSON tickets say `"checksum"`. */
export const CHECKSUM_HEADER = 'X-Upload-Checksum-SHA256';

const BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const HEX = /^[0-9A-Fa-f]{64}$/;

/** The base64 SHA-256 to sign, from either accepted form; 400 for anything else. */
export function parseChecksumSha256(value: unknown, where: string): string {
  if (typeof value === 'string') {
    if (HEX.test(value)) return Buffer.from(value, 'hex').toString('base64');
    // Canonical only: the last character's unused bits must be zero, so one digest has one spelling.
    if (BASE64.test(value) && Buffer.from(value, 'base64').toString('base64') === value) return value;
  }
  throw badRequest('invalid_checksum', `${where} must be a SHA-256: 64 hex digits (sha256sum) or the base64 of its 32 bytes (openssl dgst -sha256 -binary FILE | base64)`);
}

/** Refuses a checksum on a mount whose storage would sign it and then store any bytes anyway. */
export function requireContentBinding(mount: Mount): void {
  if (bindsContent(mount.backend)) return;
  throw new HttpError(
    422,
    'checksum_unsupported',
    `the storage behind ${mount.path} (${mount.backend.kind}) cannot verify a SHA-256, so no URL here can be bound to one: ask without the checksum (the size is still signed)`,
  );
}
