/**
 * The decision seam's vocabulary. Every request is reduced to (principal, action, key) and
 * answered with a tagged-union Decision. Pure types: no express, no AWS.
 */

/** What a caller may ask to do. `as const` object rather than an enum (erasable, iterable). */
export const Actions = {
  read: 'read', // GET, HEAD
  write: 'write', // PUT, upload tickets, multipart
  delete: 'delete',
  list: 'list', // directory listings
  share: 'share', // share links
} as const;
export type Action = (typeof Actions)[keyof typeof Actions];
export const ALL_ACTIONS: readonly Action[] = Object.values(Actions);

/** Who is asking. Anonymous callers are principals too, so policies can speak about them. */
export type Principal =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'user';
      readonly subject: string;
      readonly groups: readonly string[];
      /** Verified token claims (JWT) or key attributes; policies may match on them. */
      readonly claims: Readonly<Record<string, unknown>>;
      /** How the caller proved who they are; for logs, never the credential itself. */
      readonly via: 'api-key' | 'jwt' | 'share-link';
    };

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });

/** Limits an allow carries; the gateway enforces them and signs into the URL what storage must enforce. */
export interface Constraints {
  /** Largest accepted upload in bytes (PUT Content-Length). */
  readonly maxSize?: number;
  /** Accepted Content-Type patterns for uploads, e.g. `image/*`. */
  readonly contentTypes?: readonly string[];
  /** Presigned URL lifetime in seconds for this rule (capped by the global maximum). */
  readonly ttl?: number;
  /** Sign `If-None-Match: *`, so an existing object is never overwritten. */
  readonly createOnly?: boolean;
  /** Reads: serve active or unknown types inline as stored, instead of as attachments. */
  readonly inlineActive?: boolean;
  /** Reads: a download name may change the object's extension. */
  readonly renameDownloads?: boolean;
}

export type Decision =
  | { readonly effect: 'allow'; readonly rule: string; readonly constraints: Constraints }
  | { readonly effect: 'deny'; readonly rule: string | null; readonly reason: string };

/** The one function every request passes through. */
export type Decide = (principal: Principal, action: Action, key: string) => Decision;

/** The zero-config default: everything is allowed (the server then binds to loopback only). */
export const allowAll: Decide = () => ALLOW_ALL_DECISION;
const ALLOW_ALL_DECISION: Decision = Object.freeze({ effect: 'allow', rule: 'default:allow-all', constraints: Object.freeze({}) });
