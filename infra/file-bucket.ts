/**
 * FileBucket: the bucket the gateway signs for - a new private one, or an existing one by name.
 *
 * A new bucket is private (every public access block on, owner-enforced objects, no ACLs),
 * encrypted at rest (SSE-S3), reachable only over TLS 1.2+ (bucket policy denies the rest),
 * aborts incomplete multipart uploads, and may keep versions. Its server access logs go to a
 * second bucket, because the gateway's own log shows which URLs it handed out, not which were
 * used. CORS rules exist only for configured origins (`allowedOrigins`, and those the stack adds
 * with `allowBrowserOrigins`: the gateway's own origin, for its web UI); see `allowNullOrigin`.
 *
 * An existing bucket is used as it is: CORS, lifecycle and encryption stay its owner's job.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface FileBucketProps {
  /** Use this existing bucket instead of creating one. */
  readonly existingBucketName?: string;
  /** Keep every version of every object (new bucket only). @default false */
  readonly versioned?: boolean;
  /** Days before a replaced or deleted version is removed, when versioned. @default 30 */
  readonly noncurrentVersionDays?: number;
  /** Browser origins allowed to PUT/GET at presigned URLs. @default none (no CORS rules) */
  readonly allowedOrigins?: readonly string[];
  /**
   * Also allow `Origin: null`. A browser that follows the gateway's cross-origin 307 sends
   * `Origin: null` to the bucket (minio/minio#17517), so without this a page's `fetch(PUT)` through
   * the redirect fails CORS. It grants nothing a URL holder lacks: S3 still checks the signature;
   * CORS only decides whether page scripts may read the answer. @default true when origins are set
   */
  readonly allowNullOrigin?: boolean;
  /** Days before an unfinished multipart upload's parts are deleted. @default 7 */
  readonly abortIncompleteUploadDays?: number;
  /** @default RemovalPolicy.RETAIN - files outlive the stack */
  readonly removalPolicy?: RemovalPolicy;
}

export class FileBucket extends Construct {
  readonly bucket: s3.IBucket;
  /** True when this stack created (and configured) the bucket. */
  readonly created: boolean;
  private readonly own?: s3.Bucket;
  private readonly allowNull: boolean;

  constructor(scope: Construct, id: string, props: FileBucketProps = {}) {
    super(scope, id);
    this.allowNull = props.allowNullOrigin ?? true;
    if (props.existingBucketName !== undefined) {
      this.bucket = s3.Bucket.fromBucketName(this, 'Bucket', props.existingBucketName);
      this.created = false;
      return;
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, // log delivery is granted by bucket policy
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy,
    });
    const versioned = props.versioned ?? false;
    this.own = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned,
      serverAccessLogsBucket: asIBucket(accessLogs),
      serverAccessLogsPrefix: 'files/',
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(props.abortIncompleteUploadDays ?? 7) },
        ...(versioned ? [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 30) }] : []),
      ],
      removalPolicy,
    });
    this.bucket = asIBucket(this.own);
    this.created = true;
    this.allowBrowserOrigins(props.allowedOrigins ?? []);
  }

  /**
   * One CORS rule for these origins (plus `null`, see allowNullOrigin), exactly what the gateway
   * signs. False for an existing bucket, whose CORS stays its owner's job.
   */
  allowBrowserOrigins(origins: readonly string[]): boolean {
    if (!this.own) return false;
    if (origins.length === 0) return true;
    const allowed = [...origins];
    if (this.allowNull && !allowed.includes('*')) allowed.push('null');
    this.own.addCorsRule({
      allowedOrigins: allowed,
      // PUT carries Content-Type / If-None-Match when signed; ETag is how a browser completes multipart.
      allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.PUT, s3.HttpMethods.DELETE],
      allowedHeaders: ['content-type', 'if-none-match', 'range'],
      exposedHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Content-Disposition'],
      maxAge: 600,
    });
    return true;
  }
}

/**
 * aws-cdk-lib is not written for exactOptionalPropertyTypes (Bucket's `isWebsite` is
 * `boolean | undefined`, IBucket's `boolean`), so its own Bucket needs this nudge to be an IBucket.
 */
function asIBucket(bucket: s3.Bucket): s3.IBucket {
  return bucket as unknown as s3.IBucket;
}
