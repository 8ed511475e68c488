/**
 * GatewayFunction: the Lambda that serves the gateway (src/lambda.ts), its role and its logs.
 *
 * Node.js 22 on ARM64 (Graviton: ~20% cheaper per GB-second, and the bundle has no native code),
 * bundled locally by NodejsFunction with the esbuild in node_modules (no Docker), using the
 * settings in lambda-bundle.ts. Into the package go generated JSON files next to the bundle,
 * each checked here with the gateway's own code, so a mistake fails the synth, not a cold start:
 * `signpost.json` (mounts, and the `auth` settings from `authFile` without secrets) and, with a
 * policy, `policy.json` (the policy file, YAML converted to JSON; SIGNPOST_POLICY points at it).
 * Secrets never enter the template or the package: the function gets the *names* of a Secrets
 * Manager secret (the JWT secret) and an SSM SecureString (API key entries), read access to those
 * two, and the AWS Parameters and Secrets extension layer to fetch them at init without an SDK.
 *
 * Features (src/config/features.ts) are decided here once: the set goes into `signpost.json`
 * (what is off answers 501) and each one adds exactly what it needs: multipart and listing their
 * S3 actions (object-permissions.ts), share a generated share key (share-key.ts) and read access
 * to it, web the built browser UI in the package (`web/`, next to the bundle, where the app looks).
 *
 * The role has exactly: the object actions the gateway signs, writing to its own log group, and
 * reading the named secrets and the share key when configured. Nothing else.
 */
import { join } from 'node:path';
import { Annotations, ArnFormat, Stack, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Features } from '../src/config/features';
import { LAMBDA_ENTRY, lambdaNodejsBundling, REPO_ROOT } from './lambda-bundle';
import { objectPermissions } from './object-permissions';
import { TASK_ROOT, writePackageFiles } from './package-files';
import { ShareKey } from './share-key';

export interface GatewayAccess {
  /** Serve everyone (allow-all) when no policy is set. Required explicitly. @default false */
  readonly openAccess?: boolean;
  /** A policy file (YAML or JSON) on the deploying machine; validated, bundled as JSON. */
  readonly policyFile?: string;
  /** A file (YAML or JSON) holding the `auth` settings (jwt issuer/audience, ...), no secrets. */
  readonly authFile?: string;
  /** Secrets Manager secret (name or full ARN) holding the JWT HS256 secret; needs `auth.jwt`. */
  readonly jwtSecret?: string;
  /** SSM SecureString parameter name holding a JSON array of API key entries ({ hash, subject, groups? }). */
  readonly apiKeysParameter?: string;
}

export interface GatewayFunctionProps {
  readonly bucket: s3.IBucket;
  /** The bucket's region when it is not the stack's (existing buckets only). */
  readonly bucketRegion?: string;
  readonly mountPath: string;
  readonly keyPrefix: string;
  readonly features: Features;
  /** Rotates the share key when changed (share-key.ts). @default '1' */
  readonly shareKeyVersion?: string;
  readonly allowedOrigins: readonly string[];
  readonly urlTtlSeconds?: number;
  readonly access: GatewayAccess;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /** NODE_OPTIONS=--enable-source-maps: readable stack traces, slower cold starts. @default false */
  readonly sourceMapsAtRuntime?: boolean;
}

export class GatewayFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  /** The share-link key, when `share` is on. */
  readonly shareKey?: ShareKey;
  /** Where `signpost.json` (the function's config file) is staged before it is packaged. */
  readonly configFile: string;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const files = writePackageFiles(this, {
      mountPath: props.mountPath,
      keyPrefix: props.keyPrefix,
      access: props.access,
      features: props.features,
      ...(props.bucketRegion !== undefined && { bucketRegion: props.bucketRegion }),
    });
    this.configFile = files.paths[0]!;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Signpost gateway: signs object requests on one bucket/prefix, writes its own logs',
    });
    for (const statement of objectPermissions(props.bucket, props.keyPrefix, props.features)) this.role.addToPolicy(statement);
    logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      SIGNPOST_BUCKET: props.bucket.bucketName,
      SIGNPOST_CONFIG: `${TASK_ROOT}/signpost.json`,
      SIGNPOST_LOG_LEVEL: 'info',
      ...(props.urlTtlSeconds !== undefined && { SIGNPOST_URL_TTL: String(props.urlTtlSeconds) }),
      ...(props.allowedOrigins.length > 0 && { SIGNPOST_CORS_ORIGINS: props.allowedOrigins.join(',') }),
      ...(props.access.openAccess && !files.policy && { SIGNPOST_ALLOW_ALL: 'true' }),
      ...(files.policy && { SIGNPOST_POLICY: `${TASK_ROOT}/policy.json` }),
      ...(props.sourceMapsAtRuntime && { NODE_OPTIONS: '--enable-source-maps' }),
      ...this.secretEnvironment(props.access),
    };
    if (props.features.share) {
      this.shareKey = new ShareKey(this, 'ShareKey', { ...(props.shareKeyVersion !== undefined && { version: props.shareKeyVersion }) });
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadShareKey', actions: ['secretsmanager:GetSecretValue'], resources: [this.shareKey.secret.secretArn] }));
      environment.SIGNPOST_SHARE_KEY_ID = this.shareKey.secret.secretArn;
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: LAMBDA_ENTRY,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup,
      environment,
      description: 'Signpost: policy-checked 307 redirects to presigned S3 URLs',
      // Serves the secrets below from a local cache; only when there is something to fetch.
      ...((props.access.jwtSecret !== undefined || props.access.apiKeysParameter !== undefined || this.shareKey !== undefined) && {
        paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, { cacheEnabled: true }),
      }),
      bundling: {
        ...lambdaNodejsBundling(),
        format: OutputFormat.CJS,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [
            ...files.paths.map((path) => `cp ${quote(path)} ${quote(output)}/`),
            ...(props.features.web ? [buildWebCommand(`${output}/web`)] : []),
          ],
        },
      },
    });
    this.warnAboutAccess(props.access, files.policy);
  }

  private secretEnvironment(access: GatewayAccess): Record<string, string> {
    const env: Record<string, string> = {};
    if (access.jwtSecret !== undefined) {
      // A name matches the secret's full ARN only with the 6-character suffix Secrets Manager adds.
      const arn = access.jwtSecret.startsWith('arn:')
        ? access.jwtSecret
        : Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${access.jwtSecret}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadJwtSecret', actions: ['secretsmanager:GetSecretValue'], resources: [arn] }));
      env.SIGNPOST_JWT_SECRET_ID = access.jwtSecret;
    }
    if (access.apiKeysParameter !== undefined) {
      const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(this, 'ApiKeys', { parameterName: access.apiKeysParameter });
      // The aws/ssm key's policy lets account principals decrypt through SSM; no KMS grant needed.
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadApiKeyHashes', actions: ['ssm:GetParameter'], resources: [parameter.parameterArn] }));
      env.SIGNPOST_API_KEYS_PARAMETER = access.apiKeysParameter;
    }
    return env;
  }

  private warnAboutAccess(access: GatewayAccess, policy: boolean): void {
    if (policy) return;
    if (access.openAccess) {
      Annotations.of(this).addWarningV2('signpost:open-access', 'openAccess: anyone who can reach the API can read, write and delete every object under the prefix.');
    } else {
      Annotations.of(this).addWarningV2('signpost:no-access', 'Neither a policy file nor openAccess is set: the function will refuse to start (fail closed). Set -c openAccess=true to try it out.');
    }
  }
}

/** Builds the browser UI (src/web/build.ts, as `npm run build` does into dist/web) into the package. */
function buildWebCommand(outDir: string): string {
  const tsx = join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');
  return [process.execPath, tsx, join(REPO_ROOT, 'infra/web-assets.ts'), outDir].map(quote).join(' ');
}

function quote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}
