/**
 * S3 POST Object authentication, pure and synchronous: given the form fields that came before
 * the file (names lower-cased), the target bucket and the store's key pair, either throws the
 * S3 error S3 would answer or returns the size range the file must fall in.
 *
 * What is verified, as S3 does: the SigV4 fields (algorithm, credential scope against our key,
 * region and x-amz-date's day), the signature (HMAC-SHA256 of the base64 policy with the derived
 * key), the policy document (base64 JSON with `expiration` and `conditions`), its expiry, every
 * condition (exact match, `starts-with`, `content-length-range`; `bucket` against the real
 * bucket), and that every field except `policy`, `x-amz-signature`, `file` and `x-ignore-*` is
 * named by some condition (S3: "Extra input fields"). Field names are case-insensitive, values
 * are not. A form without a policy is anonymous, and nothing here is public: AccessDenied.
 */
import { checkCredential, type AuthConfig } from './auth';
import { S3Error } from './errors';
import { ALGORITHM, parseAmzDate, signature, signaturesEqual, signingKey } from './sigv4';

/** S3's largest POST Object upload. */
export const MAX_POST_FILE_BYTES = 5 * 1024 ** 3;

export interface SizeRange {
  readonly min: number;
  readonly max: number;
}

type Condition = { readonly op: 'eq' | 'starts-with'; readonly field: string; readonly value: string; readonly text: string } | { readonly op: 'range'; readonly min: number; readonly max: number };

const UNSIGNED_FIELDS = new Set(['policy', 'x-amz-signature', 'file']);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const invalidPolicy = (why: string): S3Error => new S3Error('InvalidPolicyDocument', `Invalid Policy: ${why}`);
const denied = (why: string): S3Error => new S3Error('AccessDenied', `Invalid according to Policy: ${why}`);

function required(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined) {
    throw new S3Error('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, { extra: { ArgumentName: name, ArgumentValue: '' } });
  }
  return value;
}

export function verifyPostPolicy(fields: ReadonlyMap<string, string>, bucket: string, cfg: AuthConfig): SizeRange {
  const policy = fields.get('policy');
  if (policy === undefined) {
    if (fields.has('awsaccesskeyid') || fields.has('signature')) throw new S3Error('AccessDenied', 'Signature version 2 is not supported; use AWS4-HMAC-SHA256.');
    throw new S3Error('AccessDenied', 'Access Denied');
  }
  const algorithm = required(fields, 'x-amz-algorithm');
  if (algorithm !== ALGORITHM) throw new S3Error('InvalidArgument', `x-amz-algorithm only supports "${ALGORITHM}"`, { extra: { ArgumentName: 'x-amz-algorithm', ArgumentValue: algorithm } });
  const credential = required(fields, 'x-amz-credential');
  const amzDate = required(fields, 'x-amz-date');
  const given = required(fields, 'x-amz-signature');
  if (parseAmzDate(amzDate) === null) throw new S3Error('InvalidArgument', "x-amz-date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", { extra: { ArgumentName: 'x-amz-date', ArgumentValue: amzDate } });
  const scope = checkCredential(credential, amzDate, cfg, 'InvalidArgument', 'x-amz-credential');
  const expected = signature(signingKey(cfg.credentials.secretAccessKey, scope.date, scope.region, 's3'), policy);
  if (!signaturesEqual(expected, given)) {
    throw new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      extra: { AWSAccessKeyId: cfg.credentials.accessKeyId, StringToSign: policy },
    });
  }

  const doc = parseDocument(policy);
  const expires = Date.parse(doc.expiration);
  if (cfg.now().getTime() > expires) throw denied('Policy expired.');

  const named = new Set<string>();
  const range = { min: 0, max: MAX_POST_FILE_BYTES };
  for (const c of doc.conditions) {
    if (c.op === 'range') {
      range.min = Math.max(range.min, c.min);
      range.max = Math.min(range.max, c.max);
      continue;
    }
    named.add(c.field);
    const value = c.field === 'bucket' ? bucket : (fields.get(c.field) ?? '');
    if (!holds(c, value)) throw denied(`Policy Condition failed: ${c.text}`);
  }
  const sentBucket = fields.get('bucket');
  if (sentBucket !== undefined && sentBucket !== bucket) throw denied(`Policy Condition failed: the bucket field names another bucket`);
  const extra = [...fields.keys()].filter((name) => !UNSIGNED_FIELDS.has(name) && !name.startsWith('x-ignore-') && !named.has(name));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

function holds(c: Extract<Condition, { op: 'eq' | 'starts-with' }>, value: string): boolean {
  if (c.op === 'eq') return value === c.value;
  // S3: a Content-Type may list several types; each must start with the prefix.
  if (c.field === 'content-type') return value.split(',').every((v) => v.trim().startsWith(c.value));
  return value.startsWith(c.value);
}

function parseDocument(policy: string): { expiration: string; conditions: Condition[] } {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(policy) || policy.length % 4 !== 0) throw invalidPolicy('Invalid Base64 Encoding.');
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(policy, 'base64')));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  if (typeof expiration !== 'string' || !ISO_8601.test(expiration) || Number.isNaN(Date.parse(expiration))) throw invalidPolicy(`Invalid 'expiration' value: '${JSON.stringify(expiration)}'`);
  if (!Array.isArray(conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a List.");
  return { expiration, conditions: conditions.map(parseCondition) };
}

function parseCondition(raw: unknown): Condition {
  const text = JSON.stringify(raw);
  if (Array.isArray(raw)) {
    const [op, a, b] = raw as unknown[];
    const name = typeof op === 'string' ? op.toLowerCase() : '';
    if (name === 'content-length-range') {
      const min = bound(a);
      const max = bound(b);
      if (raw.length !== 3 || min === undefined || max === undefined || min > max) throw invalidPolicy(`Invalid content-length-range condition: ${text}`);
      return { op: 'range', min, max };
    }
    if ((name === 'eq' || name === 'starts-with') && raw.length === 3 && typeof a === 'string' && a.startsWith('$') && typeof b === 'string') {
      return { op: name, field: a.slice(1).toLowerCase(), value: b, text };
    }
    throw invalidPolicy(`Invalid Condition: ${text}`);
  }
  if (typeof raw === 'object' && raw !== null) {
    const entries = Object.entries(raw);
    const [entry] = entries;
    if (entries.length === 1 && entry && typeof entry[1] === 'string') return { op: 'eq', field: entry[0].toLowerCase(), value: entry[1], text };
  }
  throw invalidPolicy(`Invalid Simple-Condition: ${text}`);
}

/** A content-length-range bound: a non-negative integer, as a number or a string of digits. */
function bound(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
