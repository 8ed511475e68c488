/**
 * The base URL clients reach the gateway at, for every URL of the gateway's own that it hands out:
 * share links (`<base><mount>/<key>?share=...`), Git LFS's verify action and `documentation_url`.
 * Never from `Host`, `X-Forwarded-Host` or `X-Forwarded-Proto`, which the client writes: a forged
 * one would put an attacker's host into a link someone else opens, or send git-lfs's verify
 * (with its capability token) elsewhere.
 *
 * Contract: `publicBaseFor(req, configured)` is, in this order,
 *   1. the configured `publicUrl` (SIGNPOST_PUBLIC_URL), when there is one;
 *   2. what the entry point vouched for with `vouchPublicBase`: the Lambda handler, the front
 *      door's own domain from the event's requestContext (lambda/request-shape.ts); the
 *      long-lived server, the address it listens on (`listeningBase`, server.ts);
 *   3. undefined: callers then answer without a URL (share links: the path only; LFS: no verify
 *      action, no documentation_url).
 * No trailing slash. Behind a TLS proxy only a configured `publicUrl` gets the scheme right.
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

/**
 * The server's listening address as a base URL, or undefined for a wildcard address (0.0.0.0,
 * ::), which names no host a client could use: configure `publicUrl` there.
 */
export function listeningBase(host: string, port: number): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === '0.0.0.0' || bare === '::') return undefined;
  return `http://${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}
