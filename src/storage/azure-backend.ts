/**
 * The Azure Blob backend: (operation, key, constraints) -> a URL carrying a service or user
 * delegation SAS for exactly one blob, with the least permission the operation needs:
 *
 *   GET, HEAD -> r     PUT -> w     create-only PUT -> c (Azure refuses it on an existing blob)
 *   DELETE    -> d
 *
 * A SAS binds permissions, the blob, the expiry and the protocol (HTTPS only when the endpoint
 * is HTTPS), and `rscd`/`rsct` for downloads; it cannot bind request headers, so Content-Length
 * and Content-Type are enforced by the gateway only (`storageEnforces` says so, and startup
 * refuses rules that need more; see capabilities.ts). Put Blob needs `x-ms-blob-type: BlockBlob`,
 * declared in `requiredUploadHeaders` so the route can tell a client that left it out.
 * Large uploads: Put Block / Put Block List (azure-blocks.ts), signed by the same `BlobSigner`.
 */
import { uriEncodeKey } from '../signing/uri-encode';
import { createAzureBlocks } from './azure-blocks';
import type { AzureKeySource } from './azure-keys';
import { blobSas } from './azure-sas';
import { ObjectOperations, OPERATION_METHODS, type ConstraintName, type ObjectOperation, type PresignInput, type PresignedRequest, type StorageBackend } from './types';

const PERMISSIONS = {
  [ObjectOperations.get]: 'r',
  [ObjectOperations.head]: 'r',
  [ObjectOperations.put]: 'w',
  [ObjectOperations.delete]: 'd',
} as const satisfies Record<ObjectOperation, string>;

export const AZURE_BLOB_TYPE_HEADER = 'x-ms-blob-type';
/** What a SAS can make Azure enforce: the expiry, and create-only through the `c` permission. */
export const AZURE_STORAGE_ENFORCES: ReadonlySet<ConstraintName> = new Set<ConstraintName>(['ttl', 'createOnly']);
/** Azure allows longer, but the gateway keeps to the same 7-day cap as SigV4. */
const MAX_EXPIRY_SECONDS = 604_800;

export interface AzureBackendOptions {
  readonly account: string;
  /** Absent: `https://ACCOUNT.blob.core.windows.net`. Emulators: `http://127.0.0.1:10000/ACCOUNT`. */
  readonly endpoint?: string;
  readonly keys: AzureKeySource;
}

export function defaultAzureEndpoint(account: string): string {
  return `https://${account}.blob.core.windows.net`;
}

export interface BlobSasRequest {
  readonly container: string;
  readonly blob: string;
  readonly permissions: string;
  /** Requested lifetime; shortened to the 7-day cap and the signing key's expiry. */
  readonly expiresIn: number;
  readonly now: Date;
  readonly contentDisposition?: string;
  readonly contentType?: string;
}

/** Signs one blob's URL: `url` is the blob without a query, `sas` the query string to append. */
export type BlobSigner = (input: BlobSasRequest) => Promise<{ readonly url: string; readonly sas: string; readonly expiresAt: Date }>;

export function createBlobSigner(options: AzureBackendOptions): BlobSigner {
  const endpoint = (options.endpoint ?? defaultAzureEndpoint(options.account)).replace(/\/+$/, '');
  const protocol = new URL(endpoint).protocol === 'https:' ? 'https' : 'https,http';
  return async (input) => {
    const { key, expiresOn } = await options.keys.get(input.now);
    let expiresIn = Math.min(input.expiresIn, MAX_EXPIRY_SECONDS);
    if (expiresOn) expiresIn = Math.max(1, Math.min(expiresIn, Math.floor((expiresOn.getTime() - input.now.getTime()) / 1000)));
    const expiresAt = new Date(input.now.getTime() + expiresIn * 1000);
    const sas = blobSas(
      {
        account: options.account,
        container: input.container,
        blob: input.blob,
        permissions: input.permissions,
        expiresOn: expiresAt,
        protocol,
        ...(input.contentDisposition !== undefined && { contentDisposition: input.contentDisposition }),
        ...(input.contentType !== undefined && { contentType: input.contentType }),
      },
      key,
    );
    return { url: `${endpoint}/${input.container}/${uriEncodeKey(input.blob)}`, sas, expiresAt };
  };
}

export function createAzureBackend(options: AzureBackendOptions): StorageBackend {
  const sign = createBlobSigner(options);
  return {
    kind: 'azure',
    storageEnforces: AZURE_STORAGE_ENFORCES,
    requiredUploadHeaders: { [AZURE_BLOB_TYPE_HEADER]: 'BlockBlob' },
    multipart: createAzureBlocks({ sign }),
    async presign(input: PresignInput): Promise<PresignedRequest> {
      const isPut = input.operation === ObjectOperations.put;
      const isGet = input.operation === ObjectOperations.get;
      const { url, sas, expiresAt } = await sign({
        container: input.bucket,
        blob: input.key,
        permissions: isPut && input.createOnly ? 'c' : PERMISSIONS[input.operation],
        expiresIn: input.expiresIn,
        now: input.now,
        ...(isGet && input.responseContentDisposition !== undefined && { contentDisposition: input.responseContentDisposition }),
        ...(isGet && input.responseContentType !== undefined && { contentType: input.responseContentType }),
      });
      const headers: Record<string, string> = {};
      if (isPut) {
        headers[AZURE_BLOB_TYPE_HEADER] = 'BlockBlob';
        if (input.contentType !== undefined) headers['content-type'] = input.contentType;
        if (input.createOnly) headers['if-none-match'] = '*';
      }
      return { method: OPERATION_METHODS[input.operation], url: `${url}?${sas}`, headers, expiresAt };
    },
  };
}
