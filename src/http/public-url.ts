/**
 * The gateway's public base URL: where clients reach it, for links it hands out (share links).
 * Configured (`publicUrl` / SIGNPOST_PUBLIC_URL) or, without that, the address the server
 * listens on; never taken from a request's `Host`, `X-Forwarded-Host` or `X-Forwarded-Proto`,
 * which any client can set. Behind a TLS proxy the scheme is the configured one.
 *
 * Contract: `normalizePublicUrl` accepts an absolute http(s) URL without credentials, query or
 * fragment (a path is allowed, for a gateway served under one) and returns it without a
 * trailing "/", so a link is `${base}${path}`; anything else throws, at startup.
 */

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

/** A public URL source from a configured value (checked now) or a function that knows it later. */
export function publicUrlSource(value: string | (() => string | undefined) | undefined): () => string | undefined {
  if (typeof value === 'function') return value;
  const base = value === undefined ? undefined : normalizePublicUrl(value);
  return () => base;
}
