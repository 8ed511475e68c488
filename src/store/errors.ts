/**
 * S3 error vocabulary. Every failure inside the store is an S3Error carrying the S3 code, so the
 * one place that answers (http.ts sendError) can turn it into the XML body S3 clients parse.
 * Codes and statuses follow the S3 error table; an unknown failure becomes 500 InternalError.
 */

const STATUS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  IncorrectNumberOfFilesInPostRequest: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidPolicyDocument: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedPOSTRequest: 400,
  MalformedXML: 400,
  MaxPostPreDataLengthExceededError: 400,
  MaxMessageLengthExceeded: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  RequestTimeout: 400,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  XAmzContentSHA256Mismatch: 400,
};

export type S3ErrorCode = keyof typeof STATUS;

export class S3Error extends Error {
  readonly status: number;
  /** Extra headers for the error response (e.g. Content-Range on 416). */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra XML elements S3 includes for some codes (e.g. Region), already escaped by the sender. */
  readonly extra: Readonly<Record<string, string>>;

  constructor(
    readonly code: string,
    message: string,
    opts: { headers?: Record<string, string>; extra?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'S3Error';
    this.status = STATUS[code] ?? 500;
    this.headers = opts.headers ?? {};
    this.extra = opts.extra ?? {};
  }
}

/** Anything thrown that is not an S3Error is a bug or an I/O failure: hide the detail from clients. */
export function toS3Error(err: unknown): S3Error {
  if (err instanceof S3Error) return err;
  return new S3Error('InternalError', 'We encountered an internal error. Please try again.');
}

export function noSuchKey(key: string): S3Error {
  return new S3Error('NoSuchKey', 'The specified key does not exist.', { extra: { Key: key } });
}

export function preconditionFailed(condition: 'If-Match' | 'If-None-Match' | 'If-Unmodified-Since'): S3Error {
  return new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { extra: { Condition: condition } });
}
