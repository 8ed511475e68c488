/**
 * Upload tickets: a body-less way to upload (API Gateway/Lambda, browsers, scripts).
 *
 * `POST <mount>/<key>?upload` with the intended upload described either by headers
 *   `X-Upload-Length: N` (required in this form), optional `X-Upload-Content-Type: type`,
 *   optional `If-None-Match: *` (create-only)
 * or by a JSON body (Content-Type: application/json, at most 4 KB)
 *   `{"size": N, "contentType"?: "type", "createOnly"?: true}`.
 * The same checks as a PUT run (write action on the exact key, 413 over maxSize or 5 GiB, 415
 * for a type the rule does not accept, 428 for create-only paths without createOnly), then:
 *   200 `{"method":"PUT","url":"…","headers":{…},"contentLength":N,"expiresAt":"…"}`
 * exactly the request to send to storage: `headers` are the signed ones the client must add
 * (content-type, if-none-match, a backend's required headers); the body must be exactly N bytes.
 * With `Accept: text/plain` the answer is the URL alone (plus a newline), so
 *   curl --upload-file f "$(curl -s -X POST "$GW/files/k?upload" -H "X-Upload-Length: $(stat -c%s f)" -H 'Accept: text/plain')"
 * works. The gateway never receives the file itself. The content type is read like a PUT's
 * Content-Type (one RFC 9110 media type, sent once) and signed exactly as given.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardUnwantedBody } from '../http/discard-body';
import { badRequest, lengthRequired } from '../http/errors';
import { Actions } from '../policy/types';
import type { Mount } from '../storage/mount';
import { ObjectOperations } from '../storage/types';
import { enforceUploadConstraints, readUploadHeaders, refuseRepeatedHeaders, signedUploadFields, type UploadRequest } from './upload-headers';
import { authorize, jsonObject, negotiate, objectKeyOf, presign, readSmallJson, sendBody, sendJson, urlLifetime, type RouteContext } from './route-kit';

export async function uploadTicket(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, mount: Mount, rawKeyPath: string): Promise<void> {
  const key = objectKeyOf(rawKeyPath, mount);
  const upload = await readTicketRequest(req, res);
  const { constraints, at } = await authorize(ctx, req, res, Actions.write, key);
  enforceUploadConstraints(upload, constraints);

  const signed = await presign(mount, {
    operation: ObjectOperations.put,
    bucket: mount.bucket,
    key,
    expiresIn: urlLifetime(ctx, constraints),
    now: at,
    ...signedUploadFields(upload, constraints),
  });
  const headers = { ...mount.backend.requiredUploadHeaders, ...signed.headers };
  if (negotiate(req, ['application/json', 'text/plain']) === 'text/plain') {
    sendBody(res, 200, 'text/plain; charset=utf-8', `${signed.url}\n`);
    return;
  }
  sendJson(res, 200, { method: signed.method, url: signed.url, headers, contentLength: upload.contentLength, expiresAt: signed.expiresAt.toISOString() });
}

/** The intended upload, from the X-Upload-* headers or the JSON body, validated like a PUT's headers. */
async function readTicketRequest(req: IncomingMessage, res: ServerResponse): Promise<UploadRequest> {
  const h = req.headers;
  if (h['x-upload-length'] !== undefined) {
    discardUnwantedBody(req, res);
    refuseRepeatedHeaders(req, ['x-upload-content-type']);
    return readUploadHeaders(
      {
        'content-length': String(h['x-upload-length']),
        ...(h['x-upload-content-type'] !== undefined && { 'content-type': String(h['x-upload-content-type']) }),
        ...(h['if-none-match'] !== undefined && { 'if-none-match': h['if-none-match'] }),
      },
      {},
      'X-Upload-Content-Type',
    );
  }
  const body = await readSmallJson(req, res);
  if (body === undefined) throw lengthRequired('say how large the upload is: the X-Upload-Length header, or a JSON body {"size": N}');
  const o = jsonObject(body, ['size', 'contentType', 'createOnly']);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) throw badRequest('invalid_size', '"size" must be a non-negative integer (bytes)');
  if (o.contentType !== undefined && typeof o.contentType !== 'string') throw badRequest('invalid_content_type', '"contentType" must be a string');
  if (o.createOnly !== undefined && typeof o.createOnly !== 'boolean') throw badRequest('invalid_json', '"createOnly" must be a boolean');
  return readUploadHeaders(
    {
      'content-length': String(o.size),
      ...(o.contentType !== undefined && { 'content-type': o.contentType }),
      ...(o.createOnly === true && { 'if-none-match': '*' }),
    },
    {},
    '"contentType"',
  );
}
