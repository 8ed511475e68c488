/**
 * A small stand-in for a third-party processing service (a converter, a sanitiser): it holds no
 * storage credentials and knows nothing of Signpost. `POST /jobs` with
 *   {"input": URL, "output": URL | {"url": URL, "headers"?: {…}}}
 * GETs the input, gzips it (so the output's size is not known until the work is done), and PUTs
 * the result to the output with its own `Content-Type: application/gzip` and a Content-Length
 * (the headers of an output ticket are sent too, except a content type: the service's own type
 * wins, as a real service's would). It answers 200 with what storage said to each request
 * (`{input: {status}, output: {status, code?}}`), so tests can assert what storage refused.
 * Plain node:http for both calls, so exactly these headers reach storage.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGzip } from 'node:zlib';
import { listen } from './raw-http';

export const SERVICE_CONTENT_TYPE = 'application/gzip';

export interface StorageAnswer {
  readonly status: number;
  /** S3's `<Code>` or Azure's `x-ms-error-code`, when storage refused. */
  readonly code?: string;
}
export interface JobResult {
  readonly input: StorageAnswer;
  readonly output?: StorageAnswer;
}

export interface ProcessingService {
  readonly url: string;
  /** Jobs accepted so far. */
  jobs(): number;
  close(): Promise<void>;
}

export async function startProcessingService(): Promise<ProcessingService> {
  let jobs = 0;
  const { url, close } = await listen((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/jobs') return reply(404, { error: 'POST /jobs' });
    readJson(req)
      .then(async (job) => {
        jobs++;
        reply(200, await runJob(job));
      })
      .catch((err: unknown) => reply(400, { error: (err as Error).message }));
  });
  return { url, jobs: () => jobs, close };
}

async function runJob(job: unknown): Promise<JobResult> {
  const { input, output } = job as { input?: unknown; output?: unknown };
  const out = typeof output === 'string' ? { url: output, headers: {} } : (output as { url?: unknown; headers?: Record<string, string> } | undefined);
  if (typeof input !== 'string' || typeof out?.url !== 'string') throw new Error('a job is {input: URL, output: URL | {url, headers}}');
  const got = await send('GET', input, {});
  if (got.res.statusCode !== 200) return { input: await answer(got.res) };
  const chunks: Buffer[] = [];
  for await (const chunk of got.res.pipe(createGzip())) chunks.push(chunk as Buffer);
  const result = Buffer.concat(chunks);
  const headers = Object.fromEntries(Object.entries(out.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type'));
  const put = await send('PUT', out.url, { ...headers, 'content-type': SERVICE_CONTENT_TYPE, 'content-length': String(result.length) }, result);
  return { input: { status: 200 }, output: await answer(put.res) };
}

function send(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<{ res: IncomingMessage }> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => resolve({ res }));
    req.on('error', reject);
    req.end(body);
  });
}

async function answer(res: IncomingMessage): Promise<StorageAnswer> {
  let text = '';
  for await (const chunk of res) text += (chunk as Buffer).toString('utf8');
  const code = /<Code>([^<]{1,80})<\/Code>/.exec(text)?.[1] ?? res.headers['x-ms-error-code'];
  return { status: res.statusCode ?? 0, ...(typeof code === 'string' && { code }) };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString('utf8');
  return JSON.parse(text) as unknown;
}
