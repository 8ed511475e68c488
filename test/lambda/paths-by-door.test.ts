/**
 * The same client request through every front door must give the same key and the same
 * decision, or a 400. Each case is written once, as the client sends it; door-events.ts turns it
 * into each door's event, including what the door does to the path. For every request the
 * policy must have been asked about exactly the key that was signed.
 */
import { DOORS, eventFor, headersOf, type Door } from './support/door-events';
import { lambdaUnderTest, signedKey } from './support/lambda-under-test';

type Outcome = { readonly key: string } | { readonly status: 400 } | 'door-rejected';

interface PathCase {
  readonly name: string;
  readonly path: string;
  readonly expect: Outcome;
  /** Where an HTTP API (payload 2.0 or 1.0) cannot do better; see src/lambda/canonical-path.ts. */
  readonly httpApi?: Outcome;
  /** Methods to try (default GET, PUT, DELETE). */
  readonly methods?: readonly ('GET' | 'PUT' | 'DELETE')[];
}

const CASES: readonly PathCase[] = [
  { name: 'plain', path: '/files/reports/q3.pdf', expect: { key: 'reports/q3.pdf' } },
  { name: '%20', path: '/files/q3%20final.pdf', expect: { key: 'q3 final.pdf' } },
  { name: '%2F inside the key', path: '/files/a%2Fb.txt', expect: { key: 'a/b.txt' } },
  { name: '%2F in the mount part', path: '/files%2Fa.txt', expect: { key: 'a.txt' } },
  { name: '%23', path: '/files/hash%23tag.txt', expect: { key: 'hash#tag.txt' } },
  // An HTTP API cuts the path at a decoded `?` before the Lambda runs: undetectable there.
  { name: '%3F', path: '/files/what%3Fnow.txt', expect: { key: 'what?now.txt' }, httpApi: { key: 'what' } },
  { name: 'encoded unicode', path: '/files/%E6%97%A5%E6%9C%AC/%CE%BB-%F0%9F%98%80.txt', expect: { key: '日本/λ-😀.txt' } },
  { name: 'raw unicode', path: '/files/日本/Кириллица.txt', expect: { key: '日本/Кириллица.txt' } },
  { name: '+ stays +', path: '/files/plus+plus.txt', expect: { key: 'plus+plus.txt' } },
  { name: 'sub-delims', path: "/files/a=b&c@d:e,f;g!'(1)*.txt", expect: { key: "a=b&c@d:e,f;g!'(1)*.txt" } },
  { name: '%2e%2e segment', path: '/files/a/%2e%2e/secret.txt', expect: { status: 400 } },
  { name: '%2E%2E%2F', path: '/files/%2E%2E%2Fsecret.txt', expect: { status: 400 } },
  { name: '.. segment', path: '/files/a/../secret.txt', expect: { status: 400 } },
  { name: '%2e segment', path: '/files/a/%2e/b.txt', expect: { status: 400 } },
  { name: 'empty segment', path: '/files/a//b.txt', expect: { status: 400 } },
  { name: 'encoded NUL', path: '/files/a%00b.txt', expect: { status: 400 } },
  // GET on a folder is a listing (test/http/transfers.test.ts); no object operation takes one.
  { name: 'folder (trailing /)', path: '/files/dir/', expect: { status: 400 }, methods: ['PUT', 'DELETE'] },
  { name: 'malformed escape', path: '/files/a%zzb.txt', expect: { status: 400 }, httpApi: 'door-rejected' },
  { name: 'invalid UTF-8', path: '/files/a%C3%28.txt', expect: { status: 400 }, httpApi: 'door-rejected' },
  { name: 'literal %', path: '/files/100%25.txt', expect: { key: '100%.txt' }, httpApi: 'door-rejected' },
  { name: 'literal %25 (decoded twice by HTTP API)', path: '/files/100%2525.txt', expect: { key: '100%25.txt' }, httpApi: { status: 400 } },
  // `%253F` decodes twice to `?`: the Lambda can see that and refuses.
  { name: 'literal %3F (decoded twice by HTTP API)', path: '/files/a%253Fb.txt', expect: { key: 'a%3Fb.txt' }, httpApi: { status: 400 } },
  // `%252F` decodes twice to `/`: indistinguishable from a real `/`, undetectable there.
  { name: 'literal %2F (decoded twice by HTTP API)', path: '/files/a%252Fb.txt', expect: { key: 'a%2Fb.txt' }, httpApi: { key: 'a/b.txt' } },
];

const isHttpApi = (door: Door) => door === 'http-api' || door === 'http-api-v1';

describe.each(DOORS)('front door %s', (door) => {
  const lambda = lambdaUnderTest();

  test.each(CASES.map((c) => [c.name, c] as const))('path case: %s', async (_name, c) => {
    const expected = isHttpApi(door) ? (c.httpApi ?? c.expect) : c.expect;
    for (const method of c.methods ?? (['GET', 'PUT', 'DELETE'] as const)) {
      const outcome = eventFor(door, { method, path: c.path, headers: method === 'PUT' ? { 'Content-Length': '5' } : {} });
      if (outcome.kind === 'door-rejected') {
        expect(expected).toBe('door-rejected');
        continue;
      }
      expect(expected).not.toBe('door-rejected');
      lambda.decisions.length = 0;
      const result = await lambda.handler(outcome.event);
      const headers = headersOf(result);
      if (expected !== 'door-rejected' && 'key' in expected) {
        expect({ method, status: result.statusCode }).toEqual({ method, status: 307 });
        const key = signedKey(headers.location!);
        expect(key).toBe(expected.key);
        // Security: the policy saw exactly the key that was signed.
        expect(lambda.decisions).toEqual([{ action: method === 'GET' ? 'read' : method === 'PUT' ? 'write' : 'delete', key }]);
      } else {
        expect({ method, status: result.statusCode }).toEqual({ method, status: 400 });
        expect(lambda.decisions).toEqual([]);
        const body = JSON.parse(result.body as string) as Record<string, unknown>;
        expect([typeof body.error, typeof body.message]).toEqual(['string', 'string']);
      }
    }
  });
});

describe('the same request gives the same key through every door that can carry it', () => {
  const lambda = lambdaUnderTest();
  test.each(CASES.filter((c) => !c.httpApi).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const outcomes = new Set<string>();
    for (const door of DOORS) {
      const outcome = eventFor(door, { method: 'GET', path: c.path });
      if (outcome.kind !== 'event') throw new Error(`${door} rejected ${c.path}`);
      const result = await lambda.handler(outcome.event);
      const location = headersOf(result).location;
      outcomes.add(`${String(result.statusCode)} ${location ? signedKey(location) : ''}`);
    }
    expect([...outcomes]).toHaveLength(1);
  });
});
