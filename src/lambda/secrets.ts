/**
 * Secrets for the Lambda, fetched once at init through the AWS Parameters and Secrets Lambda
 * Extension (a layer the CDK stack adds when secrets are configured): a plain HTTP call to
 * localhost authenticated with the session token, instead of the AWS SDK in the bundle.
 *
 * Contract: `lambdaSecretsFrom(env)` says which secrets the environment names
 * (SIGNPOST_JWT_SECRET_ID: a Secrets Manager secret holding the HS256 secret;
 * SIGNPOST_API_KEYS_PARAMETER: an SSM SecureString holding a JSON array of `auth.apiKeys`
 * entries; SIGNPOST_SHARE_KEY_ID: a Secrets Manager secret holding the share-link key, the same
 * on every container, so a link made on one opens on all and survives cold starts).
 * `fetchLambdaSecrets(env)` gets their values. Errors name the secret, never its value;
 * the values live only in this process's memory, never in the template or the environment.
 */
import { request } from 'node:http';
import { ConfigError } from '../config/load';

type Env = Readonly<Record<string, string | undefined>>;

export interface SecretNames {
  readonly jwtSecretId?: string;
  readonly apiKeysParameter?: string;
  readonly shareKeyId?: string;
}

export interface LambdaSecrets {
  readonly jwtSecret?: string;
  readonly apiKeys?: readonly unknown[];
  readonly shareKey?: string;
}

const DEFAULT_PORT = '2773'; // the extension's documented default
const ATTEMPTS = 3;

export function lambdaSecretsFrom(env: Env): SecretNames | undefined {
  const jwtSecretId = env.SIGNPOST_JWT_SECRET_ID || undefined;
  const apiKeysParameter = env.SIGNPOST_API_KEYS_PARAMETER || undefined;
  const shareKeyId = env.SIGNPOST_SHARE_KEY_ID || undefined;
  if (!jwtSecretId && !apiKeysParameter && !shareKeyId) return undefined;
  return { ...(jwtSecretId && { jwtSecretId }), ...(apiKeysParameter && { apiKeysParameter }), ...(shareKeyId && { shareKeyId }) };
}

export async function fetchLambdaSecrets(env: Env, names: SecretNames): Promise<LambdaSecrets> {
  const token = env.AWS_SESSION_TOKEN;
  if (!token) throw new ConfigError('AWS_SESSION_TOKEN is not set: the secrets extension authenticates callers with it');
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || DEFAULT_PORT;
  const get = (path: string, what: string) => getJson(port, path, token, what);

  const secret = (id: string | undefined) => (id ? get(`/secretsmanager/get?secretId=${encodeURIComponent(id)}`, `secret ${id}`) : undefined);
  const [jwt, keys, share] = await Promise.all([
    secret(names.jwtSecretId),
    names.apiKeysParameter
      ? get(`/systemsmanager/parameters/get?name=${encodeURIComponent(names.apiKeysParameter)}&withDecryption=true`, `parameter ${names.apiKeysParameter}`)
      : undefined,
    secret(names.shareKeyId),
  ]);
  const secrets: { jwtSecret?: string; apiKeys?: unknown[]; shareKey?: string } = {};
  if (jwt !== undefined) secrets.jwtSecret = secretString(jwt, names.jwtSecretId);
  if (share !== undefined) {
    secrets.shareKey = secretString(share, names.shareKeyId);
    if (secrets.shareKey.length < 32) throw new ConfigError(`secret ${names.shareKeyId}: a share key must be at least 32 characters`);
  }
  if (keys !== undefined) {
    const value = (keys as { Parameter?: { Value?: unknown } }).Parameter?.Value;
    let parsed: unknown;
    try {
      parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed)) throw new ConfigError(`parameter ${names.apiKeysParameter}: must hold a JSON array of API key entries ({ hash, subject, groups? })`);
    secrets.apiKeys = parsed;
  }
  return secrets;
}

function secretString(answer: unknown, id: string | undefined): string {
  const value = (answer as { SecretString?: unknown }).SecretString;
  if (typeof value !== 'string' || value === '') throw new ConfigError(`secret ${id}: no SecretString`);
  return value;
}

async function getJson(port: string, path: string, token: string, what: string): Promise<unknown> {
  let last: Error | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      return await getOnce(port, path, token, what);
    } catch (err) {
      last = err as Error;
      if (err instanceof ConfigError) throw err; // a definite answer (403, 404): no retry
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }
  throw new ConfigError(`cannot fetch ${what} from the Parameters and Secrets extension: ${last?.message ?? 'unknown error'}`);
}

function getOnce(port: string, path: string, token: string, what: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { 'X-Aws-Parameters-Secrets-Token': token }, timeout: 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 400 && status < 500) return reject(new ConfigError(`cannot fetch ${what}: the extension answered ${status} (does the function's role allow reading it?)`));
        if (status !== 200) return reject(new Error(`status ${status}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new Error('the answer is not JSON'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
