/**
 * Azure Blob service SAS for one blob, signed on node:crypto (HMAC-SHA256 over the string-to-sign
 * of service version 2022-11-02). Two signing keys: the account key (service SAS) or a user
 * delegation key obtained with an Entra ID token (user delegation SAS). Pure: same input, same
 * query string, byte for byte what `@azure/storage-blob`'s generateBlobSASQueryParameters gives
 * (test/storage/azure-sas-equivalence.test.ts keeps it so).
 *
 * Contract: the SAS is always `sr=b` (one blob), never has a start time (no clock-skew window
 * before it works), and carries exactly the permissions asked for.
 */
import { createHmac } from 'node:crypto';

/** Service version signed into every SAS (`sv`); Azure and Azurite both accept it. */
export const SAS_VERSION = '2022-11-02';

/** Azure blob permissions, in the order Azure requires them in `sp`. */
const PERMISSION_ORDER = 'racwdxyltmeopi';

export interface UserDelegationKey {
  readonly signedObjectId: string;
  readonly signedTenantId: string;
  readonly signedStartsOn: Date;
  readonly signedExpiresOn: Date;
  readonly signedService: string;
  readonly signedVersion: string;
  /** Base64, as Azure returns it. */
  readonly value: string;
}

export type SasKey = { readonly kind: 'account-key'; readonly accountKey: string } | { readonly kind: 'user-delegation'; readonly key: UserDelegationKey };

export interface BlobSasInput {
  readonly account: string;
  readonly container: string;
  /** The blob name as stored (not URL-encoded). */
  readonly blob: string;
  /** Any subset of `racwd`; normalized to Azure's order. */
  readonly permissions: string;
  readonly expiresOn: Date;
  /** `https` (HTTPS only) or `https,http`. */
  readonly protocol: 'https' | 'https,http';
  readonly contentDisposition?: string;
  readonly contentType?: string;
}

/** Azure's ISO 8601 form without milliseconds: `2024-05-01T12:00:00Z`. */
export function sasDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function orderPermissions(permissions: string): string {
  return [...PERMISSION_ORDER].filter((p) => permissions.includes(p)).join('');
}

/** Returns the SAS query string (without `?`). */
export function blobSas(input: BlobSasInput, key: SasKey): string {
  const sp = orderPermissions(input.permissions);
  const se = sasDate(input.expiresOn);
  const resource = `/blob/${input.account}/${input.container}/${input.blob}`;
  const rscd = input.contentDisposition ?? '';
  const rsct = input.contentType ?? '';
  const tail = [input.protocol, SAS_VERSION, 'b', '', '', '', rscd, '', '', rsct];
  let stringToSign: string;
  let signingKey: Buffer;
  const params: [string, string][] = [
    ['sv', SAS_VERSION],
    ['spr', input.protocol],
    ['se', se],
  ];
  if (key.kind === 'account-key') {
    // sp, st, se, resource, si, sip, spr, sv, sr, snapshot, ses, rscc, rscd, rsce, rscl, rsct
    stringToSign = [sp, '', se, resource, '', '', ...tail].join('\n');
    signingKey = Buffer.from(key.accountKey, 'base64');
  } else {
    const k = key.key;
    const udk: [string, string][] = [
      ['skoid', k.signedObjectId],
      ['sktid', k.signedTenantId],
      ['skt', sasDate(k.signedStartsOn)],
      ['ske', sasDate(k.signedExpiresOn)],
      ['sks', k.signedService],
      ['skv', k.signedVersion],
    ];
    // sp, st, se, resource, skoid, sktid, skt, ske, sks, skv, saoid, suoid, scid, sip, spr, sv, sr, ...
    stringToSign = [sp, '', se, resource, ...udk.map(([, v]) => v), '', '', '', '', ...tail].join('\n');
    signingKey = Buffer.from(k.value, 'base64');
    params.push(...udk);
  }
  params.push(['sr', 'b'], ['sp', sp]);
  if (rscd) params.push(['rscd', rscd]);
  if (rsct) params.push(['rsct', rsct]);
  params.push(['sig', createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('base64')]);
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
