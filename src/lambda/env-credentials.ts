/**
 * Signing credentials on Lambda: the execution role's temporary keys, read once at init from
 * the environment Lambda sets (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
 * Reading them directly keeps the SDK's credential provider chain out of the bundle.
 *
 * What is known about their lifetime (and what is not): AWS documents these variables as
 * "access keys obtained from the function's execution role", set when the execution environment
 * starts and the same for every invocation it serves; Lambda does not publish how long they stay
 * valid, does not follow the role's MaxSessionDuration, and sets no expiry variable. A presigned
 * URL dies with the session token that signed it, whatever X-Amz-Expires says (AWS Knowledge
 * Center "presigned-url-s3-bucket-expiration"). The one lower bound Lambda implies: a single
 * invocation may run 15 minutes and still call AWS at its end with these keys, so they are good
 * for at least that long from any moment the environment is serving. URLs signed here are
 * therefore capped at LAMBDA_MAX_URL_TTL_SECONDS, and at AWS_CREDENTIAL_EXPIRATION when set
 * (the SDK's convention; Lambda does not set it today).
 */
import { ConfigError } from '../config/load';
import { CredentialsUnavailable, type CredentialSource, type SigningCredentials } from '../signing/credentials';

/** 15 minutes: Lambda's maximum invocation time, the only lifetime these keys are implied to have. */
export const LAMBDA_MAX_URL_TTL_SECONDS = 900;
/** Never sign with keys that are about to expire: the URL would be dead on arrival. */
const MIN_VALIDITY_MS = 30_000;

type Env = Readonly<Record<string, string | undefined>>;

export function lambdaEnvCredentials(env: Env, maxUrlTtlSeconds = LAMBDA_MAX_URL_TTL_SECONDS): CredentialSource {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: on Lambda they hold the execution role\'s keys; give the function a role');
  }
  const fixedExpiry = parseExpiry(env.AWS_CREDENTIAL_EXPIRATION);
  const base: SigningCredentials = {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
  const horizonMs = maxUrlTtlSeconds * 1000;

  return {
    get(now) {
      // A sliding horizon: the s3 backend caps each URL's lifetime at `expiration`.
      let expiration = now.getTime() + horizonMs;
      if (fixedExpiry !== undefined) {
        if (fixedExpiry - now.getTime() <= MIN_VALIDITY_MS) {
          return Promise.reject(new CredentialsUnavailable('the environment\'s AWS credentials are expired or about to expire'));
        }
        expiration = Math.min(expiration, fixedExpiry);
      }
      return Promise.resolve({ ...base, expiration: new Date(expiration) });
    },
  };
}

function parseExpiry(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ConfigError(`AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 time: ${value}`);
  return ms;
}
