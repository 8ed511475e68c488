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
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Features } from '../src/config/features';

/** The features that change what the role may do in S3 (src/config/features.ts). */
export type ObjectFeatures = Readonly<Pick<Features, 'listing' | 'multipart'>>;

export const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] as const;
export const MULTIPART_ACTIONS = ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;

export function objectPermissions(bucket: s3.IBucket, keyPrefix: string, features: ObjectFeatures): iam.PolicyStatement[] {
  const objects = bucket.arnForObjects(`${keyPrefix}*`);
  const statements = [
    new iam.PolicyStatement({ sid: 'SignedObjectRequests', actions: [...OBJECT_ACTIONS], resources: [objects] }),
  ];
  if (features.multipart) {
    statements.push(new iam.PolicyStatement({ sid: 'SignedMultipartUploads', actions: [...MULTIPART_ACTIONS], resources: [objects] }));
  }
  if (features.listing) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'SignedListings',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        ...(keyPrefix !== '' && { conditions: { StringLike: { 's3:prefix': [`${keyPrefix}*`] } } }),
      }),
    );
  }
  return statements;
}
