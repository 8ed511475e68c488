/**
 * The direct SAS signer (src/storage/azure-sas.ts) against the reference: for every case, its
 * query string is byte-identical to `@azure/storage-blob`'s generateBlobSASQueryParameters at
 * the same service version, for service SAS (account key) and user delegation SAS alike.
 */
import { randomBytes } from 'node:crypto';
import { BlobSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential, type UserDelegationKey } from '@azure/storage-blob';
import { blobSas, SAS_VERSION, type BlobSasInput } from '../../src/storage/azure-sas';
import { TRICKY_KEYS } from '../e2e/conformance';

const ACCOUNT = 'signposttest';
const ACCOUNT_KEY = randomBytes(64).toString('base64');
const UDK: UserDelegationKey = {
  signedObjectId: '6d1a2b3c-0000-4000-8000-000000000001',
  signedTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  signedStartsOn: new Date('2024-05-01T10:00:00Z'),
  signedExpiresOn: new Date('2024-05-01T16:00:00Z'),
  signedService: 'b',
  signedVersion: SAS_VERSION,
  value: randomBytes(32).toString('base64'),
};

function reference(input: BlobSasInput, delegation: boolean): string {
  const values = {
    containerName: input.container,
    blobName: input.blob,
    permissions: BlobSASPermissions.parse(input.permissions),
    expiresOn: input.expiresOn,
    protocol: input.protocol === 'https' ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    version: SAS_VERSION,
    ...(input.contentDisposition !== undefined && { contentDisposition: input.contentDisposition }),
    ...(input.contentType !== undefined && { contentType: input.contentType }),
  };
  return delegation
    ? generateBlobSASQueryParameters(values, UDK, input.account).toString()
    : generateBlobSASQueryParameters(values, new StorageSharedKeyCredential(input.account, ACCOUNT_KEY)).toString();
}

const keys = [...TRICKY_KEYS, 'plain.txt', 'a/b/c.d', 'sp ace+plus%25'];
const permissions = ['r', 'w', 'c', 'd', 'rw', 'dcwr'];
const expiries = [new Date('2024-05-01T12:00:00.123Z'), new Date('2024-12-31T23:59:59.999Z'), new Date('2025-01-01T00:00:00Z')];
const responses = [{}, { contentDisposition: 'attachment; filename="r\u00e9sum\u00e9.pdf"', contentType: 'application/pdf' }, { contentType: 'text/plain; charset=utf-8' }];

const cases: [BlobSasInput, boolean][] = [];
for (const blob of keys)
  for (const sp of permissions)
    for (const [i, expiresOn] of expiries.entries())
      for (const delegation of [false, true]) {
        const extra = responses[(i + sp.length) % responses.length]!;
        cases.push([{ account: ACCOUNT, container: 'my-container', blob, permissions: sp, expiresOn, protocol: i % 2 ? 'https' : 'https,http', ...extra }, delegation]);
      }

describe('Azure SAS signer equivalence with @azure/storage-blob', () => {
  it(`is byte-identical over ${cases.length} cases`, () => {
    expect(cases.length).toBeGreaterThan(500);
    for (const [input, delegation] of cases) {
      const key = delegation ? ({ kind: 'user-delegation', key: UDK } as const) : ({ kind: 'account-key', accountKey: ACCOUNT_KEY } as const);
      expect(blobSas(input, key)).toBe(reference(input, delegation));
    }
  });

  it('binds one blob (sr=b), no start time, the service version, and orders permissions', () => {
    const q = new URLSearchParams(
      blobSas({ account: ACCOUNT, container: 'c1c', blob: 'x', permissions: 'wr', expiresOn: new Date('2024-01-01T00:00:00Z'), protocol: 'https' }, { kind: 'account-key', accountKey: ACCOUNT_KEY }),
    );
    expect(q.get('sr')).toBe('b');
    expect(q.get('sp')).toBe('rw');
    expect(q.get('sv')).toBe(SAS_VERSION);
    expect(q.get('spr')).toBe('https');
    expect(q.has('st')).toBe(false);
  });
});
