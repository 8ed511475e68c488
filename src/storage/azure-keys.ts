/**
 * Where an Azure backend's SAS signing key comes from: the storage account key (shared key), or
 * a user delegation key that the gateway requests with an Entra ID token (managed identity,
 * via `@azure/identity`, loaded only when configured). Delegation keys are cached and renewed
 * well before they expire; a SAS never outlives the key that signed it (see azure-backend.ts).
 *
 * Contract: `get(now)` resolves a key valid for at least MIN_VALIDITY_MS, or rejects with
 * CredentialsUnavailable (the route turns that into 503 + Retry-After, never a dead URL).
 */
import { XMLParser } from 'fast-xml-parser';
import { CredentialsUnavailable } from '../signing/credentials';
import { SAS_VERSION, sasDate, type SasKey, type UserDelegationKey } from './azure-sas';

export interface AzureKeySource {
  /** `expiresOn` present: no SAS may expire after it. */
  get(now: Date): Promise<{ readonly key: SasKey; readonly expiresOn?: Date }>;
}

/** The slice of `@azure/identity`'s TokenCredential used here (so tests can pass a fake). */
export interface TokenSource {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

export const STORAGE_SCOPE = 'https://storage.azure.com/.default';
/** Delegation keys are requested for this long (Azure allows up to 7 days)... */
const DELEGATION_KEY_LIFETIME_MS = 6 * 3600_000;
/** ...and renewed when less than this is left, which also bounds a SAS's lifetime. */
const MIN_VALIDITY_MS = 2 * 3600_000;

export function accountKeySource(accountKey: string): AzureKeySource {
  if (Buffer.from(accountKey, 'base64').length < 16) throw new Error('the account key must be the base64 key shown for the storage account');
  const result = { key: { kind: 'account-key', accountKey } as const };
  return { get: () => Promise.resolve(result) };
}

export async function managedIdentityTokens(clientId?: string): Promise<TokenSource> {
  const { ManagedIdentityCredential } = await import('@azure/identity');
  return clientId !== undefined ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}

/**
 * `serviceUrl`: the account's blob endpoint (`https://ACCOUNT.blob.core.windows.net`, or an
 * emulator's `http://127.0.0.1:10000/ACCOUNT`). Concurrent callers share one request.
 */
export function userDelegationKeySource(serviceUrl: string, tokens: TokenSource, fetchImpl: typeof fetch = fetch): AzureKeySource {
  let cached: { key: SasKey; expiresOn: Date } | undefined;
  let pending: Promise<{ key: SasKey; expiresOn: Date }> | undefined;

  const request = async (now: Date) => {
    try {
      const token = await tokens.getToken(STORAGE_SCOPE);
      if (!token) throw new Error('no token');
      const start = new Date(now.getTime() - 5 * 60_000); // tolerate clock skew with Azure
      const expiry = new Date(now.getTime() + DELEGATION_KEY_LIFETIME_MS);
      const body = `<?xml version="1.0" encoding="utf-8"?><KeyInfo><Start>${sasDate(start)}</Start><Expiry>${sasDate(expiry)}</Expiry></KeyInfo>`;
      const res = await fetchImpl(`${serviceUrl.replace(/\/+$/, '')}/?restype=service&comp=userdelegationkey`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.token}`, 'x-ms-version': SAS_VERSION, 'content-type': 'application/xml' },
        body,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const key = parseDelegationKey(text);
      return { key: { kind: 'user-delegation', key } as const, expiresOn: key.signedExpiresOn };
    } catch (err) {
      throw new CredentialsUnavailable(`cannot get an Azure user delegation key: ${(err as Error).message}`);
    }
  };

  return {
    async get(now) {
      if (cached && cached.expiresOn.getTime() - now.getTime() >= MIN_VALIDITY_MS) return cached;
      pending ??= request(now).finally(() => {
        pending = undefined;
      });
      cached = await pending;
      return cached;
    },
  };
}

export function parseDelegationKey(xml: string): UserDelegationKey {
  const doc = new XMLParser({ parseTagValue: false }).parse(xml) as { UserDelegationKey?: Record<string, unknown> };
  const k = doc.UserDelegationKey;
  const text = (name: string): string => {
    const v = k?.[name];
    if (typeof v !== 'string' || v === '') throw new Error(`the user delegation key response has no ${name}`);
    return v;
  };
  return {
    signedObjectId: text('SignedOid'),
    signedTenantId: text('SignedTid'),
    signedStartsOn: new Date(text('SignedStart')),
    signedExpiresOn: new Date(text('SignedExpiry')),
    signedService: text('SignedService'),
    signedVersion: text('SignedVersion'),
    value: text('Value'),
  };
}
