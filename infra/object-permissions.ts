/**
 * The S3 permissions of the gateway's role: exactly the actions behind the requests it signs,
 * on that bucket and key prefix, nothing else.
 *
 * A presigned URL carries the signer's authority, not more: S3 accepts it only if the role that
 * signed may do the action itself. So the role needs s3:GetObject (GET and HEAD),
 * s3:PutObject (PUT, and creating/uploading/completing multipart uploads) and s3:DeleteObject;
 * s3:ListBucket only when listings are on (limited to the prefix), and the multipart-only
 * actions only when multipart uploads are on: s3:ListMultipartUploadParts (resuming, and
 * Complete, which lists the parts to check them first) and s3:AbortMultipartUpload.
 *
 * The Git LFS server (src/lfs) signs only object requests (HEAD for "already stored" and verify,
 * GET/PUT for the transfers, create-only PUT, GET and DELETE for lock objects under
 * `<prefix>lfs/<repo>/locks/`): the object actions cover them. The one thing it adds is listing
 * a repository's locks (GET /locks): s3:ListBucket limited to the `s3:prefix` of lock folders,
 * `<prefix>lfs/<repo>/locks/` (LFS_LOCKS_PREFIX), and no other name in the bucket.
 *
 * The Uppy endpoint (src/uppy) signs POST forms (s3:PutObject) and multipart uploads whose parts
 * it lists (GET s3/multipart/<id>) and aborts: the multipart actions, granted for either feature.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Features } from '../src/config/features';

/** The features that change what the role may do in S3 (src/config/features.ts). */
export type ObjectFeatures = Readonly<Pick<Features, 'listing' | 'multipart' | 'lfs' | 'uppy'>>;

export const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] as const;
export const MULTIPART_ACTIONS = ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;
/** What the lock store lists, as an IAM StringLike pattern under the key prefix (src/lfs/paths.ts locksKey). */
export const LFS_LOCKS_PREFIX = 'lfs/*/locks/';

export function objectPermissions(bucket: s3.IBucket, keyPrefix: string, features: ObjectFeatures): iam.PolicyStatement[] {
  const objects = bucket.arnForObjects(`${keyPrefix}*`);
  const statements = [
    new iam.PolicyStatement({ sid: 'SignedObjectRequests', actions: [...OBJECT_ACTIONS], resources: [objects] }),
  ];
  if (features.multipart || features.uppy) {
    statements.push(new iam.PolicyStatement({ sid: 'SignedMultipartUploads', actions: [...MULTIPART_ACTIONS], resources: [objects] }));
  }
  // The lock store lists `<prefix>lfs/<repo>/locks/` (src/lfs/lock-store.ts); `*` spans the repo's segments.
  if (features.lfs) statements.push(listBucket(bucket, 'ListLfsLocks', `${keyPrefix}${LFS_LOCKS_PREFIX}`));
  if (features.listing) statements.push(listBucket(bucket, 'SignedListings', keyPrefix === '' ? undefined : `${keyPrefix}*`));
  return statements;
}

/** s3:ListBucket on the bucket, limited to names matching `prefix` (StringLike) when there is one. */
function listBucket(bucket: s3.IBucket, sid: string, prefix: string | undefined): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    ...(prefix !== undefined && { conditions: { StringLike: { 's3:prefix': [prefix] } } }),
  });
}
