/**
 * The Uppy endpoint's part of the OpenAPI document (routes/openapi.ts spreads it into `paths`).
 * Every route also answers under `/uppy/s/{session}/s3/…`, with the session standing in for the
 * Authorization header; see docs/uppy.md.
 */
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json({ $ref: '#/components/schemas/Error' }) });
const uploadId = { name: 'uploadId', in: 'path', required: true, description: 'the upload token from POST /uppy/s3/multipart (not a storage upload id)', schema: { type: 'string' } };
const key = { name: 'key', in: 'query', required: true, description: 'the key from POST /uppy/s3/multipart; must be the token\'s own', schema: { type: 'string' } };
const refused = { '401': error('credentials required (or a bad session)'), '403': error('not allowed, another caller\'s upload, or an altered token'), '410': error('the upload token has expired') };
const uploads = 'Uppy (@uppy/aws-s3 6.x, companionEndpoint)';

export const UPPY_OPENAPI_PATHS = {
  '/uppy/session': {
    post: {
      summary: `${uploads}: a session for an API key or JWT; use companionEndpoint: <gateway><endpoint>`,
      parameters: [{ name: 'ttl', in: 'query', required: false, description: 'seconds, 1 to 604800 (default 86400); never past a JWT\'s exp', schema: { type: 'integer' } }],
      responses: { '201': { description: 'the session', ...json({ type: 'object', required: ['endpoint', 'expiresAt'], properties: { endpoint: { type: 'string', description: '/uppy/s/<session>' }, expiresAt: { type: 'string', format: 'date-time' } } }) }, '400': error('bad ttl'), '401': error('credentials required') },
    },
  },
  '/uppy/s3/params': {
    get: {
      summary: `${uploads}: an S3 POST Object form for one file; its signed policy carries the key, the rule's maxSize (content-length-range), the type and the expiry`,
      parameters: [
        { name: 'filename', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'type', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'metadata[folder]', in: 'query', required: false, description: 'a gateway path, e.g. /files/home/alice (default: the only mount\'s root)', schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'the form', ...json({ type: 'object', properties: { method: { const: 'POST' }, url: { type: 'string', format: 'uri' }, fields: { type: 'object', additionalProperties: { type: 'string' } }, expires: { type: 'integer' }, expiresAt: { type: 'string', format: 'date-time' } } }) },
        '400': error('bad file name, folder or type'),
        ...refused,
        '404': error('the folder is under no mount'),
        '415': error('type not allowed'),
        '501': error('create-only folder, or a mount without POST policies (Azure, GCS)'),
      },
    },
  },
  '/uppy/s3/multipart': {
    post: {
      summary: `${uploads}: start a multipart upload; the answer's uploadId is a signed token binding the upload, its key and the caller`,
      requestBody: { required: true, ...json({ type: 'object', required: ['filename'], properties: { filename: { type: 'string' }, type: { type: 'string' }, metadata: { type: 'object', properties: { folder: { type: 'string' } } } } }) },
      responses: { '200': { description: 'started', ...json({ type: 'object', properties: { key: { type: 'string' }, uploadId: { type: 'string' } } }) }, '400': error('bad file name, folder or type'), ...refused, '404': error('the folder is under no mount'), '415': error('type not allowed'), '501': error('a mount Uppy cannot use') },
    },
  },
  '/uppy/s3/multipart/{uploadId}': {
    parameters: [uploadId],
    get: { summary: `${uploads}: the parts uploaded so far`, parameters: [key], responses: { '200': { description: '[{PartNumber, ETag, Size}]', ...json({ type: 'array' }) }, ...refused, '404': error('no such upload') } },
    delete: { summary: `${uploads}: abort the upload`, parameters: [key], responses: { '200': { description: '{}', ...json({ type: 'object' }) }, ...refused, '404': error('no such upload') } },
  },
  '/uppy/s3/multipart/{uploadId}/{partNumber}': {
    parameters: [uploadId, { name: 'partNumber', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 10000 } }],
    get: { summary: `${uploads}: a presigned URL for one part (any size up to 5 GiB)`, parameters: [key], responses: { '200': { description: '{url, expires}', ...json({ type: 'object' }) }, '400': error('bad part number'), ...refused } },
  },
  '/uppy/s3/multipart/{uploadId}/complete': {
    parameters: [uploadId],
    post: {
      summary: `${uploads}: complete; the parts must exist with those ETags and add up to at most the rule's maxSize (else 413, and the upload is aborted)`,
      parameters: [key],
      requestBody: { required: true, ...json({ type: 'object', properties: { parts: { type: 'array', items: { type: 'object', properties: { PartNumber: { type: 'integer' }, ETag: { type: 'string' } } } } } }) },
      responses: { '200': { description: '{location (the gateway path), key}', ...json({ type: 'object' }) }, '400': error('bad parts'), ...refused, '404': error('no such upload'), '412': error('create-only: the object exists'), '413': error('over maxSize') },
    },
  },
} as const;
