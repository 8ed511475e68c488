/**
 * The base URL a client reached the gateway at, as the entry point vouches for it: share links
 * are built on it (`<base><mount>/<key>?share=...`). Never from `Host` or `X-Forwarded-*`, which
 * the client writes.
 *
 * Contract: `publicBaseFor(req, configured)` is the configured `publicUrl` when there is one,
 * else what the entry point attached with `vouchPublicBase` (the Lambda handler: the front
 * door's own domain from the event's requestContext), else undefined. No trailing slash.
 */
import type { IncomingMessage } from 'node:http';

const BASE = Symbol('signpost.publicBase');
type Vouched = IncomingMessage & { [BASE]?: string };

export function vouchPublicBase(req: IncomingMessage, base: string): void {
  (req as Vouched)[BASE] = base.replace(/\/+$/, '');
}

export function publicBaseFor(req: IncomingMessage, configured: string | undefined): string | undefined {
  if (configured !== undefined) return configured.replace(/\/+$/, '');
  return (req as Vouched)[BASE];
}
