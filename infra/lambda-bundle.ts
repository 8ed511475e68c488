/**
 * How the Lambda handler is bundled: one definition, used by the CDK stack (NodejsFunction),
 * the cold-start benchmark and the bundle test, so what is measured is what is deployed.
 * `npm run build` (scripts/build.mjs) should read the same alias list (src/lambda/shims/aliases.json).
 *
 * One self-contained, minified CommonJS file plus a source map without sources (stack traces
 * map to file:line; a map with sources is several times larger and slower to load with
 * --enable-source-maps). Packages are replaced by small stand-ins in src/lambda/shims, each
 * cutting load time that every cold start pays for and the handler does not need: iconv-lite
 * (raw-body and body-parser load it; the gateway decodes only UTF-8), mime-db (express indexes
 * ~2,500 types at load; the gateway sends JSON), qs (express and body-parser load it; the gateway
 * never uses extended query strings or urlencoded bodies), yaml (the Lambda reads JSON only: a
 * YAML policy or config file fails init saying so) and pino (the same JSON lines for the
 * gateway's logging, without loading transports, sonic-boom and worker_threads). Each shim's
 * header says what it keeps; test/lambda/bundle.test.ts and pino-shim.test.ts keep them faithful.
 */
import type { BuildOptions } from 'esbuild';
import { join, resolve } from 'node:path';
import aliases from '../src/lambda/shims/aliases.json';

export const REPO_ROOT = resolve(__dirname, '..');
export const LAMBDA_ENTRY = join(REPO_ROOT, 'src/lambda.ts');
/** node20 output runs on the Node.js 22 runtime and on the Node 20 used for tests and builds. */
export const LAMBDA_TARGET = 'node20';

/**
 * package -> stand-in, paths relative to the repository root. Kept in a JSON file so that
 * scripts/build.mjs (plain JavaScript, `npm run build`) can read the very same list.
 */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(aliases as Record<string, string>).map(([name, path]) => [name, join(REPO_ROOT, path)]),
);

/** esbuild JS API options for the Lambda bundle (the benchmark and tests build with these). */
export function lambdaBuildOptions(outfile: string, overrides: Partial<BuildOptions> = {}): BuildOptions {
  return {
    entryPoints: [LAMBDA_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: LAMBDA_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    alias: { ...LAMBDA_ALIASES },
    logLevel: 'error',
    ...overrides,
  };
}

/** The same settings as NodejsFunction bundling props (it runs the esbuild CLI locally). */
export function lambdaNodejsBundling() {
  return {
    target: LAMBDA_TARGET,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // Nothing external: the default (`@aws-sdk/*`) is for code that uses the SDK; this does not.
    externalModules: [],
    esbuildArgs: { '--alias': Object.entries(LAMBDA_ALIASES).map(([name, path]) => `${name}=${path}`) },
  };
}
