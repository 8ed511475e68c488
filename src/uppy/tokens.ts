/**
 * The two tokens the Uppy endpoint hands out, both `<base64url JSON>.<base64url HMAC-SHA256>`,
 * signed, not encrypted (nothing in them is secret from their holder):
 *
 *   session: `{e, p: {s, g, c, v}}`   who the caller is (subject, groups, claims, how they
 *            authenticated), minted from an API key or JWT; Uppy 6 sends no headers, so it
 *            travels in the endpoint's path and stands in for the Authorization header.
 *   upload:  `{e, m, k, u, p}`         a multipart upload: mount, storage key, storage upload
 *            id and the principal that created it. Uppy carries it back as the `uploadId`, so
 *            part, list, complete and abort calls name the upload only through it.
 *
 * The MAC covers a purpose label, so one kind never passes for the other. The key is derived
 * from the share key (`shareKey` / SIGNPOST_SHARE_KEY), so every instance and every Lambda
 * container that shares it accepts each other's tokens; without it a random key per start
 * (tokens die on restart and, on Lambda, on other containers). Pure given key and clock.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../policy/types';

export type TokenPurpose = 'session' | 'upload';
export type Opened<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: 'invalid' | 'expired' };

export interface UploadGrant {
  readonly mountPath: string;
  readonly key: string;
  readonly uploadId: string;
  /** `describePrincipal` of the creator: 'anonymous' or '<via>:<subject>'. */
  readonly principal: string;
}

export interface UppyTokens {
  readonly ephemeral: boolean;
  sealSession(principal: Extract<Principal, { kind: 'user' }>, expiresAtSeconds: number): string;
  openSession(token: string, nowSeconds: number): Opened<Principal>;
  sealUpload(grant: UploadGrant, expiresAtSeconds: number): string;
  openUpload(token: string, nowSeconds: number): Opened<UploadGrant>;
}

/** Longer than any URL or header Uppy would carry it in; a bigger one is refused unread. */
export const MAX_TOKEN_CHARS = 4096;
const TOKEN = /^([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{43})$/;
const VIAS = new Set(['api-key', 'jwt', 'share-link']);

export function createUppyTokens(shareKey?: string): UppyTokens {
  const key = shareKey === undefined ? randomBytes(32) : createHmac('sha256', shareKey).update('signpost-uppy-v1').digest();
  const mac = (purpose: TokenPurpose, body: string): Buffer => createHmac('sha256', key).update(`${purpose}\n${body}`).digest();
  const seal = (purpose: TokenPurpose, value: object, exp: number): string => {
    const body = Buffer.from(JSON.stringify({ ...value, e: exp })).toString('base64url');
    return `${body}.${mac(purpose, body).toString('base64url')}`;
  };
  const open = (purpose: TokenPurpose, token: string, now: number): Opened<Record<string, unknown>> => {
    const m = token.length <= MAX_TOKEN_CHARS ? TOKEN.exec(token) : null;
    if (!m) return { ok: false, reason: 'invalid' };
    const given = Buffer.from(m[2]!, 'base64url');
    const expected = mac(purpose, m[1]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof value !== 'object' || value === null || typeof (value as { e?: unknown }).e !== 'number') return { ok: false, reason: 'invalid' };
    const record = value as Record<string, unknown>;
    return now >= (record.e as number) ? { ok: false, reason: 'expired' } : { ok: true, value: record };
  };

  return {
    ephemeral: shareKey === undefined,
    sealSession: (p, exp) => seal('session', { p: { s: p.subject, g: p.groups, c: p.claims, v: p.via } }, exp),
    openSession: (token, now) => {
      const o = open('session', token, now);
      if (!o.ok) return o;
      const p = o.value.p as { s?: unknown; g?: unknown; c?: unknown; v?: unknown } | undefined;
      if (!p || typeof p.s !== 'string' || !Array.isArray(p.g) || !p.g.every((g) => typeof g === 'string') || typeof p.c !== 'object' || p.c === null || typeof p.v !== 'string' || !VIAS.has(p.v)) {
        return { ok: false, reason: 'invalid' };
      }
      return { ok: true, value: { kind: 'user', subject: p.s, groups: p.g, claims: p.c as Record<string, unknown>, via: p.v as 'api-key' | 'jwt' | 'share-link' } };
    },
    sealUpload: (g, exp) => seal('upload', { m: g.mountPath, k: g.key, u: g.uploadId, p: g.principal }, exp),
    openUpload: (token, now) => {
      const o = open('upload', token, now);
      if (!o.ok) return o;
      const { m, k, u, p } = o.value;
      if (typeof m !== 'string' || typeof k !== 'string' || typeof u !== 'string' || typeof p !== 'string') return { ok: false, reason: 'invalid' };
      return { ok: true, value: { mountPath: m, key: k, uploadId: u, principal: p } };
    },
  };
}
