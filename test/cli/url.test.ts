/**
 * `signpost url` against a small HTTP server standing in for the gateway (the gateway side is
 * tested in test/http/url-tickets.test.ts and end to end in test/e2e/processing-*.test.ts): what
 * it asks, what it prints, which failures it retries, and usage errors (exit 2).
 */
import { urlCommand } from '../../src/cli/url';
import { captureIo as io } from '../support/capture-io';
import { listen } from '../support/raw-http';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

describe('signpost url', () => {
  const seen: Seen[] = [];
  let answers: { status: number; body: string }[] = [];
  let gw: Awaited<ReturnType<typeof listen>>;
  const TICKET = { method: 'PUT', url: 'http://store.test/b/k?X-Amz-Signature=abc', headers: { 'content-type': 'image/png' }, expiresAt: '2026-11-23T10:05:00.000Z' };

  beforeAll(async () => {
    gw = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
        const a = answers.shift() ?? { status: 200, body: JSON.stringify(TICKET) };
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end(a.body);
      });
    });
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    seen.length = 0;
    answers = [];
  });

  it('put --type --create-only --ttl: one POST ?url=put with a JSON body and the token; prints the URL', async () => {
    const o = io({ SIGNPOST_TOKEN: 'from-env' });
    expect(await urlCommand(['put', `${gw.url}/files/out/a.png?ignored`, '--type', 'image/png', '--create-only', '--ttl', '60'], o)).toBe(0);
    expect(o.out()).toBe(`${TICKET.url}\n`);
    expect(seen).toEqual([{ method: 'POST', url: '/files/out/a.png?url=put', authorization: 'Bearer from-env', body: '{"ttl":60,"contentType":"image/png","createOnly":true}' }]);
  });

  it('--json prints the whole ticket on one line; --key wins over $SIGNPOST_TOKEN', async () => {
    const o = io({ SIGNPOST_TOKEN: 'from-env' });
    expect(await urlCommand(['get', `${gw.url}/files/in/a.bin`, '--key', 'k1', '--json'], o)).toBe(0);
    expect(o.out()).toBe(`${JSON.stringify(TICKET)}\n`);
    expect(seen[0]).toMatchObject({ url: '/files/in/a.bin?url=get', authorization: 'Bearer k1', body: '{}' });
  });

  it('a refusal: exit 1, the gateway\'s error on stderr, nothing on stdout, not asked again', async () => {
    answers = [{ status: 403, body: '{"error":"forbidden","message":"not allowed"}' }];
    const o = io();
    expect(await urlCommand(['head', `${gw.url}/files/in/a.bin`], o)).toBe(1);
    expect(o.out()).toBe('');
    expect(o.err()).toBe(`signpost url: POST ${gw.url}/files/in/a.bin -> 403 forbidden: not allowed\n`);
    expect(seen).toHaveLength(1);
  });

  it('a 503 is asked again (minting a URL changes nothing)', async () => {
    answers = [{ status: 503, body: '{"error":"unavailable","message":"later"}' }];
    const o = io();
    expect(await urlCommand(['get', `${gw.url}/files/in/a.bin`], o)).toBe(0);
    expect(seen).toHaveLength(2);
  });

  it.each([
    [['get']],
    [['get', 'not-a-url']],
    [['delete', 'http://gw/files/a']],
    [['get', 'http://gw/files/a', '--type', 'image/png']],
    [['head', 'http://gw/files/a', '--create-only']],
    [['get', 'http://gw/files/a', '--ttl', '0']],
    [['get', 'http://gw/files/a', '--ttl', 'soon']],
    [['get', 'http://gw/files/a', '--bogus']],
    [['get', 'http://gw/files/a', 'extra']],
  ])('usage error %j -> exit 2, nothing asked', async (args) => {
    const o = io();
    expect(await urlCommand(args, o)).toBe(2);
    expect(o.err()).toMatch(/usage: signpost url get\|head\|put URL/);
    expect(seen).toHaveLength(0);
  });
});
