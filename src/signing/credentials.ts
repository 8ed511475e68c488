/**
 * Signing credentials and a source that keeps them fresh.
 *
 * Presigned URLs die with the credentials that signed them, so the source refreshes ahead of
 * expiry (in the background while the current ones are still good) and the gateway caps each
 * URL's lifetime at the credentials' expiry. A failure to obtain usable credentials surfaces as
 * CredentialsUnavailable, which the HTTP layer answers with 503 + Retry-After.
 */

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When these credentials stop working; absent for long-lived keys. */
  readonly expiration?: Date;
}

export type CredentialProvider = () => Promise<SigningCredentials>;

export class CredentialsUnavailable extends Error {
  override readonly name = 'CredentialsUnavailable';
}

export interface CredentialSource {
  /** Credentials valid at `now` for at least `minValidityMs`, refreshing if needed. */
  get(now: Date): Promise<SigningCredentials>;
}

export function staticCredentials(creds: SigningCredentials): CredentialSource {
  return { get: () => Promise.resolve(creds) };
}

/** Refresh when less than this is left, without blocking requests while the old ones still work. */
const REFRESH_AHEAD_MS = 5 * 60_000;
/** Never hand out a URL that would be dead on arrival. */
const MIN_VALIDITY_MS = 30_000;

export function refreshingCredentials(provider: CredentialProvider): CredentialSource {
  let current: SigningCredentials | undefined;
  let inflight: Promise<SigningCredentials> | undefined;

  const refresh = (): Promise<SigningCredentials> => {
    inflight ??= provider()
      .then((creds) => {
        current = creds;
        return creds;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const remainingMs = (creds: SigningCredentials, now: Date): number =>
    creds.expiration ? creds.expiration.getTime() - now.getTime() : Number.POSITIVE_INFINITY;

  return {
    async get(now) {
      if (current) {
        const left = remainingMs(current, now);
        if (left > REFRESH_AHEAD_MS) return current;
        if (left > MIN_VALIDITY_MS) {
          refresh().catch(() => undefined); // keep serving the still-valid ones; next call retries
          return current;
        }
      }
      let creds: SigningCredentials;
      try {
        creds = await refresh();
      } catch (err) {
        throw new CredentialsUnavailable(`cannot obtain storage credentials: ${(err as Error).message}`);
      }
      if (remainingMs(creds, now) <= MIN_VALIDITY_MS) {
        throw new CredentialsUnavailable('storage credentials are expired or about to expire');
      }
      return creds;
    },
  };
}
