/**
 * SignpostStack: a private bucket, the gateway function and a front door, wired together.
 *
 * Contract: every prop is optional; the defaults give a new private bucket, an HTTP API and a
 * function that refuses to start until a policy or `openAccess: true` says who may do what.
 * Outputs: the API URL, the bucket name (and the custom domain's DNS target when set).
 * cdk-nag acknowledgements for what this design does on purpose live in nag-acknowledgements.ts.
 *
 * Function sizing: 1024 MB, 5 s. The handler needs ~60 MB of RAM, but Lambda allots CPU in
 * proportion to memory, and a cold start (loading and compiling the bundle) is CPU-bound: more
 * memory makes every first click faster, and warm requests take a few ms, so their cost is
 * mostly the per-request fee either way. 5 s: a request does no I/O (signing is local), so it
 * ends in milliseconds; the limit only bounds a future secret fetch on the first request.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { checkPrefix } from '../src/keys/object-key';
import { FileBucket, type FileBucketProps } from './file-bucket';
import { FrontDoor, type CustomDomain, type FrontDoorKind } from './front-door';
import { GatewayFunction, type GatewayAccess } from './gateway-function';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import type { ObjectFeatures } from './object-permissions';

export interface SignpostStackProps extends StackProps {
  /** A new bucket's settings, or `existingBucketName` to use one you have. */
  readonly bucket?: Omit<FileBucketProps, 'allowedOrigins'> & { readonly existingBucketRegion?: string };
  /** Browser origins allowed to call the gateway and to PUT/GET at the bucket. */
  readonly allowedOrigins?: readonly string[];
  /** The gateway URL path files live under. @default /files */
  readonly mountPath?: string;
  /** Key prefix in the bucket (empty or ending in "/"); the role is limited to it. @default '' */
  readonly keyPrefix?: string;
  /** Presigned URL lifetime in seconds; on Lambda at most 900 (see src/lambda/env-credentials.ts). */
  readonly urlTtlSeconds?: number;
  /** Who may do what: a policy file, its secrets, or explicitly open access. */
  readonly access?: GatewayAccess;
  readonly features?: ObjectFeatures;
  /** @default http-api */
  readonly frontDoor?: FrontDoorKind;
  readonly domain?: CustomDomain;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Requests per second (steady, burst) before the front door answers 429. @default 100, 200 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Turn on NODE_OPTIONS=--enable-source-maps (costs cold start; see the README). @default false */
  readonly sourceMapsAtRuntime?: boolean;
}

export class SignpostStack extends Stack {
  constructor(scope: Construct, id: string, props: SignpostStackProps = {}) {
    super(scope, id, props);
    const keyPrefix = props.keyPrefix ?? '';
    const prefixProblem = checkPrefix(keyPrefix);
    if (prefixProblem) throw new Error(`Signpost: keyPrefix "${keyPrefix}" ${prefixProblem}`);
    const { existingBucketRegion, ...bucketProps } = props.bucket ?? {};
    const allowedOrigins = props.allowedOrigins ?? [];
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    const files = new FileBucket(this, 'Files', { ...bucketProps, allowedOrigins });
    const gateway = new GatewayFunction(this, 'Gateway', {
      bucket: files.bucket,
      ...(existingBucketRegion !== undefined && { bucketRegion: existingBucketRegion }),
      mountPath: props.mountPath ?? '/files',
      keyPrefix,
      features: props.features ?? {},
      allowedOrigins,
      ...(props.urlTtlSeconds !== undefined && { urlTtlSeconds: props.urlTtlSeconds }),
      access: props.access ?? {},
      memorySize: props.memorySize ?? 1024,
      timeout: Duration.seconds(5),
      logRetention,
      ...(props.sourceMapsAtRuntime !== undefined && { sourceMapsAtRuntime: props.sourceMapsAtRuntime }),
    });
    const door = new FrontDoor(this, 'FrontDoor', {
      kind: props.frontDoor ?? 'http-api',
      handler: gateway.function,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      logRetention,
      ...(props.domain && { domain: props.domain }),
    });

    new CfnOutput(this, 'ApiUrl', { value: door.url, description: 'Base URL of the gateway; files are at <ApiUrl><mountPath>/<key>' });
    new CfnOutput(this, 'BucketName', { value: files.bucket.bucketName, description: 'The bucket the gateway signs for' });
    if (door.domainTarget) new CfnOutput(this, 'DomainTarget', { value: door.domainTarget, description: 'Point the custom domain (CNAME or alias) here' });
    acknowledgeNagFindings(this, { files, gateway, door, kind: props.frontDoor ?? 'http-api', keyPrefix });
  }
}
