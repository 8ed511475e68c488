/**
 * `GET /openapi.json`: the OpenAPI 3.1 description of every endpoint, as a static object. The
 * paths are written for the default `/files` mount; other mounts behave the same. A test
 * (test/http/openapi.test.ts) checks that every documented operation answers on the app and
 * that every route the app dispatches is documented here.
 */
import type { Request, Response } from 'express';
import { LFS_PATHS, LFS_SCHEMAS } from '../lfs/openapi';
import { UPPY_OPENAPI_PATHS } from '../uppy/openapi';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json({ $ref: '#/components/schemas/Error' }) });
const redirect = {
  description: 'Temporary Redirect to a presigned storage URL (Cache-Control: no-store); the body is one line naming it, for clients that do not follow redirects',
  headers: { Location: { schema: { type: 'string', format: 'uri' } } },
  content: { 'text/plain': { schema: { type: 'string' } } },
};
const key = { name: 'key', in: 'path', required: true, description: 'the object key, percent-encoded; may contain "/"', schema: { type: 'string' } };
const folder = { name: 'folder', in: 'path', required: true, description: 'folder path, percent-encoded; may contain "/"', schema: { type: 'string' } };
const flag = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string' }, allowEmptyValue: true });
const listQuery = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 } },
  { name: 'cursor', in: 'query', required: false, description: 'the previous page\'s cursor', schema: { type: 'string' } },
];
// Request headers: CORS allows exactly what this document says clients send (routes/openapi-headers.ts).
const header = (name: string, description: string) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } });
const createOnly = header('If-None-Match', '"*": create, never overwrite');
const CHECKSUM_DOC = 'upload tickets: the body\'s SHA-256, signed as x-amz-checksum-sha256 (returned in headers, base64) where storage verifies it; 422 checksum_unsupported elsewhere';
const denied = { '400': error('invalid key or parameters'), '401': error('credentials required'), '403': error('not allowed') };
const listResponses = {
  '200': {
    description: 'one page of the folder',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Listing' } }, 'text/html': { schema: { type: 'string' } } },
  },
  ...denied,
  '501': error('the backend cannot list, or listings are turned off (feature_disabled)'),
  '502': error('storage_error'),
  '504': error('storage_timeout'),
};

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Signpost', version: '0.1.0', description: 'A redirect-based file gateway. See docs/transfers.md. An optional feature (multipart, listing, share, web, lfs, uppy) that is turned off answers 501 feature_disabled.' },
  paths: {
    '/healthz': { get: { summary: 'liveness', responses: { '200': { description: 'up', ...json({ type: 'object' }) } } } },
    '/metrics': { get: { summary: 'Prometheus metrics: here only with SIGNPOST_METRICS_TOKEN (Authorization: Bearer <token>); without one they are on a loopback port instead (404 here)', responses: { '200': { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': error('no or wrong metrics token'), '404': error('metrics are off, or served on the loopback port') } } },
    '/openapi.json': { get: { summary: 'this document', responses: { '200': { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } } },
    '/files/{key}': {
      parameters: [key],
      get: {
        summary:
          'download (redirect); storage answers with the signed type of a passive extension (pdf, png, txt, …), any other key as an attachment (unless the rule says inlineActive); ?download, ?download=name, ?inline set Content-Disposition; ?share=token opens a share link',
        parameters: [
          flag('download', 'attachment; optional file name (no control or bidi characters, at most 255 characters, keeps the file\'s extension unless the rule says renameDownloads; on a share link, the name the link was made with)'),
          flag('inline', 'inline for passive types only; others are attachments unless the rule says inlineActive'),
          flag('share', 'a share-link token (no credentials needed)'),
          { name: 'uploadId', in: 'query', required: false, description: 'multipart: list the uploaded parts, or with parts=A-B (and X-Upload-Length) more part URLs', schema: { type: 'string' } },
          { name: 'parts', in: 'query', required: false, description: 'multipart: a range of part numbers, e.g. 1001-2000', schema: { type: 'string' } },
          header('Range', 'passed on with the redirect: storage answers 206'),
          header('X-Upload-Length', 'multipart: the file\'s size, with ?uploadId&parts'),
        ],
        responses: {
          '200': { description: 'multipart parts or part URLs', ...json({ type: 'object' }) },
          '307': redirect,
          ...denied,
          '400': error('invalid key or parameters; invalid_download_name, download_name_extension'),
          '404': error('no such upload'),
          '410': error('share link expired'),
        },
      },
      head: { summary: 'metadata (redirect)', parameters: [flag('share', 'a share-link token')], responses: { '307': redirect, ...denied } },
      put: {
        summary: 'upload: with Expect: 100-continue, a redirect (the body goes to storage only); a body sent at once is streamed to storage (bodyUploads)',
        parameters: [createOnly],
        requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '200': { description: "streamed to storage: storage's answer (its status, ETag and body are passed on)" },
          '307': redirect,
          ...denied,
          '400': error('invalid key or headers; invalid_content_type (Content-Type must be exactly one RFC 9110 media type: no comma, well-formed parameters), duplicate_header'),
          '408': error('the body stopped moving or took too long'),
          '411': error('Content-Length required'),
          '413': error('too large'),
          '415': error('type not allowed'),
          '428': error('If-None-Match: * required'),
          '502': error('storage could not be reached'),
        },
      },
      delete: {
        summary: 'delete (redirect); with ?uploadId aborts a multipart upload',
        parameters: [{ name: 'uploadId', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { '204': { description: 'multipart upload aborted' }, '307': redirect, ...denied, '404': error('no such upload') },
      },
      options: { summary: 'allowed methods / CORS preflight', responses: { '204': { description: 'Allow header' } } },
      post: {
        summary: '?upload: an upload ticket (X-Upload-Length or JSON {size, contentType?, createOnly?, checksum?}); ?url[=get|head|put]: one URL for a third party (JSON {ttl?, contentType?, createOnly?}); ?share: a share link (?ttl=, ?download=name, or JSON {ttl, download})',
        parameters: [
          flag('upload', 'ask for an upload ticket'),
          flag('share', 'create a share link'),
          flag('url', 'a URL ticket for a third party: get (default; needs read), head (read) or put (write; unknown size, only where the rule has no maxSize: 411 otherwise); ?ttl= shortens it'),
          flag('uploads', 'multipart: create an upload (X-Upload-Length) and get its part URLs'),
          { name: 'uploadId', in: 'query', required: false, description: 'multipart: complete the upload with JSON {parts: [{partNumber, etag}]}', schema: { type: 'string' } },
          { name: 'ttl', in: 'query', required: false, description: 'share link lifetime, seconds (default 86400, at most 604800); with ?url: the URL\'s lifetime, at most the rule\'s ttl or SIGNPOST_URL_TTL', schema: { type: 'integer' } },
          flag('download', 'share: the link downloads the file, under this name if given (covered by the link\'s signature; keeps the extension unless the rule says renameDownloads)'),
          { name: 'X-Upload-Length', in: 'header', required: false, schema: { type: 'integer', minimum: 0 } },
          { name: 'X-Upload-Content-Type', in: 'header', required: false, description: 'exactly one RFC 9110 media type, sent once; signed as given', schema: { type: 'string' } },
          createOnly,
          { name: 'X-Upload-Checksum-SHA256', in: 'header', required: false, description: CHECKSUM_DOC, schema: { $ref: '#/components/schemas/Sha256' } },
        ],
        requestBody: {
          required: false,
          ...json({ oneOf: [{ $ref: '#/components/schemas/TicketRequest' }, { type: 'object', additionalProperties: false, properties: { ttl: { type: 'integer' }, download: { type: 'string' } } }, { $ref: '#/components/schemas/UrlTicketRequest' }] }),
        },
        responses: {
          '200': {
            description: 'the ticket (or, with Accept: text/plain, its URL), or the share link',
            content: {
              'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/Ticket' }, { $ref: '#/components/schemas/ShareLink' }, { $ref: '#/components/schemas/UrlTicket' }] } },
              'text/plain': { schema: { type: 'string', format: 'uri' } },
            },
          },
          ...denied,
          '400': error('invalid key or parameters; invalid_content_type, duplicate_header, invalid_download_name, download_name_extension'),
          '201': { description: 'multipart upload created: {uploadId, partSize, parts: [{partNumber, size, url, etag?}], expiresAt, next?}; a part with etag (Azure) gets no ETag from storage: send that one back', ...json({ type: 'object' }) },
          '405': error('POST needs ?upload, ?url, ?share, ?uploads or ?uploadId'),
          '411': error('no size given (?upload); size_required: ?url=put where the rule has a maxSize'),
          '413': error('too large'),
          '415': error('type not allowed'),
          '422': error('checksum_unsupported: a ticket with a checksum on a mount whose storage cannot verify SHA-256 (Ceph RGW 16, GCS, Azure)'),
          '428': error('create-only path'),
        },
      },
    },
    '/files/': { get: { summary: 'list the mount root', parameters: listQuery, responses: listResponses } },
    '/files/{folder}/': { parameters: [folder], get: { summary: 'list a folder (needs `list` on the folder key without its trailing slash)', parameters: listQuery, responses: listResponses } },
    ...LFS_PATHS,
    ...UPPY_OPENAPI_PATHS,
  },
  security: [{ bearer: [] }, { basic: [] }, {}],
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'an API key or a JWT' },
      basic: { type: 'http', scheme: 'basic', description: 'the API key as the password (git, Git LFS)' },
    },
    schemas: {
      Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } },
      TicketRequest: {
        type: 'object',
        required: ['size'],
        additionalProperties: false,
        properties: { size: { type: 'integer', minimum: 0 }, contentType: { type: 'string' }, createOnly: { type: 'boolean' }, checksum: { $ref: '#/components/schemas/Sha256', description: CHECKSUM_DOC } },
      },
      Sha256: { type: 'string', pattern: '^([0-9A-Fa-f]{64}|[A-Za-z0-9+/]{43}=)$', description: 'a SHA-256: 64 hex digits, or the canonical base64 of its 32 bytes' },
      Ticket: {
        type: 'object',
        required: ['method', 'url', 'headers', 'contentLength', 'expiresAt'],
        properties: {
          method: { const: 'PUT' },
          url: { type: 'string', format: 'uri' },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          contentLength: { type: 'integer' },
          expiresAt: { type: 'string', format: 'date-time' },
        },
      },
      UrlTicketRequest: { type: 'object', additionalProperties: false, properties: { ttl: { type: 'integer', minimum: 1 }, contentType: { type: 'string' }, createOnly: { type: 'boolean' } } },
      UrlTicket: {
        type: 'object',
        required: ['method', 'url', 'headers', 'expiresAt'],
        properties: {
          method: { enum: ['GET', 'HEAD', 'PUT'] },
          url: { type: 'string', format: 'uri' },
          headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'send these as they are (signed, or required by the backend)' },
          expiresAt: { type: 'string', format: 'date-time' },
        },
      },
      ShareLink: {
        type: 'object',
        required: ['path', 'expiresAt'],
        properties: {
          url: { type: 'string', format: 'uri', description: 'on the configured public URL (SIGNPOST_PUBLIC_URL), else the listening address; absent when neither is known. Never from Host.' },
          path: { type: 'string' },
          expiresAt: { type: 'string', format: 'date-time' },
        },
      },
      Listing: {
        type: 'object',
        required: ['prefix', 'entries', 'folders', 'cursor'],
        properties: {
          prefix: { type: 'string' },
          entries: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, key: { type: 'string' }, size: { type: 'integer' }, lastModified: { type: 'string' }, etag: { type: 'string' } } },
          },
          folders: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, prefix: { type: 'string' } } } },
          cursor: { type: ['string', 'null'] },
        },
      },
      ...LFS_SCHEMAS,
    },
  },
} as const;

const BODY = JSON.stringify(OPENAPI);

export function openapiRoute(_req: Request, res: Response): void {
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.send(BODY);
}
