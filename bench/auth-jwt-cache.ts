/**
 * Does the verified-JWT cache pay? Run: `npx tsx bench/auth-jwt-cache.ts`.
 * Authenticates the same few tokens repeatedly (a client reusing its token across requests)
 * with the cache disabled and enabled, for HS256, RS256 and ES256, and prints median µs per call.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createAuthenticator, type AuthIo } from '../src/auth';

const NOW = new Date();
const SECRET = 'bench-secret-0123456789-abcdefghijklmnop';
const ROUNDS = 15;
const CALLS = 400;

async function tokens(alg: 'HS256' | 'RS256' | 'ES256'): Promise<{ io: AuthIo; jwt: Record<string, unknown>; tokens: string[] }> {
  const exp = Math.floor(NOW.getTime() / 1000) + 3600;
  if (alg === 'HS256') {
    const key = new TextEncoder().encode(SECRET);
    const ts = await Promise.all(Array.from({ length: 8 }, (_, i) => new SignJWT({ sub: `u${i}`, exp }).setProtectedHeader({ alg }).sign(key)));
    return { io: { env: {}, readFile: () => '' }, jwt: { hs256Secret: SECRET }, tokens: ts };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg }] });
  const ts = await Promise.all(Array.from({ length: 8 }, (_, i) => new SignJWT({ sub: `u${i}`, exp }).setProtectedHeader({ alg, kid: 'k' }).sign(privateKey)));
  return { io: { env: {}, readFile: () => jwks }, jwt: { jwksFile: 'jwks.json', algorithms: [alg] }, tokens: ts };
}

async function measure(alg: 'HS256' | 'RS256' | 'ES256', cache: boolean): Promise<number> {
  const t = await tokens(alg);
  const authenticate = createAuthenticator({ jwt: { ...t.jwt, cache: { maxEntries: cache ? 1000 : 0 } } }, t.io);
  const headers = t.tokens.map((x) => `Bearer ${x}`);
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS + 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) if (!(await authenticate(headers[i % headers.length], NOW)).ok) throw new Error('rejected');
    if (r >= 3) samples.push(Number(process.hrtime.bigint() - t0) / CALLS / 1000);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  console.log('| algorithm | no cache (µs/call) | cache (µs/call) | speed-up |');
  console.log('|-----------|-------------------:|----------------:|---------:|');
  for (const alg of ['HS256', 'RS256', 'ES256'] as const) {
    const off = await measure(alg, false);
    const on = await measure(alg, true);
    console.log(`| ${alg} | ${off.toFixed(1)} | ${on.toFixed(1)} | ${(off / on).toFixed(0)}x |`);
  }
}

void main();
