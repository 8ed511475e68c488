/**
 * One (method, path, query) -> (endpoint, actions, key) function for the gateway and for
 * `signpost policy explain`: a table of requests goes through the real app (createApp on a
 * loopback port, a real policy engine, its decide calls recorded) and through explainRequest,
 * and both must name the same actions on the same key, reach the same decisions, and refuse the
 * same requests with the same status.
 */
import { createApp } from '../../src/app';
import { explainRequest } from '../../src/cli/policy';
import type { Authenticate } from '../../src/http/authenticate';
import { compilePolicy } from '../../src/policy';
import type { Action, Decide } from '../../src/policy/types';
import type { Mount } from '../../src/storage/mount';
import { user } from '../policy/fixtures';
import { memoryLogger } from '../support/memory-log';
import { unreachableS3 } from '../support/unreachable-s3';
import { listen, rawRequest } from '../support/raw-http';

const alice = user('alice', ['staff']);
const engine = compilePolicy({
  rules: [
    { id: 'own-home', paths: ['home/{sub}', 'home/{sub}/**'], actions: '*', principals: 'authenticated', effect: 'allow' },
    { id: 'no-sharing-private', paths: 'home/*/private/**', actions: 'share', principals: '*', effect: 'deny' },
    { id: 'archive-read', paths: ['cold', 'cold/**'], actions: ['read', 'list'], principals: 'group:staff', effect: 'allow' },
    { id: 'lfs-team', paths: 'lfs/acme/**', actions: ['read', 'write'], principals: 'authenticated', effect: 'allow' },
  ],
});
const backend = unreachableS3();
const mounts: Mount[] = [
  { path: '/files', bucket: 'b', prefix: '', backend },
  { path: '/files/archive', bucket: 'a', prefix: 'cold/', backend },
];

const calls: [Action, string][] = [];
const decide: Decide = (p, action, key) => {
  calls.push([action, key]);
  return engine.decide(p, action, key);
};
const authenticate: Authenticate = () => Promise.resolve(alice);
let gateway: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  gateway = await listen(createApp({ mounts, logger: memoryLogger('fatal').logger, urlTtl: 60, decide, authenticate }));
});
afterAll(() => gateway.close());

// [method, request target, endpoint (or the refusal's status), the actions decided in order, key]
const TABLE: [string, string, string | number, Action[], string][] = [
  ['GET', '/files/home/alice/a.txt', 'object', ['read'], 'home/alice/a.txt'],
  ['HEAD', '/files/home/alice/a.txt', 'object', ['read'], 'home/alice/a.txt'],
  ['PUT', '/files/home/alice/a.txt', 'object', ['write'], 'home/alice/a.txt'],
  ['DELETE', '/files/home/bob/a.txt', 'object', ['delete'], 'home/bob/a.txt'],
  ['GET', '/files/home/alice/a.txt?unrelated=1', 'object', ['read'], 'home/alice/a.txt'],
  ['GET', '/files/home/alice/', 'listing', ['list'], 'home/alice'],
  ['GET', '/files/home/alice/?limit=5', 'listing', ['list'], 'home/alice'],
  ['GET', '/files/home/bob/', 'listing', ['list'], 'home/bob'],
  ['GET', '/files/archive/', 'listing', ['list'], 'cold'],
  ['GET', '/files/archive', 'listing', ['list'], 'cold'],
  ['GET', '/files/archive/2020/x.bin', 'object', ['read'], 'cold/2020/x.bin'],
  ['PUT', '/files/archive/2020/x.bin', 'object', ['write'], 'cold/2020/x.bin'],
  ['POST', '/files/home/alice/big.iso?upload', 'ticket', ['write'], 'home/alice/big.iso'],
  ['POST', '/files/home/alice/big.iso?url', 'url-ticket', ['read'], 'home/alice/big.iso'],
  ['POST', '/files/home/alice/big.iso?url=HEAD', 'url-ticket', ['read'], 'home/alice/big.iso'],
  ['POST', '/files/home/bob/big.iso?url=put', 'url-ticket', ['write'], 'home/bob/big.iso'],
  ['POST', '/files/home/alice/big.iso?url=post', 400, [], ''],
  ['POST', '/files/home/alice/big.iso?uploads', 'multipart', ['write'], 'home/alice/big.iso'],
  ['GET', '/files/home/alice/big.iso?uploadId=abc', 'multipart', ['write'], 'home/alice/big.iso'],
  ['DELETE', '/files/home/bob/big.iso?uploadId=abc', 'multipart', ['write'], 'home/bob/big.iso'],
  ['POST', '/files/home/alice/a.txt?share', 'share-create', ['share', 'read'], 'home/alice/a.txt'],
  ['POST', '/files/home/alice/private/a.txt?share', 'share-create', ['share', 'read'], 'home/alice/private/a.txt'],
  ['GET', '/files/home/alice/a.txt?download', 'download', ['read'], 'home/alice/a.txt'],
  ['GET', '/files/home/alice/a.txt?inline', 'download', ['read'], 'home/alice/a.txt'],
  ['GET', '/files/home/bob/a.txt?download=x.txt', 'download', ['read'], 'home/bob/a.txt'],
  ['GET', '/files/home/alice/a.txt?share=not-a-token', 'share-open', [], 'home/alice/a.txt'],
  ['OPTIONS', '/files/home/alice/a.txt', 'options', [], ''],
  ['POST', '/files/home/alice/a.txt', 405, [], ''],
  ['PATCH', '/files/home/alice/a.txt', 405, [], ''],
  ['PUT', '/files/home/alice/', 400, [], ''],
  ['POST', '/files/home/alice/?upload', 405, [], ''],
  ['GET', '/files/home//a.txt', 400, [], ''],
  ['GET', '/files/home/%2e%2e/etc/', 400, [], ''],
  ['GET', '/files/home/alice/a.txt%ZZ?download', 400, [], ''],
];

describe('the gateway and policy explain read a request the same way', () => {
  it.each(TABLE)('%s %s -> %s %j on %j', async (method, path, endpoint, actions, key) => {
    calls.length = 0;
    const res = await rawRequest(gateway.url, method, path, { 'Content-Length': '0', 'X-Upload-Length': '10' });
    const explained = explainRequest(engine, mounts, method, path, alice);

    if (typeof endpoint === 'number') {
      expect(res.status).toBe(endpoint);
      expect(explained).toMatchObject({ kind: 'refused', status: endpoint });
      expect(calls).toEqual([]);
      return;
    }
    expect(explained).toMatchObject({ target: { endpoint, key, actions } });
    if (explained.kind === 'no-decision') {
      expect(calls).toEqual([]); // a share token or OPTIONS: no policy decision on either side
      return;
    }
    // The gateway stops at the first deny; explain shows every decision the request needs.
    const decisions = explained.kind === 'decided' ? explained.decisions : [];
    const firstDeny = decisions.findIndex((d) => d.explanation.decision.effect === 'deny');
    expect(decisions.slice(0, firstDeny === -1 ? undefined : firstDeny + 1).map((d) => [d.action, key])).toEqual(calls);
    if (firstDeny !== -1) expect(res.status).toBe(403);
    else expect(res.status).not.toBe(403);
  });

  const OID = 'ab'.repeat(32);
  const objectKey = `lfs/acme/w/objects/ab/ab/${OID}`;
  const batchOf = (operation: string): string => JSON.stringify({ operation, objects: [{ oid: OID, size: 3 }] });
  // [the gateway's LFS request: method, path, JSON body; what explain is asked; the one decision both make]
  const LFS: [string, string, string, string, string, Action, string][] = [
    ['POST', '/lfs/acme/w/objects/batch', batchOf('download'), 'GET', `/lfs/acme/w/objects/${OID}`, 'read', objectKey],
    ['POST', '/lfs/acme/w/objects/batch', batchOf('upload'), 'PUT', `/lfs/acme/w/objects/${OID}`, 'write', objectKey],
    ['POST', '/lfs/acme/w/objects/verify', JSON.stringify({ oid: OID, size: 3 }), 'PUT', `/lfs/acme/w/objects/${OID}`, 'write', objectKey],
    ['GET', '/lfs/acme/w/locks', '', 'GET', '/lfs/acme/w/locks', 'read', 'lfs/acme/w/locks'],
    ['POST', '/lfs/acme/w/locks', JSON.stringify({ path: 'a.psd' }), 'POST', '/lfs/acme/w/locks', 'write', 'lfs/acme/w/locks'],
    ['POST', '/lfs/acme/w/locks/verify', '{}', 'POST', '/lfs/acme/w/locks/verify', 'write', 'lfs/acme/w/locks'],
    ['POST', `/lfs/other/locks/${OID}/unlock`, '{}', 'POST', `/lfs/other/locks/${OID}/unlock`, 'write', 'lfs/other/locks'],
  ];
  it.each(LFS)('LFS %s %s: explain %s %s decides %s on %s, as the LFS server does', async (method, path, body, asMethod, asPath, action, key) => {
    calls.length = 0;
    await rawRequest(gateway.url, method, path, { 'Content-Type': 'application/vnd.git-lfs+json', 'Content-Length': String(Buffer.byteLength(body)) }, body);
    expect(calls).toEqual([[action, key]]);
    const explained = explainRequest(engine, mounts, asMethod, asPath, alice, '');
    expect(explained).toMatchObject({ kind: 'decided', target: { endpoint: 'lfs', actions: [action], key } });
  });

  it('explain reads /lfs/ paths as files when LFS is off, as the gateway does', () => {
    expect(explainRequest(engine, [{ path: '/lfs', prefix: 'x/' }], 'GET', '/lfs/acme/w/locks', alice)).toMatchObject({ target: { endpoint: 'object', key: 'x/acme/w/locks' } });
  });

  it('explain names a method the gateway does not serve', () => {
    expect(explainRequest(engine, mounts, 'FOO', '/files/a', alice)).toEqual({
      kind: 'refused',
      status: 405,
      message: 'method "FOO" is not served on /files/a (allowed methods: GET, HEAD, PUT, DELETE, OPTIONS)',
    });
  });

  it('explain refuses a path under no mount', () => {
    expect(explainRequest(engine, mounts, 'GET', '/elsewhere/a', alice)).toMatchObject({ kind: 'refused', status: 404 });
  });
});
