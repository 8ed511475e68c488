/**
 * A SigV4 query-string presigner for S3 on node:crypto.
 *
 * Why not getSignedUrl: it costs ~160 µs per URL (middleware stack, endpoint rules), this
 * costs a few µs, and the gateway presigns on every request. The output is byte-identical to
 * @aws-sdk/s3-request-presigner's for the requests the gateway makes; test/signing proves it
 * over a corpus, so any divergence is caught there. Pure: the clock comes in as `now`.
 */
import { createHmac } from 'node:crypto';
import type { SigningCredentials } from './credentials';
import { sha256Hex } from './sha256';
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

/**
 * A URL lifetime of at most `wanted` seconds that SigV4 accepts (7 days) and that never outlives
 * the credentials signing it (a URL dies with them); at least 1 s.
 */
export function signableSeconds(credentials: SigningCredentials, now: Date, wanted: number): number {
  let seconds = Math.min(wanted, MAX_PRESIGN_EXPIRY_SECONDS);
  if (credentials.expiration) seconds = Math.min(seconds, Math.floor((credentials.expiration.getTime() - now.getTime()) / 1000));
  return Math.max(1, seconds);
}
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
  const virtualBuckets = new Map<string, boolean>();
  const isVirtual = (bucket: string): boolean => {
    let virtual = virtualBuckets.get(bucket);
    if (virtual === undefined) {
      virtual = !target.forcePathStyle && isVirtualHostableBucket(bucket, scheme === 'http:');
      // Stryker disable next-line ConditionalExpression,EqualityOperator: only bounds the cache's size
      if (virtualBuckets.size < 1024) virtualBuckets.set(bucket, virtual);
    }
    return virtual;
  };

  let lastCredential = '';
  let lastEncodedCredential = '';

  return (credentials, request) => {
    const virtual = isVirtual(request.bucket);
    const requestHost = virtual ? `${request.bucket}.${host}` : host;
    const path = virtual
      ? `${basePath}/${uriEncodeKey(request.key)}`
      : `${basePath}/${uriEncode(request.bucket)}/${uriEncodeKey(request.key)}`;

    const amzDate = toAmzDate(request.now);
    const date = amzDate.slice(0, 8);
    const scope = `${date}/${region}/s3/aws4_request`;

    const headers: [string, string][] = [['host', requestHost]];
    for (const name in request.headers) headers.push([name, normalizeHeaderValue(request.headers[name]!)]);
    if (headers.length > 1) headers.sort(byName);
    let signedHeaders = '';
    let canonicalHeaders = '';
    for (const [name, value] of headers) {
      signedHeaders += signedHeaders === '' ? name : `;${name}`;
      canonicalHeaders += `${name}:${value}\n`;
    }

    const credential = `${credentials.accessKeyId}/${scope}`;
    if (credential !== lastCredential) {
      lastEncodedCredential = uriEncode(credential);
      lastCredential = credential;
    }
    // The X-Amz-* parameters are already in sorted order, and every extra parameter sorts after
    // them (its name starts with a lower-case letter), so the query is built in order, not sorted.
    let head = `X-Amz-Algorithm=${ALGORITHM}&X-Amz-Content-Sha256=${UNSIGNED_PAYLOAD}&X-Amz-Credential=${lastEncodedCredential}&X-Amz-Date=${amzDate}&X-Amz-Expires=${request.expiresIn}`;
    if (credentials.sessionToken !== undefined) head += `&X-Amz-Security-Token=${uriEncode(credentials.sessionToken)}`;
    let tail = `X-Amz-SignedHeaders=${uriEncode(signedHeaders)}`;
    const extraNames = Object.keys(request.query);
    if (extraNames.length > 0) {
      const extras: [string, string][] = [];
      for (const name of extraNames) {
        if (!/^[a-z]/.test(name)) throw new Error(`presigner: query parameter ${name} must start with a lower-case letter`);
        extras.push([uriEncode(name), uriEncode(request.query[name]!)]);
      }
      if (extras.length > 1) extras.sort(byName);
      for (const [k, v] of extras) tail += `&${k}=${v}`;
    }

    const canonicalRequest = `${request.method}\n${path}\n${head}&${tail}\n${canonicalHeaders}\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', signingKeys.get(credentials.secretAccessKey, date))
      .update(stringToSign)
      .digest('hex');

    // The SDK's order: X-Amz-Signature sorts right before X-Amz-SignedHeaders.
    return `${scheme}//${requestHost}${path}?${head}&X-Amz-Signature=${signature}&${tail}`;
  };
}

/** Derived keys change once a day per secret; deriving costs four HMACs, so keep the last few. */
export class SigningKeyCache {
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
      // Stryker disable next-line ConditionalExpression,EqualityOperator: only bounds the cache's size
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

let lastSecond = NaN;
let lastAmzDate = '';
/** `20260102T235959Z`; cached per second, since every request in that second asks for it. */
export function toAmzDate(now: Date): string {
  // Stryker disable next-line ArithmeticOperator: only the cache key; any key that changes with the second works
  const second = Math.floor(now.getTime() / 1000);
  if (second !== lastSecond) {
    lastAmzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    lastSecond = second;
  }
  return lastAmzDate;
}

function normalizeHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

