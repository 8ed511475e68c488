/**
 * Bundles a bench server child the way scripts/build.mjs bundles dist/cli.js (esbuild, node20,
 * packages external, no keepNames), so the gateway under measurement is the code production
 * runs. Under tsx every closure the hot path creates is also wrapped in a `__name` call (tsx
 * keeps function names), which showed up as ~1 % of the gateway's profile and is not in
 * `npm start`. The bundle goes to `<checkout>/bench/.build/`, where node_modules resolve.
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';

/** @returns the absolute path of the bundled `bench/servers/<file>` of `checkout`. */
export function bundleServer(checkout: string, file: string): string {
  const outfile = join(checkout, 'bench', '.build', file.replace(/\.ts$/, '.js'));
  buildSync({ entryPoints: [join(checkout, 'bench', 'servers', file)], outfile, bundle: true, platform: 'node', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'error' });
  return outfile;
}
