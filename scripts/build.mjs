// Builds dist/ with esbuild: dist/cli.js (the `signpost` command and `npm start`),
// dist/lambda.js (the Lambda handler) and dist/web (the browser UI). Type checking is
// `npm run typecheck`'s job; this only bundles, in well under a second.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const quiet = process.argv.includes('--quiet');
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: quiet ? 'error' : 'info' };

await build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', packages: 'external' });
if (existsSync('src/lambda.ts')) {
  // Lambda: one self-contained, minified file; cold start pays for every byte required.
  // Same settings as infra/lambda-bundle.ts (what the CDK stack deploys and the benchmark measures).
  const alias = JSON.parse(readFileSync('src/lambda/shims/aliases.json', 'utf8'));
  await build({ ...common, entryPoints: ['src/lambda.ts'], outfile: 'dist/lambda.js', minify: true, sourcesContent: false, alias, metafile: false });
}

// Browser UI (src/web): bundle its builder, then run it; writes dist/web (index.html, assets/, manifest.json).
await build({ ...common, entryPoints: ['src/web/build.ts'], outfile: 'dist/web-build.js', packages: 'external', sourcemap: false });
await createRequire(import.meta.url)(`${process.cwd()}/dist/web-build.js`).buildWeb('dist/web', { pageDir: 'src/web/page', quiet });
