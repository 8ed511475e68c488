// Keys and token minting for auth tests.
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const NOW = new Date('2030-01-01T00:00:00Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'signpost';
export const SECRET = 'test-secret-0123456789-abcdefghijklmnop'; // >= 32 bytes

export interface KeyPair {
  readonly alg: 'ES256' | 'RS256';
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

export async function keyPair(alg: 'ES256' | 'RS256', kid = `${alg.toLowerCase()}-1`): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, publicPem: await exportSPKI(publicKey) };
}

export interface MintOptions {
  readonly alg?: string;
  readonly key?: CryptoKey | Uint8Array;
  readonly kid?: string;
  /** Claims merged over the defaults (sub, iss, aud, iat, exp = now + 10 min); `undefined` removes one. */
  readonly claims?: Record<string, unknown>;
}

export async function mint(opts: MintOptions = {}): Promise<string> {
  const defaults: JWTPayload = { sub: 'alice', groups: ['eng', 'ops'], iss: ISSUER, aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 600 };
  const claims = Object.fromEntries(Object.entries({ ...defaults, ...opts.claims }).filter(([, v]) => v !== undefined));
  return new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', ...(opts.kid !== undefined && { kid: opts.kid }) })
    .sign(opts.key ?? new TextEncoder().encode(SECRET));
}
