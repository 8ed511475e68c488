/**
 * Keeps a request body moving, so a client cannot hold a connection (and whatever is attached
 * to it: a temp file, an upload slot, a connection to storage) by trickling bytes: a body that
 * sends nothing for `idleMs`, or averages less than `minBytesPerSecond` over a window of
 * `windowMs`, is reported once through `onSlow`. A slow but real upload (1 GiB over a 1 Mbit/s
 * line is ~15 KB/s) is well above any sane minimum. Time the receiver itself is not reading
 * (its own backpressure: a slow disk, a slow storage) never counts against the client.
 * Progress is polled from `socket.bytesRead`, which also sees what the parser has not yet
 * handed to the stream. Used by the embedded store and the gateway's streamed uploads.
 */
import type { IncomingMessage } from 'node:http';

export interface BodyPace {
  /** A body that sends nothing for this long is cut, ms. */
  readonly idleMs: number;
  /** ... and one averaging less than this over any window. */
  readonly minBytesPerSecond: number;
  /** The window for the average, ms. */
  readonly windowMs: number;
}

/** Nothing for 30 s, or under 4 KiB/s averaged over a minute, is cut (the gateway's bodies and the embedded store's uploads). */
export const DEFAULT_BODY_PACE: BodyPace = { idleMs: 30_000, minBytesPerSecond: 4096, windowMs: 60_000 };

export type SlowBody = 'idle' | 'too_slow';

/** Starts watching `req`'s body; returns the function that stops watching (call it when the body is done). */
export function watchBodyPace(req: IncomingMessage, pace: BodyPace, onSlow: (why: SlowBody) => void, now: () => number = Date.now): () => void {
  const socket = req.socket;
  let bytes = socket.bytesRead;
  let movedAt = now();
  let windowAt = movedAt;
  let windowBytes = bytes;
  const stop = (): void => clearInterval(timer);
  const timer = setInterval(
    () => {
      if (req.complete || socket.destroyed) return stop();
      const t = now();
      const read = socket.bytesRead;
      // Bytes waiting unread on our side: we are the slow one, not the client.
      if (read !== bytes || req.readableLength > 0) {
        bytes = read;
        movedAt = t;
      }
      if (req.readableLength > 0) {
        windowAt = t;
        windowBytes = read;
      }
      if (t - movedAt >= pace.idleMs) {
        stop();
        onSlow('idle');
      } else if (t - windowAt >= pace.windowMs) {
        if (read - windowBytes < (pace.minBytesPerSecond * (t - windowAt)) / 1000) {
          stop();
          onSlow('too_slow');
        }
        windowAt = t;
        windowBytes = read;
      }
    },
    Math.max(10, Math.min(1000, pace.idleMs / 4)),
  );
  timer.unref();
  return stop;
}
