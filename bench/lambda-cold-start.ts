/**
 * Lambda cold start: Signpost's handler bundle against the naive one (express + serverless-http
 * + @aws-sdk/client-s3 + getSignedUrl with a shared client), built in the same run with the same
 * esbuild settings (minified, source maps), each measured in fresh Node processes: bytes, the
 * `require` of the bundle (what Lambda's init phase pays) and the first invocation (an HTTP API
 * GET that presigns and redirects: the SDK loads most of its code lazily, on the first call).
 *
 *   npx tsx bench/lambda-cold-start.ts [--runs 21]
 *
 * Runs are interleaved across bundles so machine noise hits them alike; medians are reported.
 * Prints a markdown table with ratios to the naive bundle. No network: signing is local.
 *
 * Rows: the naive bundle; Signpost's deployed bundle as the benchmark has always run it
 * (SIGNPOST_ALLOW_ALL, no policy); the same with --enable-source-maps; the same bundle with what
 * a real deployment loads at init - a JSON policy and API keys in a JSON config file, as the CDK
 * stack packages them (policy.json, signpost.json); and the bundle built without the shims.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { LAMBDA_ALIASES, LAMBDA_TARGET, lambdaBuildOptions, REPO_ROOT } from '../infra/lambda-bundle';

const NAIVE_SOURCE = `
import express from 'express';
import serverless from 'serverless-http';
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
const s3 = new S3Client({ region: process.env.AWS_REGION });
const app = express();
app.get('/files/*key', async (req, res) => {
  const key = (req.params as { key: string[] }).key.join('/');
  res.redirect(307, await getSignedUrl(s3, new GetObjectCommand({ Bucket: process.env.SIGNPOST_BUCKET, Key: key }), { expiresIn: 300 }));
});
export const handler = serverless(app);
`;

// Runs in the child: require, then two invocations; prints one marked JSON line.
const MEASURE = `
const now = () => Number(process.hrtime.bigint()) / 1e6;
const event = ${JSON.stringify({
  version: '2.0',
  rawPath: '/files/reports/q3 final.pdf',
  rawQueryString: '',
  headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com' },
  requestContext: { domainName: 'abc123.execute-api.us-east-1.amazonaws.com', http: { method: 'GET', sourceIp: '192.0.2.1' }, requestId: 'r1' },
  isBase64Encoded: false,
})};
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const c0 = cpu();
const t0 = now();
const { handler } = require(process.argv[1]);
const t1 = now();
handler(structuredClone(event), {}).then(async (res) => {
  const t2 = now();
  const c2 = cpu();
  await handler(structuredClone(event), {});
  const t3 = now();
  if (res.statusCode !== 307) throw new Error('expected 307, got ' + res.statusCode);
  process.stdout.write('\\nRESULT ' + JSON.stringify({ require: t1 - t0, first: t2 - t1, warm: t3 - t2, cpu: c2 - c0 }) + '\\n');
});
`;

const ENV = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE00',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN',
  SIGNPOST_BUCKET: 'signpost-bench-bucket',
  SIGNPOST_ALLOW_ALL: 'true',
  SIGNPOST_LOG_LEVEL: 'info',
};

// What the CDK stack packages for a policy and API keys (infra/package-files.ts): JSON only.
const POLICY = {
  version: 1,
  rules: [
    { id: 'public-reports', paths: 'reports/**', actions: ['read', 'list'], principals: '*', effect: 'allow' },
    { id: 'bots-upload', paths: 'incoming/{sub}/**', actions: ['write'], principals: 'group:bots', effect: 'allow', maxSize: '100MB', ttl: 300 },
  ],
};
const CONFIG = {
  mounts: [{ path: '/files' }],
  auth: { apiKeys: [{ hash: 'a'.repeat(64), subject: 'ci-bot', groups: ['bots'] }] },
};

interface Variant {
  readonly name: string;
  readonly file: string;
  readonly nodeFlags: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}
interface Sample {
  require: number;
  first: number;
  warm: number;
  /** CPU time (user + system, all threads) of require + first invocation: less sensitive to other jobs than wall time. */
  cpu: number;
}

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 21;
  const dir = mkdtempSync(join(tmpdir(), 'signpost-bench-'));
  try {
    const naive = join(dir, 'naive.js');
    const signpost = join(dir, 'signpost.js');
    const unshimmed = join(dir, 'signpost-unshimmed.js');
    const shared: BuildOptions = { bundle: true, platform: 'node', format: 'cjs', target: LAMBDA_TARGET, minify: true, sourcemap: true, sourcesContent: false, logLevel: 'error' };
    await build({ ...shared, stdin: { contents: NAIVE_SOURCE, loader: 'ts', resolveDir: REPO_ROOT, sourcefile: 'naive.ts' }, outfile: naive });
    await build(lambdaBuildOptions(signpost));
    await build(lambdaBuildOptions(unshimmed, { alias: {} }));

    const policyFile = join(dir, 'policy.json');
    const configFile = join(dir, 'signpost.json');
    writeFileSync(policyFile, JSON.stringify(POLICY));
    writeFileSync(configFile, JSON.stringify(CONFIG));
    const withPolicy = { SIGNPOST_ALLOW_ALL: '', SIGNPOST_POLICY: policyFile, SIGNPOST_CONFIG: configFile };

    const variants: Variant[] = [
      { name: 'naive: express + serverless-http + client-s3 + getSignedUrl', file: naive, nodeFlags: [] },
      { name: 'signpost (deployed bundle)', file: signpost, nodeFlags: [] },
      { name: 'signpost, with --enable-source-maps', file: signpost, nodeFlags: ['--enable-source-maps'] },
      { name: 'signpost, with a JSON policy and API keys', file: signpost, nodeFlags: [], env: withPolicy },
      { name: `signpost without the shims (${Object.keys(LAMBDA_ALIASES).join(', ')})`, file: unshimmed, nodeFlags: [] },
    ];
    const samples = new Map<Variant, Sample[]>(variants.map((v) => [v, []]));
    for (let run = 0; run < runs; run++) {
      for (const variant of variants) samples.get(variant)!.push(measure(variant));
    }
    printTable(variants, samples, runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure(variant: Variant): Sample {
  const env = { ...ENV, ...variant.env };
  const child = spawnSync(process.execPath, [...variant.nodeFlags, '-e', MEASURE, variant.file], { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) throw new Error(`${variant.name} failed (${child.status}):\n${child.stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as Sample;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printTable(variants: readonly Variant[], samples: Map<Variant, Sample[]>, runs: number): void {
  const rows = variants.map((v) => {
    const s = samples.get(v)!;
    const req = median(s.map((x) => x.require));
    const first = median(s.map((x) => x.first));
    const total = median(s.map((x) => x.require + x.first));
    return { v, bytes: statSync(v.file).size, map: statSync(`${v.file}.map`).size, req, first, total, warm: median(s.map((x) => x.warm)), cpu: median(s.map((x) => x.cpu)) };
  });
  const base = rows[0]!;
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const ms = (n: number) => n.toFixed(1);
  console.log(`\nLambda cold start, ${runs} runs per bundle (medians), Node ${process.version}, ${process.arch}\n`);
  console.log('| bundle | bytes | map bytes | require ms | first invocation ms | require + first ms | warm invocation ms | require + first CPU ms | bytes vs naive | require + first vs naive | CPU vs naive |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.v.name} | ${r.bytes} | ${r.map} | ${ms(r.req)} | ${ms(r.first)} | ${ms(r.total)} | ${ms(r.warm)} | ${ms(r.cpu)} | ${ratio(r.bytes, base.bytes)} | ${ratio(r.total, base.total)} | ${ratio(r.cpu, base.cpu)} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
