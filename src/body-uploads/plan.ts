/**
 * PUT bodies that arrive without `Expect: 100-continue`. Write-then-read clients (python
 * requests, urllib, HTTPie, wget, fetch, browsers) send the whole body before they read a byte
 * of the answer, so a 307 reaches them only once the gateway has read that body. What the
 * gateway does with one is configured (`bodyUploads`, checked once by the config schema):
 * - `stream` (default): the body goes through the gateway to storage, on the same presigned URL
 *   a redirect would name (storage still enforces the signed size, type and create-only), and
 *   the client gets storage's answer. The bytes cross the client's link once.
 * - `redirect`: the 307 goes out, the body is read and dropped, and the client sends it again,
 *   to storage. The bytes cross the client's link twice.
 * Either way at most `maxBytes`, `concurrency` bodies at once and `timeoutSeconds` each (plus a
 * minimum pace: http/body-pace.ts); beyond a bound the request gets the plain redirect with the
 * default bounded drain (http/discard-body.ts), as it would without this feature. Clients that
 * send `Expect` never reach this: they get the 307 before their first body byte.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_BODY_PACE } from '../http/body-pace';
import { DEFAULT_DRAIN, type DrainLimits, expectsContinue } from '../http/discard-body';
import type { Logger } from '../log';
import { createStorageStreamer, type StorageStreamer } from './stream';

export const BodyUploadModes = { stream: 'stream', redirect: 'redirect' } as const;
export type BodyUploadMode = (typeof BodyUploadModes)[keyof typeof BodyUploadModes];

export interface BodyUploadOptions {
  readonly mode: BodyUploadMode;
  /** The largest body handled this way, bytes. */
  readonly maxBytes: number;
  /** Bodies handled at once. */
  readonly concurrency: number;
  /** The longest one body may take, seconds. */
  readonly timeoutSeconds: number;
}

/** Without configuration (createApp alone, tests): the redirect, with the default bounded drain. */
export const DEFAULT_BODY_UPLOADS: BodyUploadOptions = { mode: 'redirect', maxBytes: DEFAULT_DRAIN.bytes, concurrency: 1024, timeoutSeconds: DEFAULT_DRAIN.ms / 1000 };

/** What to do with one PUT's body. */
export type BodyPlan =
  /** Nothing to do: announced with Expect (never sent), or already read. */
  | { readonly kind: 'none' }
  /** Read and drop it within these limits (the redirect mode, or beyond a bound). */
  | { readonly kind: 'drain'; readonly limits: DrainLimits; readonly why?: BeyondBound }
  /**
   * Stream it to storage. `chunked`: sent without a length, so it can only be a 0-byte upload
   * (python requests sends an empty file that way); bodyIsEmpty() tells, before anything is signed.
   */
  | { readonly kind: 'stream'; readonly chunked?: true };

export interface BodyUploads {
  readonly options: BodyUploadOptions;
  /** Decides for one PUT; a `stream` or a `drain` plan holds a slot until the response closes. */
  plan(req: IncomingMessage, res: ServerResponse): BodyPlan;
  readonly streamer: StorageStreamer;
}

/** Why a body got the default drain instead of the configured handling. */
export type BeyondBound = 'no_length' | 'too_large' | 'busy';

const NONE: BodyPlan = { kind: 'none' };
const STREAM_IF_EMPTY: BodyPlan = { kind: 'stream', chunked: true };
/** How long a chunked body may take to show whether it is empty. */
const EMPTY_WAIT_MS = 2000;

/** Whether a chunked body ends without a byte (waits at most EMPTY_WAIT_MS). A body that is not empty is left paused, one chunk read. */
export function bodyIsEmpty(req: IncomingMessage): Promise<boolean> {
  if (req.complete) return Promise.resolve(req.readableEnded || req.readableLength === 0);
  return new Promise((resolve) => {
    const done = (empty: boolean): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      if (!empty) req.pause();
      resolve(empty);
    };
    const onData = (): void => done(false);
    const onEnd = (): void => done(true);
    const timer = setTimeout(() => done(false), EMPTY_WAIT_MS);
    req.on('data', onData);
    req.once('end', onEnd);
  });
}
const DRAIN_DEFAULT = (why: BeyondBound): BodyPlan => ({ kind: 'drain', limits: DEFAULT_DRAIN, why });

export function createBodyUploads(options: BodyUploadOptions, logger: Logger): BodyUploads {
  let active = 0;
  const own: BodyPlan = options.mode === 'stream' ? { kind: 'stream' } : { kind: 'drain', limits: { bytes: options.maxBytes, ms: options.timeoutSeconds * 1000, pace: DEFAULT_BODY_PACE } };
  const streamer = createStorageStreamer({ concurrency: options.concurrency, timeoutMs: options.timeoutSeconds * 1000, pace: DEFAULT_BODY_PACE, logger });
  return {
    options,
    streamer,
    plan(req, res) {
      if (req.complete || expectsContinue(req)) return NONE;
      const length = req.headers['content-length'];
      const coding = req.headers['transfer-encoding'];
      const chunked = coding !== undefined;
      // No usable length: refused with 411/400 by the route; the default drain lets the client read that.
      // Only plain chunked may turn out an empty upload (another coding would have to be decoded).
      if (chunked ? options.mode !== 'stream' || coding.toLowerCase() !== 'chunked' : length === undefined || !/^\d{1,16}$/.test(length)) return DRAIN_DEFAULT('no_length');
      if (Number(length ?? 0) > options.maxBytes) return DRAIN_DEFAULT('too_large');
      if (active >= options.concurrency) return DRAIN_DEFAULT('busy');
      active++;
      res.once('close', () => active--);
      return chunked ? STREAM_IF_EMPTY : own;
    },
  };
}
