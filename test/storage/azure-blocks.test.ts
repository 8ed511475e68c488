/**
 * The pure parts of Azure block uploads: upload ids (random part + content type) and block ids
 * (one length for every part, tied to the upload). The storage calls run against Azurite in
 * test/e2e/azurite-blocks.test.ts.
 */
import { createAzureBlocks, blockId, parseUploadId } from '../../src/storage/azure-blocks';
import type { BlobSigner } from '../../src/storage/azure-backend';

const unusedSigner: BlobSigner = () => Promise.reject(new Error('create and parsing never sign'));
const blocks = createAzureBlocks({ sign: unusedSigner });
const target = { bucket: 'c', key: 'k', now: new Date(0) };

describe('upload ids', () => {
  it.each([undefined, 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/plain; charset=utf-8'])('carry the content type %j', async (contentType) => {
    const { uploadId } = await blocks.create({ ...target, ...(contentType !== undefined && { contentType }) });
    expect(uploadId).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(parseUploadId(uploadId).contentType).toBe(contentType);
  });

  it('are fresh each time', async () => {
    const ids = new Set(await Promise.all(Array.from({ length: 50 }, async () => (await blocks.create(target)).uploadId)));
    expect(ids.size).toBe(50);
  });

  it.each([
    ['empty', ''],
    ['too short', 'abc'],
    ['too long', 'A'.repeat(21)],
    ['other characters', `${'A'.repeat(19)}!`],
    ['a header in the type', `${'A'.repeat(20)}.${Buffer.from('text/plain\r\nx-ms-meta: 1').toString('base64url')}`],
    ['an empty type', `${'A'.repeat(20)}.`],
  ])('malformed (%s) -> 400 invalid_upload_id', (_name, id) => {
    let thrown: unknown;
    try {
      parseUploadId(id);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ statusCode: 400, code: 'invalid_upload_id' });
  });

  it('a content type with control characters is refused at create', async () => {
    await expect(blocks.create({ ...target, contentType: 'text/plain\nx: y' })).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('block ids', () => {
  it('have one length for parts 1 to 10000 and differ between uploads', () => {
    const lengths = new Set([1, 9, 10, 999, 1000, 10_000].map((n) => blockId('A'.repeat(20), n).length));
    expect(lengths.size).toBe(1);
    expect(blockId('A'.repeat(20), 1)).not.toBe(blockId('B'.repeat(20), 1));
    expect(Buffer.from(blockId('A'.repeat(20), 42), 'base64').toString()).toBe(`${'A'.repeat(20)}-00042`);
  });
});
