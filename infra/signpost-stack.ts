/**
 * SignpostStack: a private bucket, the gateway function and a front door, wired together.
 *
 * Contract: every prop is optional; the defaults give a new private bucket, an HTTP API, every
 * feature on (multipart, listing, share, web; src/config/features.ts) and a function that
 * refuses to start until a policy or `openAccess: true` says who may do what. The features are
 * decided once here and become the function's config, its role's permissions, the share key and
 * the bucket's CORS for the web UI (gateway-function.ts says what each one adds).
 * Outputs: the API URL, the bucket name (and the custom domain's DNS target when set).
 * cdk-nag acknowledgements for what this design does on purpose live in nag-acknowledgements.ts.
 *
 * Function sizing: 1024 MB, 5 s. The handler needs ~60 MB of RAM, but Lambda allots CPU in
 * proportion to memory, and a cold start (loading and compiling the bundle) is CPU-bound: more
 * memory makes every first click faster, and warm requests take a few ms, so their cost is
 * mostly the per-request fee either way. 5 s: a request does no I/O (signing is local), so it
 * ends in milliseconds; the limit only bounds a future secret fetch on the first request.
 */
import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ALL_FEATURES, type Features } from '../src/config/features';
import { checkPrefix } from '../src/keys/object-key';
import { FileBucket, type FileBucketProps } from './file-bucket';
import { FrontDoor, type CustomDomain, type FrontDoorKind } from './front-door';
import { GatewayFunction, type GatewayAccess } from './gateway-function';
import { acknowledgeNagFindings } from './nag-acknowledgements';

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
  /** Optional features; each one off is refused with 501 and costs nothing. @default all on */
  readonly features?: Partial<Features>;
  /** Change it to rotate the share key (a new secret; every share link dies). @default '1' */
  readonly shareKeyVersion?: string;
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
    const features: Features = { ...ALL_FEATURES, ...props.features };
    const kind = props.frontDoor ?? 'http-api';

    const files = new FileBucket(this, 'Files', { ...bucketProps, allowedOrigins });
    const gateway = new GatewayFunction(this, 'Gateway', {
      bucket: files.bucket,
      ...(existingBucketRegion !== undefined && { bucketRegion: existingBucketRegion }),
      mountPath: props.mountPath ?? '/files',
      keyPrefix,
      features,
      ...(props.shareKeyVersion !== undefined && { shareKeyVersion: props.shareKeyVersion }),
      allowedOrigins,
      ...(props.urlTtlSeconds !== undefined && { urlTtlSeconds: props.urlTtlSeconds }),
      access: props.access ?? {},
      memorySize: props.memorySize ?? 1024,
      timeout: Duration.seconds(5),
      logRetention,
      ...(props.sourceMapsAtRuntime !== undefined && { sourceMapsAtRuntime: props.sourceMapsAtRuntime }),
    });
    const door = new FrontDoor(this, 'FrontDoor', {
      kind,
      handler: gateway.function,
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      logRetention,
      ...(props.domain && { domain: props.domain }),
    });

    if (door.publicUrl !== undefined) gateway.function.addEnvironment('SIGNPOST_PUBLIC_URL', door.publicUrl);
    if (features.web) this.serveWebUi(files, door, kind, props.domain !== undefined);

    new CfnOutput(this, 'ApiUrl', { value: door.url, description: 'Base URL of the gateway; files are at <ApiUrl><mountPath>/<key>' });
    new CfnOutput(this, 'BucketName', { value: files.bucket.bucketName, description: 'The bucket the gateway signs for' });
    if (door.domainTarget) new CfnOutput(this, 'DomainTarget', { value: door.domainTarget, description: 'Point the custom domain (CNAME or alias) here' });
    acknowledgeNagFindings(this, { files, gateway, door, kind, keyPrefix });
  }

  /** The page PUTs straight to the bucket from the gateway's origin: the bucket's CORS must allow it. */
  private serveWebUi(files: FileBucket, door: FrontDoor, kind: FrontDoorKind, customDomain: boolean): void {
    if (!files.allowBrowserOrigins(door.origins)) {
      Annotations.of(this).addWarningV2(
        'signpost:web-cors',
        'web: the existing bucket\'s CORS is yours to set: allow the gateway\'s origin (and null) for GET, HEAD, PUT, DELETE, or uploads from the web UI fail.',
      );
    }
    if (kind === 'rest-api' && !customDomain) {
      Annotations.of(this).addWarningV2(
        'signpost:web-stage-path',
        'web: a REST API serves its stage under /prod, but the page and listings link from the root: use a custom domain (domainName) or the http-api / function-url front door for the web UI.',
      );
    }
  }
}
