/**
 * Part 2, per-request work in-process (no HTTP): authenticate the Authorization header, decide
 * with the 100-rule policy, presign the GET with the S3 backend (direct SigV4) and its response
 * overrides (src/content/serve-as.ts), exactly the calls routes/files.ts makes. API key
 * (target: median ≤ 10 µs), and JWT HS256 / ES256 with the verified-token cache disabled
 * (every call verifies: "cold") and enabled ("cached": the same 8 tokens reused, as a client
 * reusing its token does). Also each stage alone.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createAuthenticator, type AuthIo, type Authenticator } from '../src/auth';
import { serveAs, ServeModes } from '../src/content/serve-as';
import { compilePolicy, type Principal } from '../src/policy';
import { staticCredentials } from '../src/signing/credentials';
import { createS3Backend } from '../src/storage/s3-backend';
import { API_KEY, AWS_ENV, DUMMY_S3, rules } from './lib/fixtures';
import { fmt, nsPerCall, ratio, table, verdict, type PartResult, type RunOptions } from './lib/stats';

const NOW = new Date();
const KEY = 'projects/p0/docs/spec.txt';
const BIN_KEY = 'projects/p0/docs/spec.bin';
const SECRET = 'bench-secret-0123456789-abcdefghijklmnop';

async function jwtSetup(alg: 'HS256' | 'ES256', cache: boolean): Promise<{ auth: Authenticator; headers: string[] }> {
  const exp = Math.floor(NOW.getTime() / 1000) + 3600;
  const claims = (i: number) => ({ sub: 'u0', jti: `t${i}`, groups: ['g0'], exp });
  const cacheCfg = { cache: { maxEntries: cache ? 1000 : 0 } };
  if (alg === 'HS256') {
    const key = new TextEncoder().encode(SECRET);
    const ts = await Promise.all(Array.from({ length: 8 }, (_, i) => new SignJWT(claims(i)).setProtectedHeader({ alg }).sign(key)));
    return { auth: createAuthenticator({ jwt: { hs256Secret: SECRET, ...cacheCfg } }, { env: {}, readFile: () => '' }), headers: ts.map((t) => `Bearer ${t}`) };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg }] });
  const ts = await Promise.all(Array.from({ length: 8 }, (_, i) => new SignJWT(claims(i)).setProtectedHeader({ alg, kid: 'k' }).sign(privateKey)));
  const io: AuthIo = { env: {}, readFile: () => jwks };
  return { auth: createAuthenticator({ jwt: { jwksFile: 'jwks.json', algorithms: [alg], ...cacheCfg } }, io), headers: ts.map((t) => `Bearer ${t}`) };
}

export async function runInProcess(o: RunOptions): Promise<PartResult> {
  const batch = o.smoke ? 2_000 : 20_000;
  const batches = o.smoke ? 5 : 15;
  const policy = compilePolicy({ version: 1, rules: rules(100) });
  const backend = createS3Backend({ region: AWS_ENV.AWS_REGION, endpoint: DUMMY_S3, forcePathStyle: true, credentials: staticCredentials({ accessKeyId: AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: AWS_ENV.AWS_SECRET_ACCESS_KEY }) });
  const full = (auth: Authenticator, headers: readonly string[]) => {
    let i = 0;
    return async (): Promise<void> => {
      const r = await auth(headers[i++ % headers.length], NOW);
      if (!r.ok) throw new Error(`auth failed: ${r.message}`);
      const d = policy.decide(r.principal, 'read', KEY);
      if (d.effect !== 'allow') throw new Error('denied');
      await backend.presign({ operation: 'GetObject', bucket: 'bench-bucket', key: KEY, expiresIn: 300, now: NOW, ...serveAs(KEY, ServeModes.plain) });
    };
  };
  const apiAuth = createAuthenticator({ apiKeys: [API_KEY.entry] });
  const apiHeader = [`Bearer ${API_KEY.key}`];
  const principal = (await apiAuth(apiHeader[0], NOW)) as { ok: true; principal: Principal };
  const rows: string[][] = [];
  const add = async (what: string, fn: () => unknown, b = batch): Promise<number> => {
    const ns = await nsPerCall(fn, b, batches);
    rows.push([what, fmt(ns / 1000, 2)]);
    return ns;
  };
  const apiNs = await add('API key: auth + decide (100 rules) + presign', full(apiAuth, apiHeader));
  await add('  API key auth alone', () => apiAuth(apiHeader[0], NOW));
  await add('  decide alone (100 rules)', () => policy.decide(principal.principal, 'read', KEY));
  const bare = await add('  presign alone (GET, direct SigV4, no response overrides)', () => backend.presign({ operation: 'GetObject', bucket: 'bench-bucket', key: KEY, expiresIn: 300, now: NOW }));
  // What a plain GET adds (src/content/serve-as.ts): a passive key signs its type, any other an attachment.
  const typed = await add('  serveAs + presign (GET spec.txt: response-content-type)', () => backend.presign({ operation: 'GetObject', bucket: 'bench-bucket', key: KEY, expiresIn: 300, now: NOW, ...serveAs(KEY, ServeModes.plain) }));
  const attached = await add('  serveAs + presign (GET spec.bin: response-content-disposition)', () => backend.presign({ operation: 'GetObject', bucket: 'bench-bucket', key: BIN_KEY, expiresIn: 300, now: NOW, ...serveAs(BIN_KEY, ServeModes.plain) }));
  await add('  serveAs alone (spec.bin, attachment; filename=…)', () => serveAs(BIN_KEY, ServeModes.plain));
  for (const alg of ['HS256', 'ES256'] as const) {
    for (const cache of [false, true]) {
      const s = await jwtSetup(alg, cache);
      // Asymmetric verification is ~100× slower: fewer calls keep the run bounded.
      await add(`JWT ${alg} ${cache ? 'cached' : 'cold (cache off, verifies every call)'}: auth + decide + presign`, full(s.auth, s.headers), alg === 'ES256' && !cache ? Math.ceil(batch / 20) : batch);
    }
  }
  return {
    title: '2. Per-request work in-process (auth + decide + presign, no HTTP)',
    table: table(['work per request', 'median µs'], rows),
    notes: [
      `${batches} batches of ${fmt(batch)} calls after 3 warm-up batches; median of batch means.${o.smoke ? ' SMOKE run.' : ''}`,
      verdict(apiNs / 1000 <= 10, `API-key request median ≤ 10 µs: ${fmt(apiNs / 1000, 2)} µs`),
      `GET response overrides over a bare presign: ${ratio(typed, bare)} for a passive key, ${ratio(attached, bare)} for an attachment (+${fmt((typed - bare) / 1000, 2)} / +${fmt((attached - bare) / 1000, 2)} µs)`,
    ],
  };
}
