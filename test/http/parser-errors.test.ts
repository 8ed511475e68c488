/**
 * The server's clientError answers (src/http/parser-errors.ts) on a node:http server with short
 * timeouts, so node's own 408s come within a second: each answer is the JSON error with the
 * security headers, and a connection whose response has begun is closed, never written into.
 * The 400 and 431 of the running gateway are checked case by case in test/hostile.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { answerParserError } from '../../src/http/parser-errors';
import { SECURITY_HEADERS } from '../../src/http/security-headers';
import { parseResponse } from '../hostile/hostile-support';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer({ headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 }, (req, res) => {
    if (req.url === '/begun') {
      res.writeHead(200, { 'Content-Length': '10' });
      res.write('12345'); // the rest never comes; the request body is still being sent
      return;
    }
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  server.on('clientError', answerParserError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Writes `first`, then one byte every 100 ms of `drip` (if any), and returns all it reads until the server closes. */
function slow(first: string, drip = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(first));
    let i = 0;
    const timer = setInterval(() => {
      if (i < drip.length && socket.writable) socket.write(drip[i++]!);
    }, 100);
    const guard = setTimeout(() => socket.destroy(new Error('no close within 10 s')), 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => (chunks.length ? undefined : reject(err)));
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(guard);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

function expectGatewayError(raw: string, status: number): void {
  const res = parseResponse(raw);
  expect(res.status).toBe(status);
  expect(res.code).toBe('bad_request');
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers.connection).toBe('close');
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(`${name}: ${res.headers[name.toLowerCase()]}`).toBe(`${name}: ${value}`);
}

it.each([
  ['headers that never end', 'GET /x HTTP/1.1\r\nHost: a\r\n', 'X-Slow: yes-it-is-slow'],
  ['a body that comes too slowly', 'PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n', 'x'.repeat(100)],
])('408 for %s, with the security headers', async (_name, first, drip) => {
  expectGatewayError(await slow(first, drip), 408);
});

it.each([
  ['400 for a malformed request line', 'GET /a b c\r\n\r\n', 400],
  ['431 for headers over 16 KiB', `GET /x HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\n\r\n`, 431],
])('%s, with the security headers', async (_name, bytes, status) => {
  expectGatewayError(await slow(bytes), status);
});

it('a timeout after the response has begun closes the connection without writing into it', async () => {
  const raw = await slow('PUT /begun HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n', 'x'.repeat(100));
  expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(raw.endsWith('\r\n\r\n12345')).toBe(true);
  expect(raw).not.toMatch(/408/);
});
