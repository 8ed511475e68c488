/**
 * "Hand files to a processing service", end to end: the real gateway (policy + API keys) in
 * front of a store that verifies what is signed, a small local processing service
 * (test/support/processing-service.ts) that holds no credentials, and URLs minted for it by
 * `signpost url` (in-process, and once through a shell as the README's one-liner). One body of
 * cases, run on every store target; what storage answers differs by backend and is pinned in
 * `expects` (Azure: 201 for a write, 403 for a create-only conflict, a type it cannot refuse).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createApiKey } from '../../src/auth';
import { urlCommand, type UrlTicket } from '../../src/cli/url';
import { captureIo } from '../support/capture-io';
import { curl } from '../support/curl';
import { SERVICE_CONTENT_TYPE, startProcessingService, type JobResult, type ProcessingService } from '../support/processing-service';
import { rawRequest } from '../support/raw-http';

export const owner = createApiKey({ subject: 'owner' });
export const reader = createApiKey({ subject: 'reader' });
export const writer = createApiKey({ subject: 'writer' });
const TYPES = [SERVICE_CONTENT_TYPE, 'image/png'];

/** The policy under test; `gatewayOnly` marks size and type rules `enforce: gateway` (Azure cannot sign them). */
export function processingPolicy(gatewayOnly: boolean): object {
  const enforce = gatewayOnly ? { enforce: 'gateway' } : {};
  return {
    version: 1,
    rules: [
      { id: 'owner', paths: 'jobs/**', actions: ['read', 'write', 'delete'], principals: 'user:owner', effect: 'allow' },
      { id: 'outputs', paths: 'jobs/out/**', actions: ['read', 'write'], principals: 'user:owner', effect: 'allow', contentTypes: TYPES, ...enforce },
      { id: 'once', paths: 'jobs/once/**', actions: ['read', 'write'], principals: 'user:owner', effect: 'allow', createOnly: true },
      { id: 'sized', paths: 'jobs/sized/**', actions: ['read', 'write'], principals: 'user:owner', effect: 'allow', maxSize: '10MB', ...enforce },
      { id: 'reader', paths: 'jobs/**', actions: ['read'], principals: 'user:reader', effect: 'allow' },
      { id: 'writer', paths: 'jobs/out/**', actions: ['write'], principals: 'user:writer', effect: 'allow', contentTypes: TYPES, ...enforce },
    ],
  };
}
export const processingAuth = { apiKeys: [owner.entry, reader.entry, writer.entry] };

export interface ProcessingTarget {
  readonly name: string;
  /** Starts storage and the gateway with `processingPolicy` and `processingAuth`; returns the mount's base URL. */
  start(dir: string): Promise<{ mountUrl: string; stop: () => Promise<void> }>;
  /** What storage answers, where backends differ. */
  readonly expects: {
    readonly written: number;
    readonly createOnlyConflict: readonly [number, string];
    /** A type other than the signed one: refused (S3 family) or stored (Azure: gateway-only). */
    readonly wrongType: 'refused' | 'stored';
    /** A PUT without Content-Length (chunked): refused with this status and error code (none: Azurite's empty 400). */
    readonly chunked: readonly [number, string | undefined];
  };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export function processingSuite(target: ProcessingTarget): void {
  let dir: string;
  let mountUrl: string;
  let stopGateway: (() => Promise<void>) | undefined;
  let service: ProcessingService;
  const run = `run-${randomBytes(4).toString('hex')}`;
  const u = (key: string) => `${mountUrl}/jobs/${key.replace(/^(\w+)\//, `$1/${run}/`)}`;

  /** `signpost url …` as `token`: exit code, stdout, stderr. */
  const signpostUrl = async (token: string, args: string[]) => {
    const io = captureIo({ SIGNPOST_TOKEN: token });
    const code = await urlCommand(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const ticket = async (token: string, args: string[]): Promise<UrlTicket> => {
    const r = await signpostUrl(token, [...args, '--json']);
    expect(r).toMatchObject({ code: 0, err: '' });
    return JSON.parse(r.out) as UrlTicket;
  };
  const job = async (input: string, output: UrlTicket | string): Promise<JobResult> => {
    const res = await fetch(`${service.url}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input, output }) });
    expect(res.status).toBe(200);
    return (await res.json()) as JobResult;
  };
  /** Uploads `body` to `key` through an owner's output ticket (no type signed: jobs/in has no rule for it). */
  const seed = async (key: string, body: Buffer) => {
    const file = join(dir, `seed-${randomBytes(4).toString('hex')}`);
    writeFileSync(file, body);
    const t = await ticket(owner.key, ['put', u(key)]);
    const headers = Object.entries(t.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const r = await curl(['-o', '/dev/null', '-w', '%{http_code}', ...headers, '--upload-file', file, t.url]);
    expect(Number(r.stdout)).toBe(target.expects.written);
    rmSync(file);
  };
  /** The object as stored (through an owner's GET ticket), or the status storage gave. */
  const fetchObject = async (key: string): Promise<{ status: number; body: Buffer; type: string | null }> => {
    const t = await ticket(owner.key, ['get', u(key)]);
    const res = await fetch(t.url);
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-processing-'));
    const gateway = await target.start(dir);
    mountUrl = gateway.mountUrl;
    stopGateway = gateway.stop;
    service = await startProcessingService();
  }, 180_000);

  afterAll(async () => {
    await service?.close();
    await stopGateway?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it.each([
    ['1 KB', 1024],
    ['50 MB', 50 * 1024 * 1024],
  ])('%s: the service GETs the input, PUTs its output of unknown size, and the output is exactly gzip(input)', async (_name, size) => {
    const input = randomBytes(size);
    const expected = gzipSync(input);
    await seed(`in/${size}.bin`, input);

    const get = await ticket(owner.key, ['get', u(`in/${size}.bin`)]);
    const put = await ticket(owner.key, ['put', u(`out/${size}.gz`), '--type', SERVICE_CONTENT_TYPE]);
    expect(get).toMatchObject({ method: 'GET', headers: {} });
    expect(put).toMatchObject({ method: 'PUT', headers: expect.objectContaining({ 'content-type': SERVICE_CONTENT_TYPE }) as object });
    expect(await job(get.url, put)).toEqual({ input: { status: 200 }, output: { status: target.expects.written } });

    const stored = await fetchObject(`out/${size}.gz`);
    expect(stored.status).toBe(200);
    expect(sha256(stored.body)).toBe(sha256(expected));
    expect(stored.type).toBe(SERVICE_CONTENT_TYPE);
    // The HEAD variant: what a service asks before it downloads.
    const head = await ticket(owner.key, ['head', u(`out/${size}.gz`)]);
    const h = await fetch(head.url, { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.headers.get('content-length')).toBe(String(expected.length));
  }, 180_000);

  it('the plain-URL form (no --json) prints one URL per call; the service can use it where nothing must be sent along', async () => {
    const input = randomBytes(2048);
    await seed('in/plain.bin', input);
    const get = await signpostUrl(owner.key, ['get', u('in/plain.bin')]);
    expect(get.code).toBe(0);
    expect(get.out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\S+\n$/);
    const back = await fetch(get.out.trim());
    expect(Buffer.from(await back.arrayBuffer()).equals(input)).toBe(true);
  });

  it('an expired output URL is refused by storage, and nothing is written', async () => {
    await seed('in/late.bin', randomBytes(1024));
    const get = await ticket(owner.key, ['get', u('in/late.bin')]);
    const put = await ticket(owner.key, ['put', u('out/late.gz'), '--type', SERVICE_CONTENT_TYPE, '--ttl', '1']);
    expect(Date.parse(put.expiresAt) - Date.now()).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, 2500));
    const result = await job(get.url, put);
    expect(result.output?.status).toBe(403);
    expect((await fetchObject('out/late.gz')).status).toBe(404);
  });

  it(`a content type other than the signed one: ${target.expects.wrongType} by storage`, async () => {
    await seed('in/typed.bin', randomBytes(1024));
    const get = await ticket(owner.key, ['get', u('in/typed.bin')]);
    const put = await ticket(owner.key, ['put', u('out/typed.png'), '--type', 'image/png']); // the service sends application/gzip
    const result = await job(get.url, put);
    const stored = await fetchObject('out/typed.png');
    if (target.expects.wrongType === 'refused') {
      expect(result.output).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
      expect(stored.status).toBe(404);
    } else {
      // Azure: a SAS cannot bind request headers (docs/backends.md), so only the gateway checked the type.
      expect(result.output?.status).toBe(target.expects.written);
      expect(stored.type).toBe(SERVICE_CONTENT_TYPE);
    }
  });

  it('create-only: the first output lands, a second one is refused by storage and the first stays', async () => {
    await seed('in/once.bin', randomBytes(4096));
    const get = await ticket(owner.key, ['get', u('in/once.bin')]);
    const first = await ticket(owner.key, ['put', u('once/result.gz'), '--type', SERVICE_CONTENT_TYPE, '--create-only']);
    expect(first.headers).toMatchObject({ 'if-none-match': '*' });
    expect((await job(get.url, first)).output?.status).toBe(target.expects.written);
    const before = await fetchObject('once/result.gz');
    expect(before.status).toBe(200);

    await seed('in/other.bin', randomBytes(4096));
    const other = await ticket(owner.key, ['get', u('in/other.bin')]);
    const second = await ticket(owner.key, ['put', u('once/result.gz'), '--type', SERVICE_CONTENT_TYPE, '--create-only']);
    const [status, code] = target.expects.createOnlyConflict;
    expect((await job(other.url, second)).output).toEqual({ status, code });
    expect(sha256((await fetchObject('once/result.gz')).body)).toBe(sha256(before.body));
  });

  it('a leaked output URL does one thing: PUT on its key; storage refuses it for GET, DELETE, another key or a changed signature', async () => {
    const put = await ticket(owner.key, ['put', u('out/leak.gz'), '--type', SERVICE_CONTENT_TYPE]);
    const send = (url: string, method: string, body?: Buffer) =>
      fetch(url, { method, headers: body ? { ...put.headers, 'content-type': SERVICE_CONTENT_TYPE } : {}, ...(body && { body }) }).then(async (r) => (await r.arrayBuffer(), r.status));
    const body = gzipSync(randomBytes(1000));
    expect(await send(put.url, 'PUT', body)).toBe(target.expects.written);
    expect(await send(put.url, 'GET')).toBe(403);
    expect(await send(put.url, 'DELETE')).toBe(403);
    expect(await send(put.url.replace('/leak.gz?', '/other.gz?'), 'PUT', body)).toBe(403);
    const tampered = put.url.replace(/((?:X-Amz-Signature|sig)=)(.)/, (_m, name: string, c: string) => `${name}${c === 'a' ? 'b' : 'a'}`);
    expect(tampered).not.toBe(put.url);
    expect(await send(tampered, 'PUT', body)).toBe(403);
    expect(sha256((await fetchObject('out/leak.gz')).body)).toBe(sha256(body));
    expect((await fetchObject('out/other.gz')).status).toBe(404);
  });

  it(`an output sent chunked (no Content-Length) is refused by storage: ${target.expects.chunked.join(' ').trim()}`, async () => {
    const put = await ticket(owner.key, ['put', u('out/chunked.gz'), '--type', SERVICE_CONTENT_TYPE]);
    const answer = await new Promise<{ status: number; text: string; code: string | undefined }>((done, fail) => {
      const req = httpRequest(put.url, { method: 'PUT', headers: { ...put.headers, 'transfer-encoding': 'chunked' }, agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => done({ status: res.statusCode ?? 0, text, code: res.headers['x-ms-error-code'] as string | undefined }));
      });
      req.on('error', fail);
      req.write(randomBytes(50_000));
      req.end(randomBytes(50_000));
    });
    const [status, code] = target.expects.chunked;
    expect({ status: answer.status, code: /<Code>([^<]+)<\/Code>/.exec(answer.text)?.[1] ?? answer.code }).toEqual({ status, code });
    expect((await fetchObject('out/chunked.gz')).status).toBe(404);
  });

  it.each([
    ['without write on the output (may read)', () => reader.key, () => ['put', u('out/x.gz'), '--type', SERVICE_CONTENT_TYPE]],
    ['without read on the input (may write outputs)', () => writer.key, () => ['get', u('in/1024.bin')]],
    ['without read, asking for a HEAD URL', () => writer.key, () => ['head', u('in/1024.bin')]],
  ])('a caller %s gets 403 and no URL', async (_name, token, args) => {
    const r = await signpostUrl(token(), [...args(), '--json']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/-> 403 forbidden/);
    expect(r.err).not.toMatch(/X-Amz|sig=|\?/);
  });

  it('anonymous gets 401 and no URL; an unknown-size URL where a maxSize applies gets 411 naming it', async () => {
    const anon = await rawRequest(mountUrl, 'POST', `${new URL(u('in/1024.bin')).pathname}?url`, { accept: 'text/plain' });
    expect(anon.status).toBe(401);
    expect(anon.body).not.toMatch(/http/);
    const sized = await signpostUrl(owner.key, ['put', u('sized/out.gz')]);
    expect(sized.code).toBe(1);
    expect(sized.out).toBe('');
    expect(sized.err).toMatch(/-> 411 size_required: uploads here are limited to 10000000 bytes \(the rule's maxSize\)/);
  });

  it("the README's one-liner, run by a shell with `signpost` on PATH", async () => {
    const input = randomBytes(3000);
    await seed('in/report.bin', input);
    const repo = resolve(__dirname, '../..');
    writeFileSync(join(dir, 'signpost'), `#!/bin/sh\nexec "${process.execPath}" "${repo}/node_modules/tsx/dist/cli.mjs" "${repo}/src/cli.ts" "$@"\n`);
    chmodSync(join(dir, 'signpost'), 0o755);
    const line = readFileSync(join(repo, 'README.md'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('curl -s -X POST "$SERVICE/jobs"'));
    expect(line).toContain('signpost url put "$GW/files/jobs/out/report.gz" --type application/gzip --json');
    const script = line!.replaceAll('$GW/files/jobs/in/', `$GW/jobs/in/${run}/`).replaceAll('$GW/files/jobs/out/', `$GW/jobs/out/${run}/`);
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}`, SERVICE: service.url, GW: mountUrl, SIGNPOST_TOKEN: owner.key };
    const stdout = await new Promise<string>((done, fail) => {
      execFile('sh', ['-c', script], { env, timeout: 60_000 }, (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : done(out)));
    });
    expect(JSON.parse(stdout)).toEqual({ input: { status: 200 }, output: { status: target.expects.written } });
    expect(sha256((await fetchObject('out/report.gz')).body)).toBe(sha256(gzipSync(input)));
  }, 60_000);
}
