/**
 * A SigV4 query-string presigner for S3 on node:crypto.
 *
 * Why not getSignedUrl: it costs ~160 µs per URL (middleware stack, endpoint rules), this
 * costs a few µs, and the gateway presigns on every request. The output is byte-identical to
 * @aws-sdk/s3-request-presigner's for the requests the gateway makes; test/signing proves it
 * over a corpus, so any divergence is caught there. Pure: the clock comes in as `now`.
 */
import { createHash, createHmac } from 'node:crypto';
import type { SigningCredentials } from './credentials';
import { uriEncode, uriEncodeKey } from './uri-encode';

export interface S3Target {
  /** Scheme, host and optional port (and base path) of the S3 endpoint. */
  readonly endpoint: URL;
  readonly region: string;
  /** `https://host/bucket/key` instead of `https://bucket.host/key`. */
  readonly forcePathStyle: boolean;
}

export interface QueryPresignRequest {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  /** Extra query parameters, signed (e.g. `x-id`, `response-content-disposition`). */
  readonly query: Readonly<Record<string, string>>;
  /** Headers the client must send; lower-case names; signed along with `host`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresIn: number;
  readonly now: Date;
}

export const MAX_PRESIGN_EXPIRY_SECONDS = 604_800;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export type Presigner = (credentials: SigningCredentials, request: QueryPresignRequest) => string;

/** Builds a presigner for one endpoint; everything that does not vary per request is fixed here. */
export function createPresigner(target: S3Target): Presigner {
  const { endpoint, region } = target;
  const scheme = endpoint.protocol; // 'https:' or 'http:'
  const host = endpoint.host; // includes a non-default port
  const basePath = endpoint.pathname.replace(/\/+$/, '');
  const signingKeys = new SigningKeyCache(region, 's3');

  return (credentials, request) => {
    const virtual = !target.forcePathStyle && isVirtualHostableBucket(request.bucket, scheme === 'http:');
    const requestHost = virtual ? `${request.bucket}.${host}` : host;
    const path = virtual
      ? `${basePath}/${uriEncodeKey(request.key)}`
      : `${basePath}/${uriEncode(request.bucket)}/${uriEncodeKey(request.key)}`;

    const amzDate = toAmzDate(request.now);
    const date = amzDate.slice(0, 8);
    const scope = `${date}/${region}/s3/aws4_request`;

    const headers: [string, string][] = [['host', requestHost]];
    for (const [name, value] of Object.entries(request.headers)) headers.push([name, normalizeHeaderValue(value)]);
    headers.sort(byName);
    const signedHeaders = headers.map(([name]) => name).join(';');

    const params: [string, string][] = [
      ['X-Amz-Algorithm', ALGORITHM],
      ['X-Amz-Content-Sha256', UNSIGNED_PAYLOAD],
      ['X-Amz-Credential', `${credentials.accessKeyId}/${scope}`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(request.expiresIn)],
      ['X-Amz-SignedHeaders', signedHeaders],
    ];
    if (credentials.sessionToken !== undefined) params.push(['X-Amz-Security-Token', credentials.sessionToken]);
    for (const [name, value] of Object.entries(request.query)) params.push([name, value]);
    const encoded = params.map(([k, v]) => [uriEncode(k), uriEncode(v)] as const).sort(byName);
    const canonicalQuery = encoded.map(([k, v]) => `${k}=${v}`).join('&');

    const canonicalRequest = [
      request.method,
      path,
      canonicalQuery,
      headers.map(([name, value]) => `${name}:${value}\n`).join(''),
      signedHeaders,
      UNSIGNED_PAYLOAD,
    ].join('\n');
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', signingKeys.get(credentials.secretAccessKey, date))
      .update(stringToSign)
      .digest('hex');

    // The SDK emits the query in sorted order with the signature in its sorted place.
    const withSignature = [...encoded, ['X-Amz-Signature', signature] as const].sort(byName);
    return `${scheme}//${requestHost}${path}?${withSignature.map(([k, v]) => `${k}=${v}`).join('&')}`;
  };
}

/** Derived keys change once a day per secret; deriving costs four HMACs, so keep the last few. */
class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();
  constructor(
    private readonly region: string,
    private readonly service: string,
  ) {}

  get(secret: string, date: string): Buffer {
    const id = `${date}\n${secret}`;
    let key = this.keys.get(id);
    if (!key) {
      const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
      const kRegion = createHmac('sha256', kDate).update(this.region).digest();
      const kService = createHmac('sha256', kRegion).update(this.service).digest();
      key = createHmac('sha256', kService).update('aws4_request').digest();
      if (this.keys.size >= 8) this.keys.clear(); // rotation and day rollover only; stays tiny
      this.keys.set(id, key);
    }
    return key;
  }
}

/** DNS-safe bucket names go in the host name, as the SDK does; others fall back to path style. */
export function isVirtualHostableBucket(bucket: string, allowDots: boolean): boolean {
  if (bucket.length < 3 || bucket.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) return false;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return false;
  if (bucket.includes('.')) return allowDots && !bucket.includes('..') && !/(^|\.)-|-(\.|$)/.test(bucket);
  return true;
}

export function toAmzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function normalizeHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}
