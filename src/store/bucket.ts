/**
 * Bucket-level operations: HeadBucket, GetBucketLocation, ListBuckets and ListObjectsV2. Listing
 * reads only the in-memory index (keyindex.ts). Continuation tokens are opaque to clients and
 * say where to resume: after a key, or after every key under a common prefix.
 */
import type { ServerResponse } from 'node:http';
import { S3Error } from './errors';
import { sendEmpty, sendXml } from './http';
import type { Marker } from './keyindex';
import type { ObjectRepo } from './repo';
import type { StoreRequest } from './request';
import { S3_NS, el } from './xml';

const MAX_KEYS = 1000;

/** encoding-type=url as S3 applies it (Go's QueryEscape, keeping '/' and '*'): space is '+'. */
function s3UrlEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.*/]/.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function encodeToken(m: Marker): string {
  return Buffer.from((m.kind === 'key' ? 'k' : 'p') + m.value, 'utf8').toString('base64url');
}

function decodeToken(token: string): Marker {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (token === '' || Buffer.from(text, 'utf8').toString('base64url') !== token || !/^[kp]/.test(text)) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { extra: { ArgumentName: 'continuation-token' } });
  }
  return { kind: text.startsWith('k') ? 'key' : 'prefix', value: text.slice(1) };
}

function parseMaxKeys(v: string | undefined): number {
  if (v === undefined) return MAX_KEYS;
  if (!/^\d{1,10}$/.test(v)) throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', { extra: { ArgumentName: 'max-keys', ArgumentValue: v } });
  return Math.min(Number(v), MAX_KEYS);
}

export function listObjectsV2(repo: ObjectRepo, r: StoreRequest, res: ServerResponse): void {
  const prefix = r.param('prefix') ?? '';
  const delimiter = r.param('delimiter') ?? '';
  const maxKeys = parseMaxKeys(r.param('max-keys'));
  const encodingType = r.param('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { extra: { ArgumentName: 'encoding-type' } });
  }
  const token = r.param('continuation-token');
  const startAfter = r.param('start-after');
  const after: Marker | undefined = token !== undefined ? decodeToken(token) : startAfter !== undefined && startAfter !== '' ? { kind: 'key', value: startAfter } : undefined;
  const page = repo.index(r.bucket).list({ prefix, delimiter, maxKeys, ...(after ? { after } : {}) });

  const enc = encodingType === 'url' ? s3UrlEncode : (s: string): string => s;
  let xml = `<ListBucketResult xmlns="${S3_NS}">${el('Name', r.bucket)}${el('Prefix', enc(prefix))}`;
  if (delimiter !== '') xml += el('Delimiter', enc(delimiter));
  if (startAfter !== undefined) xml += el('StartAfter', enc(startAfter));
  if (token !== undefined) xml += el('ContinuationToken', token);
  xml += el('MaxKeys', maxKeys) + el('KeyCount', page.contents.length + page.commonPrefixes.length) + el('IsTruncated', page.isTruncated);
  if (page.next) xml += el('NextContinuationToken', encodeToken(page.next));
  if (encodingType !== undefined) xml += el('EncodingType', encodingType);
  for (const { key, entry } of page.contents) {
    xml += `<Contents>${el('Key', enc(key))}${el('LastModified', new Date(entry.mtime).toISOString())}${el('ETag', `"${entry.etag}"`)}${el('Size', entry.size)}${el('StorageClass', 'STANDARD')}</Contents>`;
  }
  for (const p of page.commonPrefixes) xml += `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`;
  xml += '</ListBucketResult>';
  sendXml(res, 200, xml);
}

export function headBucket(region: string, res: ServerResponse): void {
  res.setHeader('x-amz-bucket-region', region);
  sendEmpty(res, 200);
}

export function getBucketLocation(region: string, res: ServerResponse): void {
  // us-east-1 is reported as an empty LocationConstraint, as S3 does.
  sendXml(res, 200, `<LocationConstraint xmlns="${S3_NS}">${region === 'us-east-1' ? '' : region}</LocationConstraint>`);
}

export function listBuckets(repo: ObjectRepo, created: Date, res: ServerResponse): void {
  const buckets = repo
    .bucketNames()
    .sort()
    .map((b) => `<Bucket>${el('Name', b)}${el('CreationDate', created.toISOString())}</Bucket>`)
    .join('');
  sendXml(res, 200, `<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner>${el('ID', 'signpost')}${el('DisplayName', 'signpost')}</Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`);
}
