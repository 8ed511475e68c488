/**
 * `tsx infra/web-assets.ts OUT_DIR`: builds the browser UI into OUT_DIR (index.html, assets/,
 * manifest.json) with the same builder as `npm run build`. The stack's bundling runs it to put
 * the UI into the function package as `web/`, next to the bundle, where src/app.ts looks for it.
 */
import { join } from 'node:path';
import { buildWeb } from '../src/web/build';
import { REPO_ROOT } from './lambda-bundle';

const outDir = process.argv[2];
if (outDir === undefined) {
  console.error('usage: tsx infra/web-assets.ts OUT_DIR');
  process.exit(2);
}
buildWeb(outDir, { pageDir: join(REPO_ROOT, 'src/web/page') }).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
