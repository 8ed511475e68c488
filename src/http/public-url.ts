/**
 * The gateway's public base URL: where clients reach it, for links it hands out (share links,
 * Git LFS actions). In order: the configured one (`publicUrl` / SIGNPOST_PUBLIC_URL); else the
 * base the entry point vouched for on this request (the Lambda handler: the front door's own
 * domain from the event's requestContext); else the address the server listens on. Never taken
 * from a request's `Host`, `X-Forwarded-Host` or `X-Forwarded-Proto`, which any client can set.
 * Behind a TLS proxy the scheme is the configured one.
 *
 * Contract: `normalizePublicUrl` accepts an absolute http(s) URL without credentials, query or
 * fragment (a path is allowed, for a gateway served under one) and returns it without a
 * trailing "/", so a link is `${base}${path}`; anything else throws, at startup.
 */
import type { IncomingMessage } from 'node:http';

/** The base URL for links answered to `req`, or undefined when nothing trustworthy says it. */
export type PublicUrl = (req: IncomingMessage) => string | undefined;

export function normalizePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`"${value}" is not an absolute URL (e.g. https://files.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${value}" must be an http:// or https:// URL`);
  if (url.username !== '' || url.password !== '') throw new Error(`"${value}" must not carry credentials`);
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) throw new Error(`"${value}" must not have a query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

const VOUCHED = Symbol('signpost.publicBase');
type Vouched = IncomingMessage & { [VOUCHED]?: string };

/** For entry points that know the base from something the client cannot write (Lambda events). */
export function vouchPublicBase(req: IncomingMessage, base: string): void {
  (req as Vouched)[VOUCHED] = base.replace(/\/+$/, '');
}

/**
 * A public URL source: a configured value (checked now) wins; otherwise what the entry point
 * vouched for on the request, then `later` (a base known only after start, e.g. the listening address).
 */
export function publicUrlSource(value: string | (() => string | undefined) | undefined): PublicUrl {
  if (typeof value === 'string') {
    const base = normalizePublicUrl(value);
    return () => base;
  }
  return (req) => (req as Vouched)[VOUCHED] ?? value?.();
}
