/**
 * The `verify` action: `POST <gateway>/lfs/<repo>/objects/verify` with `{"oid", "size"}`, which
 * git-lfs sends after each upload. 200 only when the object is in storage with exactly that size
 * and, where storage keeps the SHA-256 it verified at upload (the embedded store, AWS S3), that
 * checksum; 404 when it is missing, 422 when it is there but differs.
 *
 * Authorization: git-lfs sends the verify request without credentials (the batch answer says
 * `authenticated: true`), so the action carries a capability in its `header`: a token bound by
 * HMAC to the mount, the object key, the size and an expiry. It is a share token (the share key
 * signs it, so every instance with the same `shareKey` accepts it) over a pseudo-key no object can
 * have: it contains newlines, which keys refuse, so a verify token never opens a share link and a
 * share token never passes here. Without the header, the caller's own credentials must allow
 * `write` on the object's key.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forbidden } from '../http/errors';
import { facts } from '../http/request-log';
import { Actions } from '../policy/types';
import type { RouteContext } from '../routes/route-kit';
import { bindsContent } from '../storage/capabilities';
import { authorizeTo } from './access';
import type { LfsContext } from './context';
import { checkObject, objectKey, oidChecksum } from './paths';
import { LfsError, lfsObject, readLfsJson, sendLfs, validationError } from './protocol';

export const VERIFY_TOKEN_HEADER = 'X-Signpost-Lfs-Verify';

const pseudoKey = (key: string, size: number): string => `${key}\nlfs-verify\n${size}`;

export function verifyToken(ctx: RouteContext, lfs: LfsContext, key: string, size: number, expiresAtSeconds: number): string {
  return ctx.share.sign(lfs.mount.path, pseudoKey(key, size), expiresAtSeconds);
}

export async function verifyObject(ctx: RouteContext, lfs: LfsContext, req: IncomingMessage, res: ServerResponse, repo: string): Promise<void> {
  const body = lfsObject(await readLfsJson(req, res, 4096), ['oid', 'size'], 'the verify request');
  const check = checkObject(body.oid, body.size);
  if (!check.ok) throw validationError(check.message);
  const oid = body.oid as string;
  const size = body.size as number;
  const key = objectKey(lfs.mount.prefix, repo, oid);

  const token = req.headers[VERIFY_TOKEN_HEADER.toLowerCase()];
  let at: Date;
  if (typeof token === 'string') {
    at = ctx.now();
    const f = facts(res);
    f.action = Actions.write;
    f.principal = 'lfs-verify-token';
    // No principal: the rate limit counts the client address, as for anonymous callers.
    ctx.limits?.chargeAddress(req, at);
    const verdict = ctx.share.verify(lfs.mount.path, pseudoKey(key, size), token, Math.floor(at.getTime() / 1000));
    if (verdict !== 'ok') throw forbidden(verdict === 'expired' ? 'the verify action has expired: push again' : 'the verify token does not match this object');
  } else {
    ({ at } = await authorizeTo(ctx, req, res, Actions.write, key, `you may not upload to ${repo}`));
  }

  const keepsChecksum = bindsContent(lfs.mount.backend);
  const stored = await lfs.calls.head(key, at, { checksum: keepsChecksum });
  if (!stored) throw new LfsError(404, 'not_found', `object ${oid} is not in storage`);
  if (stored.size !== size) throw validationError(`object ${oid} is in storage with ${stored.size} bytes, not ${size}`);
  if (stored.checksumSha256 !== undefined && stored.checksumSha256 !== oidChecksum(oid)) throw validationError(`object ${oid} in storage has another SHA-256`);
  sendLfs(res, 200, { oid, size });
}
