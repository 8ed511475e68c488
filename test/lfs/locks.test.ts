/**
 * The File Locking API over HTTP, against the real server and the embedded store: locks kept as
 * create-only objects in storage (so racing creates, on any number of gateways, leave exactly one
 * lock), listing with path/id/cursor/limit, verify's ours/theirs, unlock with force only for the
 * lock admin, the policy's actions, and 501 where a backend cannot keep locks.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { lockIdOf } from '../../src/lfs/paths';
import type { StorageBackend } from '../../src/storage/types';
import { memoryLogger } from '../support/memory-log';
import { BUCKET, CREDENTIALS, REGION, startHarness, type Harness } from '../store/helpers';
import { lfs, startTeamGateway, type TeamGateway } from './support';

jest.setTimeout(60_000);

interface LockJson {
  id: string;
  path: string;
  locked_at: string;
  owner: { name: string };
}

describe('LFS locks (embedded store)', () => {
  let t: TeamGateway;
  let locks: string;
  beforeAll(async () => {
    t = await startTeamGateway();
    locks = `${t.gw.url}/lfs/acme/widgets/locks`;
  });
  afterAll(() => t?.stop());

  const create = (path: string, as: 'alice' | 'bob' | 'rita') => lfs(locks, { as, body: { path, ref: { name: 'refs/heads/main' } } });
  const list = async (query: string, as: 'alice' | 'bob' | 'rita' = 'bob') => lfs(`${locks}${query}`, { as });

  it('create: 201 with the lock; a second lock of the path is 409 with the existing lock', async () => {
    const res = await create('art/hero.psd', 'alice');
    expect(res.status).toBe(201);
    const lock = res.body.lock as LockJson;
    expect(lock).toEqual({ id: lockIdOf('art/hero.psd'), path: 'art/hero.psd', locked_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as string, owner: { name: 'alice' } });
    for (const who of ['bob', 'alice'] as const) {
      const again = await create('art/hero.psd', who);
      expect(again.status).toBe(409);
      expect(again.body.lock).toEqual(lock);
      expect(again.body.message).toBe('art/hero.psd is already locked by alice');
      expect(again.body.request_id).toBe(again.headers.get('x-request-id'));
    }
  });

  it('racing creates of one path: exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => create('race.bin', i % 2 === 0 ? 'alice' : 'bob')));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 201)!.body.lock as LockJson;
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.lock).toEqual(winner);
  });

  it('list: everything, by path, by id; unknown ones give an empty list', async () => {
    const all = await list('');
    expect(all.status).toBe(200);
    expect((all.body.locks as LockJson[]).map((l) => l.path).sort()).toEqual(['art/hero.psd', 'race.bin']);
    expect((await list('?path=art%2Fhero.psd')).body.locks).toHaveLength(1);
    expect((await list(`?id=${lockIdOf('race.bin')}`)).body.locks).toEqual([expect.objectContaining({ path: 'race.bin' })]);
    expect((await list('?path=nope')).body).toEqual({ locks: [] });
    expect((await list('?id=nope')).body).toEqual({ locks: [] });
    expect((await list(`?id=${lockIdOf('race.bin')}&path=art%2Fhero.psd`)).body).toEqual({ locks: [] });
  });

  it('list pages with limit and cursor, and lowers a limit above 100', async () => {
    const paths = ['p/1', 'p/2', 'p/3', 'p/4', 'p/5'];
    for (const p of paths) expect((await create(p, 'bob')).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect((page.body.locks as LockJson[]).length).toBeLessThanOrEqual(2);
      seen.push(...(page.body.locks as LockJson[]).map((l) => l.path));
      cursor = page.body.next_cursor as string | undefined;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(seen.sort()).toEqual(['art/hero.psd', ...paths, 'race.bin'].sort());
    expect(pages).toBe(4);
    expect((await list('?limit=5000')).status).toBe(200);
    expect((await list('?limit=-1')).status).toBe(422);
    expect((await list('?cursor=%01')).status).toBe(422);
  });

  it('verify: ours and theirs, from each side', async () => {
    const asBob = await lfs(`${locks}/verify`, { as: 'bob', body: { ref: { name: 'refs/heads/main' } } });
    expect(asBob.status).toBe(200);
    const ours = (asBob.body.ours as LockJson[]).map((l) => l.owner.name);
    const theirs = (asBob.body.theirs as LockJson[]).map((l) => l.owner.name);
    expect(ours.every((n) => n === 'bob') && ours.length >= 5).toBe(true);
    expect(theirs).toContain('alice');
    expect(theirs.every((n) => n !== 'bob')).toBe(true);
    const asAlice = await lfs(`${locks}/verify`, { as: 'alice', body: { limit: 100 } });
    expect((asAlice.body.ours as LockJson[]).map((l) => l.path)).toContain('art/hero.psd');
  });

  it('unlock: only the owner, unless forced by someone with delete (the lock admin)', async () => {
    const id = lockIdOf('p/1'); // bob's
    const unlock = (as: 'alice' | 'bob' | 'rita', body: object, lockId = id) => lfs(`${locks}/${lockId}/unlock`, { as, body });
    const byOther = await unlock('alice', { force: false });
    expect(byOther.status).toBe(403);
    expect(byOther.body.message).toMatch(/p\/1 is locked by bob/);
    expect((await unlock('rita', { force: true })).status).toBe(403); // may not even unlock
    const aliceLock = lockIdOf('art/hero.psd');
    const bobForcing = await unlock('bob', { force: true }, aliceLock);
    expect(bobForcing.status).toBe(403);
    expect(bobForcing.body.message).toMatch(/may not force-unlock/);
    const forced = await unlock('alice', { force: true });
    expect(forced.status).toBe(200);
    expect((forced.body.lock as LockJson).path).toBe('p/1');
    expect((await unlock('bob', {}, lockIdOf('p/2'))).status).toBe(200);
    expect((await unlock('bob', {}, lockIdOf('p/2'))).status).toBe(404);
    expect((await list('?path=p%2F2')).body.locks).toEqual([]);
    // Unlocked: the path can be locked again, by anyone.
    expect((await create('p/2', 'alice')).status).toBe(201);
  });

  it('policy: the read-only user lists but cannot lock; anonymous is asked for credentials', async () => {
    expect((await list('', 'rita')).status).toBe(200);
    const refused = await create('x.bin', 'rita');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('you may not lock files in acme/widgets');
    const anon = await lfs(locks);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('lfs-authenticate')).toBe('Basic realm="signpost"');
    expect((await lfs(`${t.gw.url}/lfs/other/repo/locks`, { as: 'bob' })).status).toBe(403);
  });

  it('locks of one repository are not another\'s', async () => {
    expect((await lfs(`${t.gw.url}/lfs/acme/gadgets/locks`, { as: 'bob', body: { path: 'art/hero.psd' } })).status).toBe(201);
    expect((await lfs(`${t.gw.url}/lfs/acme/gadgets/locks`, { as: 'bob' })).body.locks).toHaveLength(1);
  });

  it.each([
    ['no body', undefined],
    ['no path', { ref: { name: 'x' } }],
    ['an empty path', { path: '' }],
    ['a control character', { path: 'a\nb' }],
    ['a path over 4096 bytes', { path: 'é'.repeat(2049) }],
    ['an unknown field', { path: 'a', mode: 'x' }],
    ['a bad ref', { path: 'a', ref: { name: 1 } }],
  ])('create with %s: 422', async (_name, body) => {
    const res = await lfs(locks, { as: 'bob', method: 'POST', ...(body !== undefined && { body }) });
    expect(res.status).toBe(422);
  });

  it.each([
    ['force not a boolean', { force: 'yes' }],
    ['an unknown field', { forced: true }],
  ])('unlock with %s: 422', async (_name, body) => {
    expect((await lfs(`${locks}/${lockIdOf('race.bin')}/unlock`, { as: 'bob', body })).status).toBe(422);
  });
});

describe('locks across gateway instances', () => {
  let store: Harness;
  let a: TeamGateway;
  let b: TeamGateway;
  beforeAll(async () => {
    // Two gateways, one storage: an embedded store of the test's own, reached as S3 by both.
    store = await startHarness();
    const s3 = { endpoint: store.store.url, region: REGION, bucket: BUCKET, ...CREDENTIALS };
    [a, b] = await Promise.all([startTeamGateway({ s3 }), startTeamGateway({ s3 })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await store?.stop();
  });

  it('racing creates through both leave exactly one lock, which both then see', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => lfs(`${(i % 2 ? a : b).gw.url}/lfs/acme/widgets/locks`, { as: i % 2 ? 'alice' : 'bob', body: { path: 'shared.bin' } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    const fromA = await lfs(`${a.gw.url}/lfs/acme/widgets/locks?path=shared.bin`, { as: 'bob' });
    const fromB = await lfs(`${b.gw.url}/lfs/acme/widgets/locks?path=shared.bin`, { as: 'bob' });
    expect(fromA.body.locks).toHaveLength(1);
    expect(fromB.body).toEqual(fromA.body);
  });
});

describe('a backend that cannot keep locks', () => {
  const noList: StorageBackend = {
    kind: 'nolist',
    storageEnforces: new Set(['createOnly']),
    presign: () => Promise.reject(new Error('not called')),
  };
  const app = createApp({ mounts: [{ path: '/files', bucket: 'b', prefix: '', backend: noList }], logger: memoryLogger().logger, urlTtl: 60, rateLimit: { perSecond: 0.001, burst: 2 } });

  it('answers every lock endpoint with 501 (git-lfs then stops verifying locks), and rate limits as elsewhere', async () => {
    const verify = await request(app).post('/lfs/acme/locks/verify').set('Content-Type', 'application/vnd.git-lfs+json').send('{}');
    expect(verify.status).toBe(501);
    expect(verify.headers['content-type']).toBe('application/vnd.git-lfs+json');
    expect((verify.body as { message: string }).message).toMatch(/file locking is not available on the nolist backend/);
    expect((await request(app).get('/lfs/acme/locks')).status).toBe(501);
    const limited = await request(app).get('/lfs/acme/locks');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(Object.keys(limited.body as object).sort()).toEqual(['documentation_url', 'message', 'request_id']);
  });
});
