/**
 * What one client may hold in the embedded store, which shares its process (and file-descriptor
 * limit) with the gateway: headers must arrive within `headersTimeoutMs`; a request body (PUT,
 * UploadPart, POST Object, the Complete XML) must keep moving (http/body-pace.ts) or the
 * connection is cut, which fails the write and removes its temp file; at most `maxUploads`
 * bodies are received at once, and the next gets 503 SlowDown with Retry-After before
 * `100 Continue` (so it sends no body).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type BodyPace, DEFAULT_BODY_PACE, watchBodyPace } from '../http/body-pace';
import { S3Error } from './errors';

export interface StoreLimits extends BodyPace {
  /** The request line and headers must arrive within this, ms. */
  readonly headersTimeoutMs: number;
  /** Upload bodies received at once. */
  readonly maxUploads: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = { ...DEFAULT_BODY_PACE, headersTimeoutMs: 20_000, maxUploads: 64 };

const RETRY_AFTER_SECONDS = 1;

export interface UploadSlot {
  /** Gives the slot back and stops watching the body; safe to call twice. */
  release(): void;
}

export class UploadLimiter {
  private inFlight = 0;

  constructor(
    private readonly limits: StoreLimits,
    private readonly logger?: Logger,
  ) {}

  get active(): number {
    return this.inFlight;
  }

  /**
   * Receives one upload body: takes a slot (or throws 503 SlowDown), only then sends
   * `100 Continue` if the client waits for it, runs `receive`, and gives the slot back.
   */
  async receive<T>(req: IncomingMessage, res: ServerResponse, expectContinue: boolean, receive: () => Promise<T>): Promise<T> {
    const slot = this.begin(req);
    try {
      if (expectContinue) res.writeContinue();
      return await receive();
    } finally {
      slot.release();
    }
  }

  /** Takes a slot for `req`'s body, or throws 503 SlowDown. Call before `100 Continue`. */
  begin(req: IncomingMessage): UploadSlot {
    if (this.inFlight >= this.limits.maxUploads) {
      this.logger?.warn({ maxUploads: this.limits.maxUploads }, 'embedded store: upload bound reached, answering 503 SlowDown');
      throw new S3Error('SlowDown', 'Please reduce your request rate.', { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
    }
    this.inFlight++;
    const stop = watchBodyPace(req, this.limits, (why) => {
      this.logger?.warn({ why }, 'embedded store: cut an upload body that stopped moving');
      // Destroying the request fails the body's reader, which removes the temp file.
      req.destroy(new S3Error('RequestTimeout', `Your socket connection to the server was not read from or written to within the timeout period (${why}).`));
    });
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        stop();
      },
    };
  }
}
