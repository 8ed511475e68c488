/**
 * Request authentication: every request except a CORS preflight must carry a valid SigV4
 * signature, either presigned in the query (what the gateway hands to clients) or in the
 * Authorization header (what the gateway's own S3Client sends). Anonymous access never passes.
 * Returns the payload hash the signature covers, so the body reader can enforce it; everything
 * else about the request (method, path, query, signed headers) is enforced here.
 */
import { S3Error } from './errors';
import type { StoreRequest } from './request';
import {
  ALGORITHM,
  UNSIGNED_PAYLOAD,
  canonicalHeaderValue,
  canonicalQuery,
  canonicalRequest,
  parseAmzDate,
  signature,
  signaturesEqual,
  signingKey,
  stringToSign,
} from './sigv4';

export interface AuthConfig {
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly now: () => Date;
}

export interface AuthResult {
  /** A lower-case hex SHA-256 the body must match, or UNSIGNED-PAYLOAD. */
  readonly payloadHash: string;
}

const MAX_EXPIRES = 604800;
const MAX_SKEW_MS = 15 * 60 * 1000;
const QUERY_AUTH_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];

export function authenticate(r: StoreRequest, cfg: AuthConfig): AuthResult {
  const authz = r.headerValues('authorization');
  const queryAuth = QUERY_AUTH_PARAMS.some((p) => r.has(p));
  if (authz.length > 0 && queryAuth) {
    throw new S3Error('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
  }
  if (queryAuth) return verifyQuery(r, cfg);
  if (authz.length > 0) return verifyHeader(r, cfg, authz);
  if (r.has('Signature') || r.has('AWSAccessKeyId')) {
    throw new S3Error('AccessDenied', 'Signature version 2 is not supported; use AWS4-HMAC-SHA256.');
  }
  throw new S3Error('AccessDenied', 'Access Denied');
}

export interface Scope {
  readonly date: string;
  readonly region: string;
}

/** Checks the five-part credential against our one key pair and region. */
export function checkCredential(credential: string, amzDate: string, cfg: AuthConfig, code: string, what: string): Scope {
  const parts = credential.split('/');
  if (parts.length !== 5) throw new S3Error(code, `Error parsing the ${what} parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  const [akid, date, region, service, term] = parts as [string, string, string, string, string];
  if (akid !== cfg.credentials.accessKeyId) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { extra: { AWSAccessKeyId: akid } });
  }
  if (date !== amzDate.slice(0, 8)) throw new S3Error(code, 'Invalid credential date. Date is not the same as X-Amz-Date.');
  if (region !== cfg.region) {
    throw new S3Error(code, `Error parsing the ${what} parameter; the region '${region}' is wrong; expecting '${cfg.region}'`, { extra: { Region: cfg.region } });
  }
  if (service !== 's3') throw new S3Error(code, `Error parsing the ${what} parameter; incorrect service '${service}'. This endpoint belongs to 's3'.`);
  if (term !== 'aws4_request') throw new S3Error(code, `Error parsing the ${what} parameter; incorrect terminal '${term}'. This endpoint uses 'aws4_request'.`);
  return { date, region };
}

function parseSignedHeaders(list: string, code: string): string[] {
  const names = list.split(';');
  if (names.some((n) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(n))) throw new S3Error(code, 'SignedHeaders is mal-formed.');
  if (!names.includes('host')) throw new S3Error(code, "SignedHeaders must include 'host'.");
  return names;
}

/** S3 refuses x-amz-* request headers that the signature does not cover (they change meaning). */
function checkUnsignedAmzHeaders(r: StoreRequest, signed: readonly string[]): void {
  const raw = r.req.rawHeaders;
  const unsigned: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name.startsWith('x-amz-') && !signed.includes(name) && !unsigned.includes(name)) unsigned.push(name);
  }
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', { extra: { HeadersNotSigned: unsigned.join(', ') } });
  }
}

function checkPayloadHash(value: string, code: string): string {
  if (value === UNSIGNED_PAYLOAD || /^[0-9a-f]{64}$/.test(value)) return value;
  if (value.startsWith('STREAMING-')) throw new S3Error('NotImplemented', 'aws-chunked (streaming) payload signing is not supported by the embedded store; send UNSIGNED-PAYLOAD or the body hash.');
  throw new S3Error(code, 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.');
}

function verifySignature(r: StoreRequest, cfg: AuthConfig, scope: Scope, amzDate: string, signed: readonly string[], payloadHash: string, given: string): void {
  for (const h of signed) {
    if (r.headerValues(h).length === 0) throw new S3Error('SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided: signed header '${h}' is missing from the request.`);
  }
  const creq = canonicalRequest(r.method, r.canonicalUri, canonicalQuery(r.params), signed, (h) => canonicalHeaderValue(r.headerValues(h)), payloadHash);
  const sts = stringToSign(amzDate, `${scope.date}/${scope.region}/s3/aws4_request`, creq);
  const expected = signature(signingKey(cfg.credentials.secretAccessKey, scope.date, scope.region, 's3'), sts);
  if (!signaturesEqual(expected, given)) {
    throw new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      extra: { AWSAccessKeyId: cfg.credentials.accessKeyId, StringToSign: sts, CanonicalRequest: creq },
    });
  }
}

function single(r: StoreRequest, name: string): string {
  const values = r.params.filter((p) => p.name === name);
  if (values.length !== 1) {
    throw new S3Error('AuthorizationQueryParametersError', 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  return (values[0] as { value: string }).value;
}

function verifyQuery(r: StoreRequest, cfg: AuthConfig): AuthResult {
  const code = 'AuthorizationQueryParametersError';
  const [algorithm, credential, amzDate, expiresText, signedList, given] = QUERY_AUTH_PARAMS.map((p) => single(r, p)) as [string, string, string, string, string, string];
  if (algorithm !== ALGORITHM) throw new S3Error(code, `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const dateMs = parseAmzDate(amzDate);
  if (dateMs === null) throw new S3Error(code, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  const scope = checkCredential(credential, amzDate, cfg, code, 'X-Amz-Credential');
  if (!/^\d{1,7}$/.test(expiresText)) throw new S3Error(code, 'X-Amz-Expires should be a number');
  const expires = Number(expiresText);
  if (expires < 1) throw new S3Error(code, 'X-Amz-Expires must be non-negative');
  if (expires > MAX_EXPIRES) throw new S3Error(code, 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
  const signed = parseSignedHeaders(signedList, code);
  const payloadHash = checkPayloadHash(r.param('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD, code);

  const now = cfg.now().getTime();
  if (now > dateMs + expires * 1000) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      extra: { 'X-Amz-Expires': expiresText, Expires: new Date(dateMs + expires * 1000).toISOString(), ServerTime: new Date(now).toISOString() },
    });
  }
  if (dateMs > now + MAX_SKEW_MS) throw new S3Error('AccessDenied', 'Request is not valid yet');
  checkUnsignedAmzHeaders(r, signed);
  verifySignature(r, cfg, scope, amzDate, signed, payloadHash, given);
  return { payloadHash };
}

function verifyHeader(r: StoreRequest, cfg: AuthConfig, authz: readonly string[]): AuthResult {
  const code = 'AuthorizationHeaderMalformed';
  const value = authz.length === 1 ? (authz[0] as string) : '';
  if (value.startsWith('AWS ')) throw new S3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  if (!value.startsWith(`${ALGORITHM} `)) throw new S3Error(code, 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedList = fields.get('SignedHeaders');
  const given = fields.get('Signature');
  if (credential === undefined || signedList === undefined || given === undefined) {
    throw new S3Error(code, 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  const dates = r.headerValues('x-amz-date');
  const amzDate = dates.length === 1 ? (dates[0] as string) : '';
  const dateMs = parseAmzDate(amzDate);
  if (dateMs === null) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const scope = checkCredential(credential, amzDate, cfg, code, 'Credential');
  const signed = parseSignedHeaders(signedList, code);
  const hashes = r.headerValues('x-amz-content-sha256');
  if (hashes.length !== 1) throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  const payloadHash = checkPayloadHash(hashes[0] as string, 'InvalidArgument');

  const now = cfg.now().getTime();
  if (Math.abs(now - dateMs) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
      extra: { RequestTime: amzDate, ServerTime: new Date(now).toISOString(), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) },
    });
  }
  checkUnsignedAmzHeaders(r, signed);
  verifySignature(r, cfg, scope, amzDate, signed, payloadHash, given);
  return { payloadHash };
}
