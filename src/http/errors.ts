/**
 * The gateway's HTTP errors: a status, a stable machine-readable code and a short message,
 * rendered as `{"error": code, "message": message}`. Anything thrown that is not an HttpError
 * is a bug and becomes a logged 500 with a generic body.
 */

export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toJSON(): { error: string; message: string } {
    return { error: this.code, message: this.message };
  }
}

export const badRequest = (code: string, message: string): HttpError => new HttpError(400, code, message);

export const unauthorized = (message: string, challenge: string): HttpError =>
  new HttpError(401, 'unauthorized', message, { 'WWW-Authenticate': challenge });

export const forbidden = (message = 'not allowed'): HttpError => new HttpError(403, 'forbidden', message);

export const notFound = (message = 'no such route'): HttpError => new HttpError(404, 'not_found', message);

export const methodNotAllowed = (allow: readonly string[]): HttpError =>
  new HttpError(405, 'method_not_allowed', `allowed methods: ${allow.join(', ')}`, { Allow: allow.join(', ') });

export const lengthRequired = (message: string): HttpError => new HttpError(411, 'length_required', message);

export const payloadTooLarge = (message: string): HttpError => new HttpError(413, 'too_large', message);

export const unsupportedMediaType = (message: string): HttpError => new HttpError(415, 'unsupported_media_type', message);

export const serviceUnavailable = (message: string, retryAfterSeconds: number): HttpError =>
  new HttpError(503, 'unavailable', message, { 'Retry-After': String(retryAfterSeconds) });
