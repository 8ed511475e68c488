import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthenticator } from '../../src/auth';
import { AUDIENCE, ISSUER, keyPair, mint, NOW, type KeyPair } from './jwt-fixtures';

describe('JWKS from a URL (served on 127.0.0.1)', () => {
  let server: Server;
  let url: string;
  let fetches = 0;
  let es: KeyPair;

  beforeAll(async () => {
    es = await keyPair('ES256');
    server = createServer((req, res) => {
      fetches++;
      if (req.url !== '/jwks.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [es.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies ES256 tokens with keys fetched once', async () => {
    const a = createAuthenticator({ jwt: { jwksUrl: `${url}/jwks.json`, issuer: ISSUER, audience: AUDIENCE, cache: { maxEntries: 0 } } });
    const before = fetches;
    for (let i = 0; i < 3; i++) {
      const token = await mint({ alg: 'ES256', key: es.privateKey, kid: es.kid, claims: { n: i } });
      expect(await a(`Bearer ${token}`, NOW)).toMatchObject({ ok: true, principal: { subject: 'alice' } });
    }
    expect(fetches - before).toBe(1);
  });

  it('rejects tokens signed by a key the JWKS does not hold', async () => {
    const a = createAuthenticator({ jwt: { jwksUrl: `${url}/jwks.json` } });
    const other = await keyPair('ES256', 'rogue');
    expect(await a(`Bearer ${await mint({ alg: 'ES256', key: other.privateKey, kid: 'rogue' })}`, NOW)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('reports an unreachable or broken key server as unavailable, not as a bad token', async () => {
    const token = await mint({ alg: 'ES256', key: es.privateKey, kid: es.kid });
    const notFound = createAuthenticator({ jwt: { jwksUrl: `${url}/missing.json` } });
    expect(await notFound(`Bearer ${token}`, NOW)).toMatchObject({ ok: false, reason: 'unavailable' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = createAuthenticator({ jwt: { jwksUrl: `http://127.0.0.1:${port}/jwks.json` } });
    expect(await down(`Bearer ${token}`, NOW)).toMatchObject({ ok: false, reason: 'unavailable' });
  });
});
