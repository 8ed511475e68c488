/**
 * Signpost as a Git LFS server, driven by the real git-lfs client (Debian's git-lfs 3.3): a bare
 * repository on disk, `lfs.url` pointing at the gateway, users whose API keys come from git
 * credential helpers (so every session starts with git-lfs's 401 -> credentials -> retry). Run
 * against each storage by lfs-git.test.ts (embedded store) and lfs-rgw.test.ts (Ceph RGW).
 *
 * git-lfs never sends a zero-byte object (it keeps empty files out of LFS and skips size 0 on
 * push and smudge), so the 0 B file here travels as an empty git blob; the Batch API's answers
 * for the zero-byte oid are tested over HTTP in test/lfs/batch.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockIdOf } from '../../src/lfs/paths';
import { gitHome, useLfsAs, type GitHome } from '../support/git';
import { lfs, objectsOf, team, type Member, type TeamGateway } from '../lfs/support';

export interface LfsGitTarget {
  readonly name: string;
  /** Storage refuses an upload whose body does not match the oid (x-amz-checksum-sha256). */
  readonly bindsContent: boolean;
  start(): Promise<TeamGateway>;
  stop(): Promise<void>;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** Everything the gateway may receive for a whole push or pull: JSON requests only, never the files. */
const GATEWAY_BYTES_BUDGET = 100_000;

export function lfsGitSuite(target: LfsGitTarget): void {
  let t: TeamGateway;
  let dir: string;
  let g: GitHome;
  let origin: string;
  let lfsUrl: string;
  const files = { 'empty.bin': Buffer.alloc(0), 'small.bin': randomBytes(1024), 'big.bin': randomBytes(100 * 1024 * 1024) };
  const repos: Partial<Record<string, string>> = {};

  /** A clone acting as `who`; LFS content is fetched by `git lfs pull`, after lfs.url is set. */
  async function cloneAs(name: string, who: Member): Promise<string> {
    const path = join(dir, name);
    await g.ok(['clone', '-q', origin, path], dir, { GIT_LFS_SKIP_SMUDGE: '1' });
    await useLfsAs(g, path, lfsUrl, who, team[who].key);
    repos[name] = path;
    return path;
  }
  const originHead = () => g.git(['rev-parse', '--verify', '-q', 'main'], origin);

  beforeAll(async () => {
    t = await target.start();
    dir = mkdtempSync(join(tmpdir(), 'signpost-lfs-git-'));
    g = await gitHome(dir);
    origin = join(dir, 'origin.git');
    await g.ok(['init', '-q', '--bare', origin], dir);
    lfsUrl = `${t.gw.url}/lfs/acme/widgets`;
  });
  afterAll(async () => {
    await target.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${target.name}: git push sends 0 B, 1 KB and 100 MB files; the bytes go to storage, not through the gateway`, async () => {
    const work = await cloneAs('alice', 'alice');
    await g.ok(['lfs', 'track', '*.bin'], work);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(work, name), bytes);
    await g.ok(['add', '.'], work);
    await g.ok(['commit', '-q', '-m', 'LFS objects of 0 B, 1 KB and 100 MB'], work);
    t.gw.resetBytes();
    const push = await g.git(['push', 'origin', 'main'], work);
    expect(push).toMatchObject({ code: 0 });
    expect(t.gw.bytesReceived()).toBeLessThan(GATEWAY_BYTES_BUDGET);

    const listed = await g.ok(['lfs', 'ls-files', '-l'], work);
    expect(listed).toContain(`${sha256(files['small.bin'])} * small.bin`);
    expect(listed).toContain(`${sha256(files['big.bin'])} * big.bin`);
    expect(listed).not.toContain('empty.bin'); // git-lfs keeps empty files out of LFS
    const stored = await lfs(`${lfsUrl}/objects/batch`, { as: 'rita', body: { operation: 'download', objects: [files['small.bin'], files['big.bin']].map((b) => ({ oid: sha256(b), size: b.length })) } });
    expect(objectsOf(stored).map((o) => Object.keys(o.actions ?? {}))).toEqual([['download'], ['download']]);
  });

  it(`${target.name}: a clone elsewhere gets every file back with git lfs pull (sha256 compared)`, async () => {
    const copy = await cloneAs('bob', 'bob');
    t.gw.resetBytes();
    await g.ok(['lfs', 'pull'], copy);
    expect(t.gw.bytesReceived()).toBeLessThan(GATEWAY_BYTES_BUDGET);
    for (const [name, bytes] of Object.entries(files)) expect(sha256(readFileSync(join(copy, name)))).toBe(sha256(bytes));
  });

  it(`${target.name}: a read-only user pulls, but a push is refused and git shows the 403 message`, async () => {
    const rita = await cloneAs('rita', 'rita');
    await g.ok(['lfs', 'pull'], rita);
    expect(sha256(readFileSync(join(rita, 'small.bin')))).toBe(sha256(files['small.bin']));
    writeFileSync(join(rita, 'rita.bin'), randomBytes(2048));
    await g.ok(['add', 'rita.bin'], rita);
    await g.ok(['commit', '-q', '-m', 'not allowed'], rita);
    const before = await originHead();
    const push = await g.git(['push', 'origin', 'main'], rita);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('you may not upload to acme/widgets');
    expect(await originHead()).toEqual(before); // the pre-push hook stopped git before it sent anything
  });

  it(`${target.name}: git lfs lock / locks / unlock between two users, with the 409 conflict and the lock admin`, async () => {
    const alice = repos.alice!;
    const bob = repos.bob!;
    expect(await g.ok(['lfs', 'lock', 'small.bin'], alice)).toContain('Locked small.bin');

    const taken = await g.git(['lfs', 'lock', 'small.bin'], bob);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain('small.bin is already locked by alice');
    expect(await g.ok(['lfs', 'locks'], bob)).toMatch(new RegExp(`small\\.bin\\s+alice\\s+ID:${lockIdOf('small.bin')}`));

    // With lock verification on, bob's push of the file alice holds is stopped by git-lfs.
    writeFileSync(join(bob, 'small.bin'), randomBytes(1024));
    await g.ok(['commit', '-q', '-am', 'bob edits a locked file'], bob);
    await g.ok(['config', `lfs.${lfsUrl}.locksverify`, 'true'], bob);
    const blocked = await g.git(['push', 'origin', 'main'], bob);
    expect(blocked.code).not.toBe(0);
    expect(`${blocked.stdout}${blocked.stderr}`).toMatch(/Unable to push locked files:\s*\n\* small\.bin - alice/);

    const notTheirs = await g.git(['lfs', 'unlock', 'small.bin'], bob);
    expect(notTheirs.code).not.toBe(0);
    expect(notTheirs.stderr).toContain('small.bin is locked by alice');
    const noForce = await g.git(['lfs', 'unlock', '--force', 'small.bin'], bob);
    expect(noForce.code).not.toBe(0);
    expect(noForce.stderr).toContain('you may not force-unlock locks in acme/widgets');

    expect(await g.ok(['lfs', 'unlock', 'small.bin'], alice)).toContain('Unlocked small.bin');
    expect(await g.git(['push', 'origin', 'main'], bob)).toMatchObject({ code: 0 });

    // The lock admin (delete on lfs/acme/**) may break someone else's lock.
    expect(await g.ok(['lfs', 'lock', 'big.bin'], bob)).toContain('Locked big.bin');
    expect(await g.ok(['lfs', 'unlock', '--force', 'big.bin'], alice)).toContain('Unlocked big.bin');
    expect((await g.ok(['lfs', 'locks'], alice)).trim()).toBe('');
  });

  it(`${target.name}: a corrupted upload (other bytes for the oid) ${target.bindsContent ? 'is refused by storage' : 'is NOT caught by storage (documented); git-lfs catches it on download'}`, async () => {
    const alice = repos.alice!;
    await g.ok(['pull', '-q', 'origin', 'main'], alice);
    const good = randomBytes(4096);
    writeFileSync(join(alice, 'corrupt.bin'), good);
    await g.ok(['add', 'corrupt.bin'], alice);
    await g.ok(['commit', '-q', '-m', 'a file whose LFS copy gets corrupted'], alice);
    const oid = sha256(good);
    const local = join(alice, '.git', 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
    chmodSync(local, 0o644);
    writeFileSync(local, randomBytes(4096)); // same size, other bytes: what a buggy or hostile client sends

    // git-lfs retries a refused upload 8 times with back-off by default; once is enough to see it.
    const push = await g.git(['-c', 'lfs.transfer.maxretries=1', 'push', 'origin', 'main'], alice);
    const stored = await lfs(`${lfsUrl}/objects/batch`, { as: 'bob', body: { operation: 'download', objects: [{ oid, size: 4096 }] } });
    if (target.bindsContent) {
      expect(push.code).not.toBe(0);
      expect(push.stderr).toMatch(/LFS: Client error: http:\/\/\S+\/lfs\/acme\/widgets\/objects\//); // git-lfs's words for a 4xx from storage
      expect(objectsOf(stored)[0]!.error).toMatchObject({ code: 404 }); // nothing was stored
    } else {
      expect(push.code).toBe(0);
      const copy = await cloneAs('bob-corrupt', 'bob');
      const pull = await g.git(['lfs', 'pull'], copy);
      expect(pull.code).not.toBe(0);
      expect(`${pull.stdout}${pull.stderr}`).toMatch(/corrupt|expected OID|does not match/i);
    }
  });
}
