/**
 * Bundles the browser UI (src/web/page) with esbuild, minified, into `outDir`:
 *   outDir/index.html            the page template (hashed asset names filled in)
 *   outDir/assets/main-HASH.js   the script (no inline script anywhere: the page's CSP forbids it)
 *   outDir/assets/main-HASH.css  the styles
 *   outDir/manifest.json         { script, style, files: [asset names] } for route.ts
 * Called by scripts/build.mjs (into dist/web) and by the browser tests (into a temp dir).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

export interface WebManifest {
  readonly script: string;
  readonly style: string;
  readonly files: readonly string[];
}

/**
 * `pageDir` defaults to src/web/page next to this file; pass it when this module is itself bundled
 * (scripts/build.mjs bundles it into dist/, where __dirname is dist/).
 */
export async function buildWeb(outDir: string, options: { quiet?: boolean; pageDir?: string } = {}): Promise<WebManifest> {
  const PAGE_DIR = options.pageDir ?? join(__dirname, 'page');
  const assets = join(outDir, 'assets');
  rmSync(assets, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: [join(PAGE_DIR, 'main.ts'), join(PAGE_DIR, 'main.css')],
    outdir: assets,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    platform: 'browser',
    sourcemap: false,
    metafile: true,
    legalComments: 'none',
    logLevel: options.quiet === false ? 'info' : 'error',
  });
  const files = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const script = files.find((f) => f.endsWith('.js'));
  const style = files.find((f) => f.endsWith('.css'));
  if (script === undefined || style === undefined) throw new Error('web build produced no script or style');
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8').replace('{{SCRIPT}}', `/assets/${script}`).replace('{{STYLE}}', `/assets/${style}`);
  writeFileSync(join(outDir, 'index.html'), html);
  const manifest: WebManifest = { script, style, files };
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}
