/**
 * Optional rate limits (off by default): a token bucket per key (a principal, or a client
 * address), refilled continuously at `perSecond` up to `burst`. `take` is O(1) and takes the
 * clock as an argument, so tests need no timers. Buckets idle long enough to be full again are
 * dropped, so memory stays bounded by the number of recently active callers.
 */
import { HttpError } from './errors';

export interface RateLimitOptions {
  readonly perSecond: number;
  readonly burst: number;
  /** At most this many buckets are kept; the oldest are dropped first. */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimiter {
  /** Takes one token for `key` at `nowMs`; returns 0 when allowed, else the seconds to wait. */
  take(key: string, nowMs: number): number;
  /** Gives back a token `take` handed out (a reservation that turned out not to be needed). */
  refund(key: string): void;
  readonly size: number;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const { perSecond, burst } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  return {
    take(key, nowMs) {
      let bucket = buckets.get(key);
      if (bucket) {
        bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * perSecond);
        bucket.at = nowMs;
        buckets.delete(key); // re-insert: Map order is then least recently used first
      } else {
        bucket = { tokens: burst, at: nowMs };
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) / perSecond);
    },
    refund(key) {
      const bucket = buckets.get(key);
      if (bucket) bucket.tokens = Math.min(burst, bucket.tokens + 1);
    },
    get size() {
      return buckets.size;
    },
  };
}

export function tooManyRequests(retryAfterSeconds: number): HttpError {
  return new HttpError(429, 'too_many_requests', 'rate limit exceeded; slow down', { 'Retry-After': String(Math.max(1, retryAfterSeconds)) });
}
