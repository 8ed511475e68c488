/**
 * The Lambda's composition root, run once per execution environment: environment (+ secrets)
 * -> validated config -> S3 backend signing with the environment's keys -> the same express app
 * that `npm start` serves (buildGateway, which loads the policy and authentication from config).
 *
 * Contract: returns the app, or throws ConfigError with a message naming what is wrong, so a
 * misconfigured function fails at init and says why in its log. Deliberately imports neither
 * runtime.ts nor the embedded store (they would bloat the bundle and cannot run on Lambda), nor
 * the AWS SDK (signing is local, credentials come from the environment).
 *
 * Who may do what comes from config - SIGNPOST_POLICY and the config file's `auth` - plus the
 * secrets fetched at init (secrets.ts): the JWT secret becomes `auth.jwt.hs256Secret`, the
 * API key entries are appended to `auth.apiKeys` and the share key becomes `shareKey`, in
 * memory only. Fail closed: a Lambda is
 * reachable from the internet, so without a policy it serves allow-all only when
 * SIGNPOST_ALLOW_ALL=true says so (the long-lived server allows that on loopback only).
 */
import { KEYED_FEATURES } from '../config/features';
import { ConfigError, loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { buildGateway, type Gateway, type GatewayOptions } from '../gateway';
import { createLogger, type Logger } from '../log';
import { createS3Backend } from '../storage/s3-backend';
import { LAMBDA_MAX_URL_TTL_SECONDS, lambdaEnvCredentials } from './env-credentials';
import type { LambdaSecrets } from './secrets';

type Env = Readonly<Record<string, string | undefined>>;

export interface LambdaGateway {
  /** What serverless-http wraps: the express app, or whatever request listener buildGateway returns. */
  readonly app: Gateway['app'];
  readonly config: Config;
  readonly logger: Logger;
}

/** Overrides of what config decides (tests), and a logger to capture lines. */
export interface ComposeOptions extends Omit<GatewayOptions, 'logger'> {
  readonly logger?: Logger;
}

export function composeLambdaGateway(env: Env, options: ComposeOptions = {}, secrets: LambdaSecrets = {}): LambdaGateway {
  if (!env.SIGNPOST_BUCKET) {
    throw new ConfigError('SIGNPOST_BUCKET is required on Lambda: the embedded store needs a long-lived process and a disk, so storage must be an S3 bucket');
  }
  let config = withSecrets(loadConfig(env), secrets);
  const storage = config.storage;
  if (storage.kind !== 's3') throw new ConfigError('storage must be s3 on Lambda');
  if (config.policy === undefined && options.decide === undefined && env.SIGNPOST_ALLOW_ALL !== 'true') {
    throw new ConfigError(
      'no policy configured (SIGNPOST_POLICY): anyone who can reach this function could read, write and delete; set SIGNPOST_ALLOW_ALL=true to accept that (e.g. to try it out)',
    );
  }
  if (config.metrics && config.metricsToken === undefined) {
    throw new ConfigError('SIGNPOST_METRICS on Lambda needs SIGNPOST_METRICS_TOKEN: a function has no loopback port to serve them on, and its front door is public');
  }
  const { logger: given, ...overrides } = options;
  const logger = given ?? createLogger(config.logLevel);
  if (config.urlTtl > LAMBDA_MAX_URL_TTL_SECONDS) {
    logger.warn(
      { urlTtl: config.urlTtl, cap: LAMBDA_MAX_URL_TTL_SECONDS },
      'SIGNPOST_URL_TTL is longer than the Lambda role credentials are known to live; URLs are capped',
    );
  }
  if (config.shareKey === undefined) config = withoutSharedKey(config, logger);
  const { region, endpoint, forcePathStyle, checksumSha256 } = storage;
  const backend = createS3Backend({
    region,
    forcePathStyle,
    credentials: lambdaEnvCredentials(env),
    ...(endpoint !== undefined && { endpoint }),
    ...(checksumSha256 !== undefined && { checksumSha256 }),
  });
  // The front door has the whole body before the function runs, and normalise-event.ts drops a
  // PUT's: there is nothing to stream, so a PUT is always answered with the 307 (bodyUploads
  // does not apply; docs/deploy-aws.md says which upload recipes work here).
  const gatewayConfig: Config = { ...config, bodyUploads: { ...config.bodyUploads, mode: 'redirect' } };
  const { app } = buildGateway(gatewayConfig, backend, { logger, ...overrides });
  return { app, config, logger };
}

/**
 * No share key every container shares (the stack sets SIGNPOST_SHARE_KEY_ID; or SIGNPOST_SHARE_KEY):
 * a key made up per container would make what one container signs fail on the others and after
 * every cold start. Share links, Git LFS (whose verify action carries a signed token) and Uppy
 * (sealed sessions and upload tokens) are turned off (KEYED_FEATURES): off (501) is honest,
 * randomly broken is not. Listing cursors only restart a listing (400 invalid_cursor), so
 * listings stay on with a warning.
 */
function withoutSharedKey(config: Config, logger: Logger): Config {
  const off = KEYED_FEATURES.filter((f) => config.features[f]);
  const why = 'no share key every container shares (the stack sets SIGNPOST_SHARE_KEY_ID; or set SIGNPOST_SHARE_KEY)';
  if (off.length > 0) logger.warn(`${off.map((f) => `features.${f}`).join(', ')} off: ${why}`);
  if (config.features.listing) logger.warn(`listing cursors work on one container only: ${why}`);
  return { ...config, features: { ...config.features, ...Object.fromEntries(off.map((f) => [f, false])) } };
}

function withSecrets(config: Config, secrets: LambdaSecrets): Config {
  if (secrets.shareKey !== undefined) config = { ...config, shareKey: secrets.shareKey };
  if (secrets.jwtSecret === undefined && secrets.apiKeys === undefined) return config;
  const auth: Record<string, unknown> = { ...(config.auth ?? {}) };
  if (secrets.apiKeys !== undefined) {
    const configured = Array.isArray(auth.apiKeys) ? (auth.apiKeys as unknown[]) : [];
    auth.apiKeys = [...configured, ...secrets.apiKeys];
  }
  if (secrets.jwtSecret !== undefined) {
    if (typeof auth.jwt !== 'object' || auth.jwt === null) {
      throw new ConfigError('SIGNPOST_JWT_SECRET_ID is set but the config file has no auth.jwt section (issuer, audience, ...) to use it with');
    }
    auth.jwt = { ...(auth.jwt as Record<string, unknown>), hs256Secret: secrets.jwtSecret };
  }
  return { ...config, auth };
}
