/**
 * Child: one baseline server, chosen by argv[2], each doing exactly the work its name claims:
 *   node-http        bare node:http, constant 307 + Location
 *   node-http-gateway-headers           node:http, constant 307 with the gateway's own headers
 *                                       (security headers, a fresh X-Request-Id, Location,
 *                                       Cache-Control, Content-Length), set one by one as it does
 *   node-http-gateway-headers-writehead the same headers in one writeHead array
 *   node-http-essentials                node:http doing only the per-request work the issue
 *                                       requires, with the gateway's own functions: its request
 *                                       log (id, facts, one pino info line), a real SigV4 presign
 *                                       by its S3 backend (the type or attachment a GET signs,
 *                                       src/content/serve-as.ts) and its writeRedirect (the 307 with
 *                                       every header and the one-line body); no routing, auth,
 *                                       policy or body handling. The floor for the gateway's redirect.
 *   express-307      express 5, GET /files/*key sets a constant Location, 307, ends
 *   express-redirect express 5, res.redirect(307, constant) (content negotiation + HTML body)
 *   express-sdk      express 5 + getSignedUrl with one shared S3Client (a real SigV4 presign)
 *   express-sdk-new  express 5 + `new S3Client()` per request + getSignedUrl (the Stackery shape)
 * The SDK clients read region/credentials from AWS_* env and point at SIGNPOST_S3_ENDPOINT;
 * only presigning happens, nothing is sent to it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { serveAs, ServeModes } from '../../src/content/serve-as';
import { requestLog } from '../../src/http/request-log';
import { writeRedirect } from '../../src/http/security-headers';
import { createLogger } from '../../src/log';
import { staticCredentials } from '../../src/signing/credentials';
import { createS3Backend } from '../../src/storage/s3-backend';
import { ObjectOperations } from '../../src/storage/types';
import { serveChild } from './harness';

const BUCKET = process.env.SIGNPOST_BUCKET ?? 'bench-bucket';
const clientConfig = { region: process.env.AWS_REGION ?? 'us-east-1', endpoint: process.env.SIGNPOST_S3_ENDPOINT ?? 'http://127.0.0.1:9', forcePathStyle: true };
/** A constant Location the size of a real presigned URL (~450 bytes). */
const CONSTANT = `${clientConfig.endpoint}/${BUCKET}/projects/p0/docs/spec.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=300&X-Amz-Signature=${'0'.repeat(64)}&X-Amz-SignedHeaders=host&x-id=GetObject`;

function keyOf(req: express.Request): string {
  return (req.params as { key: string[] }).key.join('/');
}

/** What the gateway sends before its own answer: src/http/security-headers.ts, then the request id. */
const FIRST = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Frame-Options', 'DENY'],
] as const;

function build(kind: string): Server {
  if (kind === 'node-http-gateway-headers') {
    return createServer((_req, res) => {
      for (const [k, v] of FIRST) res.setHeader(k, v);
      res.setHeader('X-Request-Id', randomUUID());
      res.statusCode = 307;
      res.setHeader('Location', CONSTANT);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Length', '0');
      res.end();
    });
  }
  if (kind === 'node-http-gateway-headers-writehead') {
    const first = FIRST.flat();
    return createServer((_req, res) => {
      res.writeHead(307, [...first, 'X-Request-Id', randomUUID(), 'Location', CONSTANT, 'Cache-Control', 'no-store', 'Content-Length', '0']);
      res.end();
    });
  }
  if (kind === 'node-http-essentials') {
    // The gateway's logger as `signpost serve` builds it: info, on stdout (the parent's /dev/null).
    const logRequest = requestLog(createLogger('info'));
    const credentials = staticCredentials({ accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '' });
    const backend = createS3Backend({ ...clientConfig, credentials });
    const prefix = '/files/';
    return createServer((req, res) => {
      const f = logRequest(req, res);
      f.action = 'read'; // the zero-config gateway's line names these too
      f.principal = 'anonymous';
      const key = (req.url ?? prefix).slice(prefix.length);
      backend.presign({ operation: ObjectOperations.get, bucket: BUCKET, key, expiresIn: 300, now: new Date(), ...serveAs(key, ServeModes.plain) }).then(
        (signed) => writeRedirect(res, f.id, signed.url),
        () => {
          res.statusCode = 500;
          res.end();
        },
      );
    });
  }
  if (kind === 'node-http') {
    return createServer((_req, res) => {
      res.writeHead(307, { Location: CONSTANT, 'Content-Length': '0' });
      res.end();
    });
  }
  const app = express();
  if (kind === 'express-307') {
    app.get('/files/*key', (_req, res) => {
      res.status(307).setHeader('Location', CONSTANT);
      res.end();
    });
  } else if (kind === 'express-redirect') {
    app.get('/files/*key', (_req, res) => res.redirect(307, CONSTANT));
  } else if (kind === 'express-sdk') {
    const s3 = new S3Client(clientConfig);
    app.get('/files/*key', async (req, res) => {
      res.redirect(307, await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(req) }), { expiresIn: 300 }));
    });
  } else if (kind === 'express-sdk-new') {
    app.get('/files/*key', async (req, res) => {
      const s3 = new S3Client(clientConfig);
      res.redirect(307, await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(req) }), { expiresIn: 300 }));
    });
  } else {
    throw new Error(`unknown baseline ${kind}`);
  }
  return createServer(app);
}

const server = build(process.argv[2] ?? '');
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveChild(server, `http://127.0.0.1:${port}`);
});
