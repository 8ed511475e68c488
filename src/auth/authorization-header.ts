/**
 * Parsing an Authorization header value into the credential it carries, without verifying it.
 *
 *   (absent)                     -> none (the caller is anonymous)
 *   Bearer sp_<43 base64url>     -> API key
 *   Bearer <h>.<p>.<s>           -> JWT (three base64url parts; an empty signature is passed on
 *                                   so `alg: none` tokens are rejected by verification, loudly)
 *   Basic base64(user:password)  -> the password is read like a Bearer token (API key or JWT);
 *                                   the user part is ignored, so `curl -u :KEY` and
 *                                   `curl -u anything:KEY` both work (git credential helpers
 *                                   insist on a user name).
 * Scheme names are case-insensitive (RFC 9110 §11.1). Values over 8 KiB are refused before any
 * other work. Messages never include the credential.
 */
import { API_KEY_PREFIX, isApiKeyShaped } from './api-keys';
import type { AuthFailureReason } from './auth-result';

export const MAX_AUTHORIZATION_LENGTH = 8 * 1024;

export type Credential =
  | { readonly kind: 'none' }
  | { readonly kind: 'api-key'; readonly key: string }
  | { readonly kind: 'jwt'; readonly token: string }
  | { readonly kind: 'error'; readonly reason: Extract<AuthFailureReason, 'missing' | 'malformed'>; readonly message: string };

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(message: string): Credential {
  return { kind: 'error', reason: 'malformed', message };
}

function classifyToken(token: string, where: string): Credential {
  if (token.startsWith(API_KEY_PREFIX)) {
    return isApiKeyShaped(token) ? { kind: 'api-key', key: token } : malformed(`${where} looks like an API key but has the wrong length or characters`);
  }
  if (JWT_SHAPE.test(token)) return { kind: 'jwt', token };
  return malformed(`${where} is neither an API key nor a JWT`);
}

function basicPassword(param: string): Credential {
  if (!BASE64.test(param) || param.length % 4 === 1) return malformed('Basic credentials are not base64');
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(param, 'base64'));
  } catch {
    return malformed('Basic credentials are not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return malformed('Basic credentials need "user:password"; put the API key in the password');
  const password = decoded.slice(colon + 1);
  if (password === '') return { kind: 'error', reason: 'missing', message: 'Basic credentials have an empty password; put the API key there' };
  return classifyToken(password, 'the Basic password');
}

export function parseAuthorization(header: string | undefined): Credential {
  if (header === undefined) return { kind: 'none' };
  if (header.length > MAX_AUTHORIZATION_LENGTH) return malformed(`Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} bytes`);
  const trimmed = header.trim();
  // Present but empty: the client meant to authenticate, so do not fall back to anonymous.
  if (trimmed === '') return { kind: 'error', reason: 'missing', message: 'Authorization header is empty' };
  const space = trimmed.indexOf(' ');
  const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const param = space < 0 ? '' : trimmed.slice(space + 1).trim();
  if (scheme !== 'bearer' && scheme !== 'basic') return malformed('unsupported Authorization scheme; use Bearer or Basic');
  if (param === '') return { kind: 'error', reason: 'missing', message: `${scheme === 'bearer' ? 'Bearer' : 'Basic'} credentials are missing` };
  if (/\s/.test(param)) return malformed('Authorization credentials must not contain spaces');
  return scheme === 'bearer' ? classifyToken(param, 'the Bearer token') : basicPassword(param);
}
