/**
 * The Git LFS server's part of the OpenAPI document (src/routes/openapi.ts spreads these in), so
 * the LFS endpoints are described next to their code. Bodies are `application/vnd.git-lfs+json`.
 */
const LFS_JSON = 'application/vnd.git-lfs+json';
const body = (ref: string, description?: string) => ({ ...(description && { description }), content: { [LFS_JSON]: { schema: { $ref: `#/components/schemas/${ref}` } } } });
const error = (description: string) => body('LfsError', description);
const repo = { name: 'repo', in: 'path', required: true, description: 'the repository: one or more segments of A-Z a-z 0-9 . _ - (e.g. acme/widgets); "objects" and "locks" are reserved', schema: { type: 'string' } };
const refused = { '401': error('credentials required (LFS-Authenticate: Basic realm="signpost")'), '403': error('not allowed'), '422': error('validation error'), '429': error('rate limited (Retry-After)') };
const noLocks = { '501': error('this backend cannot keep locks (no listing or create-only writes)') };
const lock = { type: 'object', required: ['id', 'path', 'locked_at', 'owner'], properties: { id: { type: 'string' }, path: { type: 'string' }, locked_at: { type: 'string', format: 'date-time' }, owner: { type: 'object', properties: { name: { type: 'string' } } } } };
const action = { type: 'object', required: ['href', 'expires_in'], additionalProperties: false, properties: { href: { type: 'string', format: 'uri' }, header: { type: 'object', additionalProperties: { type: 'string' } }, expires_in: { type: 'integer' } } };
const oidSize = { oid: { type: 'string', pattern: '^[0-9a-f]{64}$' }, size: { type: 'integer', minimum: 0 } };
const ref = { type: ['object', 'null'], properties: { name: { type: 'string' } } };

export const LFS_PATHS = {
  '/lfs/{repo}/objects/batch': {
    parameters: [repo],
    post: {
      summary: 'Git LFS Batch API (basic transfer): presigned download/upload URLs straight to storage; download needs `read`, upload `write` on lfs/<repo>/objects/<oid[0:2]>/<oid[2:4]>/<oid>',
      requestBody: body('LfsBatchRequest'),
      responses: { '200': body('LfsBatchResponse', 'per-object actions or errors (404, 409, 422)'), ...refused, '404': error('the repository does not exist for this caller (download)'), '413': error('over 1000 objects or 256 KiB'), '415': error('not a JSON body') },
    },
  },
  '/lfs/{repo}/objects/verify': {
    parameters: [repo],
    post: {
      summary: 'the verify action: 200 only when the object is stored with that size (and, where storage keeps it, that SHA-256); the action\'s X-Signpost-Lfs-Verify header or `write` on the object',
      requestBody: body('LfsObjectRef'),
      responses: { '200': body('LfsObjectRef', 'stored as described'), ...refused, '404': error('not stored'), '422': error('stored with another size or SHA-256, or an invalid request') },
    },
  },
  '/lfs/{repo}/locks': {
    parameters: [repo],
    get: {
      summary: 'list locks (`read` on lfs/<repo>/locks)',
      parameters: ['path', 'id', 'cursor', 'limit', 'refspec'].map((name) => ({ name, in: 'query', required: false, schema: name === 'limit' ? { type: 'integer', minimum: 0, maximum: 100 } : { type: 'string' } })),
      responses: { '200': body('LfsLockList'), ...refused, ...noLocks },
    },
    post: {
      summary: 'create a lock (`write` on lfs/<repo>/locks)',
      requestBody: body('LfsLockRequest'),
      responses: { '201': body('LfsLockAnswer'), ...refused, '409': body('LfsLockConflict', 'already locked: the existing lock'), ...noLocks },
    },
  },
  '/lfs/{repo}/locks/verify': {
    parameters: [repo],
    post: { summary: 'locks for a push, as ours and theirs (`write` on lfs/<repo>/locks)', requestBody: body('LfsLockVerifyRequest'), responses: { '200': body('LfsLockVerifyAnswer'), ...refused, ...noLocks } },
  },
  '/lfs/{repo}/locks/{id}/unlock': {
    parameters: [repo, { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }],
    post: {
      summary: 'remove a lock: its owner (`write`), or with force anyone with `delete` on lfs/<repo>/locks',
      requestBody: body('LfsUnlockRequest'),
      responses: { '200': body('LfsLockAnswer'), ...refused, '404': error('no such lock'), ...noLocks },
    },
  },
} as const;

export const LFS_SCHEMAS = {
  LfsError: { type: 'object', required: ['message'], properties: { message: { type: 'string' }, request_id: { type: 'string' }, documentation_url: { type: 'string', format: 'uri' } } },
  LfsBatchRequest: {
    type: 'object',
    required: ['operation', 'objects'],
    additionalProperties: false,
    properties: {
      operation: { enum: ['upload', 'download'] },
      transfers: { type: 'array', items: { type: 'string' } },
      ref,
      hash_algo: { type: 'string' },
      objects: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'object', properties: oidSize } },
    },
  },
  LfsBatchResponse: {
    type: 'object',
    required: ['transfer', 'objects'],
    properties: {
      transfer: { const: 'basic' },
      hash_algo: { const: 'sha256' },
      objects: {
        type: 'array',
        items: {
          type: 'object',
          required: ['oid', 'size'],
          properties: {
            ...oidSize,
            authenticated: { type: 'boolean' },
            actions: { type: 'object', properties: { download: action, upload: action, verify: action } },
            error: { type: 'object', properties: { code: { type: 'integer' }, message: { type: 'string' } } },
          },
        },
      },
    },
  },
  LfsObjectRef: { type: 'object', required: ['oid', 'size'], additionalProperties: false, properties: oidSize },
  LfsLock: lock,
  LfsLockRequest: { type: 'object', required: ['path'], additionalProperties: false, properties: { path: { type: 'string' }, ref } },
  LfsLockAnswer: { type: 'object', required: ['lock'], properties: { lock } },
  LfsLockConflict: { type: 'object', required: ['lock', 'message'], properties: { lock, message: { type: 'string' }, request_id: { type: 'string' }, documentation_url: { type: 'string' } } },
  LfsLockList: { type: 'object', required: ['locks'], properties: { locks: { type: 'array', items: lock }, next_cursor: { type: 'string' } } },
  LfsLockVerifyRequest: { type: 'object', additionalProperties: false, properties: { cursor: { type: 'string' }, limit: { type: 'integer' }, ref } },
  LfsLockVerifyAnswer: { type: 'object', required: ['ours', 'theirs'], properties: { ours: { type: 'array', items: lock }, theirs: { type: 'array', items: lock }, next_cursor: { type: 'string' } } },
  LfsUnlockRequest: { type: 'object', additionalProperties: false, properties: { force: { type: 'boolean' }, ref } },
} as const;
