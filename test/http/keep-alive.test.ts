/**
 * A keep-alive connection serves any number of requests: nothing a request leaves on its socket
 * may outlive it. Node hands the app a GET before the parser has seen the end of the message,
 * so a request without a body looked like one that still had to be drained: every GET started a
 * drain and left a 'close' listener on the socket (node warned at 11; a million redirects on one
 * connection kept a million closures). Checked here on the server's own socket, over one real
 * keep-alive connection, for bodiless requests and for a small body the gateway drains.
 */
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { createApp } from '../../src/app';
import { hasBody } from '../../src/http/discard-body';
import { memoryLogger } from '../support/memory-log';
import { unreachableS3 } from '../support/unreachable-s3';
import { listen } from '../support/raw-http';

const backend = unreachableS3();

function send(url: string, agent: Agent, method: string, body?: string): Promise<{ status: number; socketReused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/files/a/b.txt`, { method, agent, headers: body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, socketReused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('one keep-alive connection, many requests', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await listen(createApp({ mounts: [{ path: '/files', bucket: 'b', prefix: '', backend }], logger: memoryLogger().logger, urlTtl: 60 }));
    server.server.on('connection', (s: Socket) => sockets.push(s));
  });
  afterAll(() => server.close());

  it.each([
    ['GET', undefined],
    ['HEAD', undefined],
    ['DELETE', undefined],
    ['PUT without Expect, a small body drained', 'x'.repeat(1000)],
  ])('%s: 40 requests leave no listener behind on the socket', async (what, body) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const method = what.split(' ')[0] as string;
    try {
      const first = sockets.length;
      const counts: number[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await send(server.url, agent, method, body);
        expect(res.status).toBe(307);
        if (i > 0) expect(res.socketReused).toBe(true);
        const socket = sockets[first] as Socket;
        counts.push(socket.listenerCount('close') + socket.listenerCount('end') + socket.listenerCount('data'));
      }
      expect(sockets.length).toBe(first + 1);
      expect(new Set(counts.slice(1)).size).toBe(1); // the same after the 2nd request as after the 40th
    } finally {
      agent.destroy();
    }
  });
});

describe('hasBody: what the request framing announces (RFC 9112 §6.3)', () => {
  it.each([
    [{}, false],
    [{ 'content-length': '0' }, false],
    [{ 'content-length': '00' }, false],
    [{ 'content-length': '1' }, true],
    [{ 'transfer-encoding': 'chunked' }, true],
    [{ 'transfer-encoding': 'chunked', 'content-length': '0' }, true],
  ])('%j: %s', (headers, expected) => {
    expect(hasBody({ headers } as Parameters<typeof hasBody>[0])).toBe(expected);
  });
});
