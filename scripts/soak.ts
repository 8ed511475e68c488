/**
 * Soak: mixed traffic against the real server (a child process running dist/cli.js, with a
 * policy, API keys and metrics on) for a bounded time at a bounded concurrency, all on loopback.
 * Every response must be the status its operation expects (allowed and denied alike); RSS and
 * event-loop delay are sampled from /metrics. `npx tsx scripts/soak.ts [seconds] [connections]`
 * (default 60 s, 100); test/soak runs a short one in `npm test`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { createApiKey } from '../src/auth';

export interface SoakReport {
  readonly requests: number;
  readonly byOp: Record<string, { ok: number; unexpected: Record<string, number> }>;
  readonly unexpected: number;
  readonly rssMb: { afterWarmup: number; end: number; growth: number };
  readonly loopDelayP99Ms: number;
  readonly requestsPerSecond: number;
}

interface Op {
  readonly name: string;
  readonly method: string;
  readonly path: (i: number) => string;
  readonly headers: Record<string, string>;
  readonly expect: number;
}

const ROOT = resolve(__dirname, '..');

export async function soak(seconds: number, connections: number): Promise<SoakReport> {
  execFileSync('node', ['scripts/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'signpost-soak-'));
  const alice = createApiKey({ subject: 'alice', groups: [] });
  // Metrics on the gateway's own port need their token (without one they are on a loopback port of their own).
  const METRICS_TOKEN = randomBytes(32).toString('base64url');
  const policy = {
    rules: [
      { id: 'public', paths: ['public', 'public/**'], actions: ['read', 'list'], principals: '*', effect: 'allow' },
      { id: 'home', paths: ['home/{sub}/**'], actions: '*', principals: 'authenticated', effect: 'allow', maxSize: '10MB' },
    ],
  };
  writeFileSync(join(dir, 'signpost.yaml'), stringify({ policy, auth: { apiKeys: [alice.entry] } }));
  const child = spawn('node', ['dist/cli.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SIGNPOST_DATA_DIR: join(dir, 'data'), SIGNPOST_CONFIG: join(dir, 'signpost.yaml'), SIGNPOST_METRICS: 'true', SIGNPOST_METRICS_TOKEN: METRICS_TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const base = await new Promise<string>((ok, fail) => {
      let err = '';
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(err);
        if (m) ok(m[1]!);
      });
      child.once('exit', (code) => fail(new Error(`server exited (${code}): ${err.slice(-500)}`)));
    });
    const auth = { Authorization: `Bearer ${alice.key}` };
    const ops: Op[] = [
      { name: 'GET public', method: 'GET', path: (i) => `/files/public/f${i % 50}.txt`, headers: {}, expect: 307 },
      { name: 'HEAD public', method: 'HEAD', path: (i) => `/files/public/f${i % 50}.txt`, headers: {}, expect: 307 },
      { name: 'PUT ticket', method: 'POST', path: (i) => `/files/home/alice/t${i % 50}.bin?upload`, headers: { ...auth, 'X-Upload-Length': '1000' }, expect: 200 },
      { name: 'PUT redirect', method: 'PUT', path: (i) => `/files/home/alice/p${i % 50}.bin`, headers: { ...auth, 'Content-Length': '1000', Expect: '100-continue' }, expect: 307 },
      { name: 'DELETE', method: 'DELETE', path: (i) => `/files/home/alice/t${i % 50}.bin`, headers: auth, expect: 307 },
      { name: 'listing', method: 'GET', path: () => `/files/public/`, headers: {}, expect: 200 },
      { name: 'denied: other home', method: 'GET', path: (i) => `/files/home/bob/x${i % 50}`, headers: auth, expect: 403 },
      { name: 'denied: anonymous write', method: 'PUT', path: (i) => `/files/public/x${i % 50}`, headers: { 'Content-Length': '10', Expect: '100-continue' }, expect: 401 },
      { name: 'too large', method: 'PUT', path: (i) => `/files/home/alice/big${i % 50}`, headers: { ...auth, 'Content-Length': '20000000', Expect: '100-continue' }, expect: 413 },
      { name: 'bad key', method: 'GET', path: () => `/files/a/%2e%2e/b`, headers: {}, expect: 400 },
    ];
    const byOp: SoakReport['byOp'] = Object.fromEntries(ops.map((o) => [o.name, { ok: 0, unexpected: {} }]));
    const agent = new Agent({ keepAlive: true, maxSockets: connections });
    const { hostname, port } = new URL(base);
    const send = (op: Op, i: number) =>
      new Promise<string>((done) => {
        const req = request({ host: hostname, port, method: op.method, path: op.path(i), headers: op.headers, agent }, (res) => {
          res.resume();
          res.on('end', () => done(String(res.statusCode)));
        });
        req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
        req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
        req.end();
      });
    const metric = async (name: string): Promise<number> => {
      const text = await new Promise<string>((done) => {
        request({ host: hostname, port, path: '/metrics', agent: false, headers: { Authorization: `Bearer ${METRICS_TOKEN}` } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => done(body));
        }).end();
      });
      return Number(new RegExp(`^${name.replace(/[{}"=.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    };

    const started = Date.now();
    const deadline = started + seconds * 1000;
    const rss: number[] = [];
    const sampler = setInterval(() => void metric('signpost_resident_memory_bytes').then((v) => rss.push(v)), 1000);
    let requests = 0;
    let unexpected = 0;
    await Promise.all(
      Array.from({ length: connections }, async (_, worker) => {
        for (let k = 0, i = worker; Date.now() < deadline; k++, i += connections) {
          const op = ops[(worker + k) % ops.length]!; // every connection cycles through every operation
          const status = await send(op, i);
          requests++;
          const tally = byOp[op.name]!;
          if (status === String(op.expect)) tally.ok++;
          else {
            unexpected++;
            tally.unexpected[status] = (tally.unexpected[status] ?? 0) + 1;
          }
        }
      }),
    );
    clearInterval(sampler);
    const elapsed = (Date.now() - started) / 1000;
    const loopDelayP99Ms = (await metric('signpost_event_loop_delay_seconds{quantile="0.99"}')) * 1000;
    agent.destroy();
    const warm = rss[Math.min(rss.length - 1, Math.floor(rss.length / 3))] ?? NaN;
    const end = rss.at(-1) ?? NaN;
    return {
      requests,
      byOp,
      unexpected,
      rssMb: { afterWarmup: warm / 2 ** 20, end: end / 2 ** 20, growth: end / warm - 1 },
      loopDelayP99Ms,
      requestsPerSecond: requests / elapsed,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const seconds = Number(process.argv[2] ?? 60);
  const connections = Number(process.argv[3] ?? 100);
  soak(seconds, connections).then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(r.unexpected === 0 ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
