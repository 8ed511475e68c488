/**
 * The Git LFS server on an Azure Blob mount, against Azurite (which verifies every SAS): upload
 * actions carry Azure's required `x-ms-blob-type: BlockBlob` in `header`, a new object's upload is
 * create-only (the `c` permission: a SAS cannot bind content, so an upload URL must never replace
 * a stored object), verify reads the size Azure reports, locks answer 501 (no listing here), and
 * the real git-lfs pushes and pulls through it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load';
import { startServer, type RunningServer } from '../../src/server';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from '../support/azurite';
import { gitHome, useLfsAs } from '../support/git';
import { memoryLogger } from '../support/memory-log';
import { describeWith } from '../support/require-tool';
import { blob, lfs, objectsOf, perform, team, teamPolicy } from '../lfs/support';

jest.setTimeout(120_000);

describe('Git LFS on Azure Blob (Azurite)', () => {
  let azurite: Azurite;
  let running: RunningServer;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    azurite = await startAzurite();
    const container = await azurite.createContainer();
    dir = mkdtempSync(join(tmpdir(), 'signpost-lfs-azure-'));
    const file = join(dir, 'signpost.yaml');
    writeFileSync(
      file,
      stringify({
        backends: { blobs: { kind: 'azure', account: AZURITE_ACCOUNT, container, endpoint: azurite.endpoint, accountKey: AZURITE_KEY } },
        mounts: [{ path: '/files' }, { path: '/blobs', storage: 'blobs' }],
        lfs: { mount: '/blobs' },
        // maxSize and contentTypes cannot be enforced by Azure: startup would refuse those rules (fail closed).
        policy: { ...teamPolicy, rules: teamPolicy.rules.filter((r) => r.id !== 'small' && r.id !== 'images') },
        auth: { apiKeys: Object.values(team).map((k) => k.entry) },
      }),
    );
    const config = loadConfig({ SIGNPOST_CONFIG: file, PORT: '0', HOST: '127.0.0.1', SIGNPOST_DATA_DIR: join(dir, 'data'), SIGNPOST_SHUTDOWN_GRACE: '1' });
    running = await startServer(config, { logger: memoryLogger('info').logger });
    base = `${running.url}/lfs/acme/widgets`;
  });
  afterAll(async () => {
    await running?.close();
    await azurite?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('upload actions carry x-ms-blob-type and are create-only; verify and download work', async () => {
    const b = blob(2048);
    const batch = (operation: string, as: 'alice' | 'rita' = 'alice') => lfs(`${base}/objects/batch`, { as, body: { operation, objects: [b] } });
    const [o] = objectsOf(await batch('upload'));
    const upload = o!.actions!.upload!;
    expect(upload.href.startsWith(azurite.endpoint)).toBe(true);
    expect(new URL(upload.href).searchParams.get('sp')).toBe('c');
    expect(upload.header).toEqual({ 'X-Ms-Blob-Type': 'BlockBlob', 'Content-Type': 'application/octet-stream', 'If-None-Match': '*' });
    const [again] = objectsOf(await batch('upload')); // a second URL for the same new object

    expect((await perform(upload, 'PUT', b.bytes)).status).toBe(201);
    expect((await lfs(o!.actions!.verify!.href, { body: { oid: b.oid, size: b.size }, headers: o!.actions!.verify!.header! })).status).toBe(200);
    expect((await lfs(`${base}/objects/verify`, { body: { oid: b.oid, size: b.size + 1 }, as: 'bob' })).status).toBe(422);
    // Stored: no upload action; the other URL cannot replace it.
    expect(objectsOf(await batch('upload'))[0]).toEqual({ oid: b.oid, size: b.size });
    expect((await perform(again!.actions!.upload!, 'PUT', randomBytes(2048))).status).toBe(403);

    const [d] = objectsOf(await batch('download', 'rita'));
    expect(Buffer.from(await (await perform(d!.actions!.download!, 'GET')).arrayBuffer()).equals(b.bytes)).toBe(true);
  });

  it('locks: 501, since the Azure backend cannot list', async () => {
    const res = await lfs(`${base}/locks/verify`, { as: 'alice', body: {} });
    expect(res.status).toBe(501);
    expect(res.body.message).toMatch(/not available on the azure backend/);
  });

  describeWith('git-lfs', 'apt-get install git git-lfs')('with the git-lfs client', () => {
    it('pushes and pulls through Azure (git-lfs sends the header the action names; locks are skipped after the 501)', async () => {
      const g = await gitHome(dir);
      const origin = join(dir, 'origin.git');
      await g.ok(['init', '-q', '--bare', origin], dir);
      const work = join(dir, 'work');
      await g.ok(['clone', '-q', origin, work], dir);
      await useLfsAs(g, work, base, 'alice', team.alice.key);
      await g.ok(['lfs', 'track', '*.bin'], work);
      const files = { 'a.bin': randomBytes(1024), 'b.bin': randomBytes(1024 * 1024) };
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(work, name), bytes);
      await g.ok(['add', '.'], work);
      await g.ok(['commit', '-q', '-m', 'lfs on azure'], work);
      expect(await g.git(['push', 'origin', 'main'], work)).toMatchObject({ code: 0 });

      const copy = join(dir, 'copy');
      await g.ok(['clone', '-q', origin, copy], dir, { GIT_LFS_SKIP_SMUDGE: '1' });
      await useLfsAs(g, copy, base, 'bob', team.bob.key);
      await g.ok(['lfs', 'pull'], copy);
      for (const [name, bytes] of Object.entries(files)) {
        expect(createHash('sha256').update(readFileSync(join(copy, name))).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
      }
    });
  });
});
