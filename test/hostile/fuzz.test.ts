/**
 * Property-based fuzzing of the app (createApp on a loopback port, a real compiled policy with
 * prefix rules, the real S3 presigner) over methods, request targets, query strings and headers:
 * - no 5xx, no unhandled rejection, no "unhandled error" log line;
 * - every 307 was an allow decision, for exactly the key that is signed, and that key lies
 *   under the prefix the matching rule grants (the Location's path is parsed back to a key).
 *
 * FUZZ_RUNS sets the number of runs (default 300, a few seconds); scripts/fuzz-long.ts runs
 * it long. FUZZ_SEED replays a failure.
 */
import fc from 'fast-check';
import { createApp } from '../../src/app';
import type { Authenticate } from '../../src/http/authenticate';
import { unauthorized } from '../../src/http/errors';
import { compilePolicy } from '../../src/policy';
import { ANONYMOUS, type Decide, type Decision, type Principal } from '../../src/policy/types';
import { staticCredentials } from '../../src/signing/credentials';
import type { Mount } from '../../src/storage/mount';
import type { StorageBackend } from '../../src/storage/types';
import { createS3Backend } from '../../src/storage/s3-backend';
import { memoryLogger } from '../support/memory-log';
import { listen } from '../support/raw-http';
import { POLICY, request, sendRaw } from './hostile-support';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const ENDPOINT = 'http://127.0.0.1:9000';
const BUCKET = 'signpost';

/** What each rule grants: the key prefix an allow from it may sign. */
function grantedPrefix(rule: string, principal: Principal): string {
  switch (rule) {
    case 'open':
      return 'open/';
    case 'public-read':
      return 'public/';
    case 'inbox':
      return 'inbox/';
    case 'own-home':
      if (principal.kind !== 'user') throw new Error('own-home allowed an anonymous caller');
      return `home/${principal.subject}/`;
    default:
      throw new Error(`unexpected allow from rule ${rule}`);
  }
}

/** Location path -> key (path-style: /bucket/key, S3 URI-encoded). */
function keyOfLocation(location: string): { origin: string; bucket: string; key: string } {
  const url = new URL(location);
  const [, bucket = '', ...rest] = url.pathname.split('/');
  return { origin: url.origin, bucket, key: rest.map((s) => decodeURIComponent(s)).join('/') };
}

const TOKENS = ['..', '.', '%2e', '%2E', '%2e%2e', '%2E.', '..%2F', '%2F', '%2f', '%5C', '\\', '%00', '%0A', '%C0%AE', '%C0%AF', '%E0%80%AE', '%FF', '%C3', '%C3%A9', '%F0%9F%98%80', '%', '%2', '%zz', '%25', '%252e', '%252F', 'open', 'public', 'home', 'alice', 'bob', 'carol', 'inbox', 'cold', 'a', 'x.txt', '~', '+', ';', '=', '@', ':', '!', '$', "'", '(', ')', '*', ',', '-', '_'];
const segment = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/) }), { minLength: 0, maxLength: 3 }).map((t) => t.join(''));
const hostilePath = fc
  .tuple(fc.constantFrom('/files/', '/files/', '/files/', '/pub/', '/files', '/', '//files/', '/other/', 'http://evil.example/files/', '/FILES/'), fc.array(segment, { minLength: 0, maxLength: 5 }), fc.constantFrom('/', '%2F', '//'))
  .map(([mount, segs, sep]) => mount + segs.join(sep));
// Mostly well-formed paths under the rules' prefixes with one hostile tail, so allows happen.
const plausiblePath = fc
  .tuple(fc.constantFrom('/files/open/', '/files/public/', '/pub/', '/files/home/alice/', '/files/home/bob/', '/files/inbox/', '/files/home/', '/files/'), fc.array(segment, { minLength: 1, maxLength: 3 }))
  .map(([base, segs]) => base + segs.join('/'));
const path = fc.oneof(hostilePath, plausiblePath);
const query = fc.option(fc.stringMatching(/^[A-Za-z0-9=&%._~+-]{0,40}$/).map((q) => `?${q}`), { nil: '' });
const method = fc.constantFrom('GET', 'GET', 'HEAD', 'PUT', 'PUT', 'DELETE', 'OPTIONS', 'POST', 'PATCH', 'PROPFIND');
const header = fc.oneof(
  fc.constantFrom('alice', 'bob', 'carol', 'mallory').map((s) => `Authorization: Bearer sub:${s}`),
  fc.constantFrom('Authorization: Bearer garbage', 'Authorization: Basic Og==', 'Authorization: '),
  fc.oneof(fc.nat({ max: 6 * 1024 ** 3 }).map(String), fc.constantFrom('-1', 'abc', '1.5', '', '99999999999999999')).map((v) => `Content-Length: ${v}`),
  fc.constantFrom('Content-Type: image/png', 'Content-Type: text/html; charset=utf-8', 'Content-Type: ???', 'If-None-Match: *', 'If-None-Match: "x"', 'Expect: 100-continue', 'Transfer-Encoding: chunked'),
  fc.constantFrom('Host: evil.example', 'X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: https', 'X-Original-URL: /files/home/alice/x', 'Forwarded: host=evil.example'),
  fc.stringMatching(/^[ -~]{0,30}$/).map((v) => `X-Fuzz: ${v}`),
);
const headers = fc.uniqueArray(header, { maxLength: 5, selector: (h) => h.split(':')[0]!.toLowerCase() });

describe('fuzzing the app', () => {
  const engine = compilePolicy(POLICY);
  let last: { principal: Principal; key: string; decision: Decision } | undefined;
  const decide: Decide = (principal, action, key) => {
    const decision = engine.decide(principal, action, key);
    last = { principal, key, decision };
    return decision;
  };
  const authenticate: Authenticate = (req) => {
    const auth = req.headers.authorization;
    if (auth === undefined) return Promise.resolve(ANONYMOUS);
    const m = /^Bearer sub:([a-z]+)$/.exec(auth);
    if (!m) return Promise.reject(unauthorized('bad credentials', 'Bearer realm="signpost"'));
    return Promise.resolve({ kind: 'user', subject: m[1]!, groups: [], claims: {}, via: 'api-key' });
  };
  // Listings answer an empty page: nothing listens at ENDPOINT, and a 502 from unreachable storage is not a gateway bug.
  const backend: StorageBackend = {
    ...createS3Backend({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true, credentials: staticCredentials({ accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz-secret' }) }),
    list: () => Promise.resolve({ objects: [], folders: [] }),
  };
  const mounts: Mount[] = [
    { path: '/files', bucket: BUCKET, prefix: '', backend },
    { path: '/pub', bucket: BUCKET, prefix: 'public/', backend },
  ];
  const log = memoryLogger();
  const app = createApp({ mounts, logger: log.logger, urlTtl: 300, decide, authenticate });
  let server: Awaited<ReturnType<typeof listen>>;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    server = await listen(app);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await server?.close();
  });

  it(`no 5xx, and every redirect signs a key inside the granted prefix (${RUNS} runs)`, async () => {
    let redirects = 0;
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, async (m, p, q, h) => {
        last = undefined;
        const body = h.some((x) => x.startsWith('Transfer-Encoding')) ? '0\r\n\r\n' : '';
        const res = await sendRaw(server.url, request(m, p + q, h, body));
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(500);
        if (res.status !== 307) return;
        redirects++;
        expect(last).toBeDefined();
        const { principal, key, decision } = last!;
        if (decision.effect !== 'allow') throw new Error(`307 after a deny by ${decision.rule ?? 'default'} for ${key}`);
        const signed = keyOfLocation(res.headers.location!);
        expect(signed.origin).toBe(ENDPOINT);
        expect(signed.bucket).toBe(BUCKET);
        expect(signed.key).toBe(key);
        expect(signed.key.startsWith(grantedPrefix(decision.rule, principal))).toBe(true);
        expect(signed.key.split('/')).not.toEqual(expect.arrayContaining(['..']));
        expect(signed.key.split('/')).not.toEqual(expect.arrayContaining(['.']));
        expect(signed.key.split('/')).not.toEqual(expect.arrayContaining(['']));
      }),
      { numRuns: RUNS, ...(SEED !== undefined && { seed: SEED }) },
    );
    expect(rejections).toEqual([]);
    expect(log.lines.filter((l) => /unhandled error|"level":(50|60)/.test(l))).toEqual([]);
    // The generators must reach the interesting part: some allowed redirects in every run set.
    if (RUNS >= 200) expect(redirects).toBeGreaterThan(0);
  });

  // Targeted: every run sends callers at other users' homes (plus their own, as the control),
  // so a variable that binds too much (`{sub}` matching any user) fails every run, not 3 in 7.
  const USERS = ['alice', 'bob', 'carol', 'mallory'] as const;
  const homeRequest = fc.record({
    caller: fc.constantFrom(...USERS),
    owner: fc.constantFrom(...USERS, 'alice2', 'ALICE', 'alice%2Fbob', '%61lice'),
    method: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE'),
    tail: fc.array(segment.filter((s) => s !== ''), { minLength: 1, maxLength: 3 }).map((t) => t.join('/')),
  });
  const CROSS_RUNS = Math.max(100, Math.floor(RUNS / 3));

  it(`a caller never gets a URL in another user's home, and does get one in their own (${CROSS_RUNS} runs)`, async () => {
    let own = 0;
    await fc.assert(
      fc.asyncProperty(homeRequest, async ({ caller, owner, method: m, tail }) => {
        last = undefined;
        const headers = [`Authorization: Bearer sub:${caller}`, ...(m === 'PUT' ? ['Content-Length: 5'] : [])];
        const res = await sendRaw(server.url, request(m, `/files/home/${owner}/${tail}`, headers, ''));
        expect(res.status).toBeLessThan(500);
        if (res.status !== 307) return;
        // Spellings such as %61lice decode to the caller's own name: only the signed key counts.
        expect(keyOfLocation(res.headers.location!).key.startsWith(`home/${caller}/`)).toBe(true);
        own++;
      }),
      { numRuns: CROSS_RUNS, ...(SEED !== undefined && { seed: SEED }) },
    );
    // The control: the caller's own home does redirect, so the property is not vacuous.
    expect(own).toBeGreaterThan(0);
  });
});
