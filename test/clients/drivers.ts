/**
 * One driver per command-line client of the matrix: how that client, used as the README says,
 * does each operation. clientMatrix() runs the same cases for each (harness.ts).
 */
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describeIf, hasCommand } from '../support/require-tool';
import { PYTHON } from '../support/write-then-read';
import { sha256File } from '../support/sha256';
import { SIZES, lastContentLength, run, startMatrix, type Matrix } from './harness';

export interface Driver {
  /** Names the client in keys and test titles. */
  readonly name: string;
  /** The program that must be installed (CI fails without it). */
  readonly tool: string;
  /** Whether the client is there, when more than `tool` on the PATH is needed (a Python module). */
  readonly available?: () => boolean;
  readonly install: string;
  put(url: string, file: string): Promise<void>;
  /** How the README says to PUT where the gateway answers a PUT with 307 (Lambda, `bodyUploads: redirect`). */
  readonly redirected: { readonly how: string; put(url: string, file: string): Promise<void> };
  get(url: string, out: string): Promise<void>;
  /** The object's size as the client's HEAD reports it. */
  head(url: string): Promise<number | undefined>;
  delete(url: string): Promise<void>;
}

/** PUT, GET, HEAD, DELETE of each size under a unicode key, checked independently of the client. */
export function clientMatrix(driver: Driver, more?: (m: () => Matrix) => void): void {
  const present = driver.available ? driver.available() : hasCommand(driver.tool);
  describeIf(present, driver.tool, driver.install)(`client: ${driver.name}`, () => {
    let m: Matrix;
    beforeAll(async () => {
      m = await startMatrix();
    }, 60_000);
    afterAll(() => m?.stop());

    it.each(SIZES)('%s: PUT, GET, HEAD, DELETE under a unicode key, sha256 compared', async (_label, size) => {
      const key = m.key(driver.name, size);
      const url = m.url(key);
      const source = m.source(size);
      await driver.put(url, source.path);
      expect(await m.stored(key)).toBe(source.sha256);
      const out = m.out(`${driver.name}-${size}`);
      await driver.get(url, out);
      expect(await sha256File(out)).toBe(source.sha256);
      expect(await driver.head(url)).toBe(size);
      await driver.delete(url);
      expect(await m.stored(key)).toBeNull();
    }, 120_000);

    it.each(SIZES)(`%s: PUT where the gateway answers it with 307 (bodyUploads: redirect, as on Lambda): ${driver.redirected.how}`, async (_label, size) => {
      const key = m.key(`${driver.name}-redirected`, size);
      const source = m.source(size);
      await driver.redirected.put(m.url(key, 'redirect'), source.path);
      expect(await m.stored(key, 'redirect')).toBe(source.sha256);
    }, 120_000);

    more?.(() => m);
  });
}

export const curlDriver: Driver = {
  name: 'curl',
  tool: 'curl',
  install: 'apt-get install curl',
  put: async (url, file) => void (await run('curl', ['-sSf', '-L', '-o', '/dev/null', '--upload-file', file, url])),
  redirected: { how: 'the same command (-L follows it; Expect: 100-continue keeps the body from the gateway)', put: (url, file) => curlDriver.put(url, file) },
  get: async (url, out) => void (await run('curl', ['-sSf', '-L', '-o', out, url])),
  head: async (url) => lastContentLength((await run('curl', ['-sSf', '-I', '-L', url])).stdout),
  delete: async (url) => void (await run('curl', ['-sSf', '-L', '-o', '/dev/null', '-X', 'DELETE', url])),
};

export const wgetDriver: Driver = {
  name: 'wget',
  tool: 'wget',
  install: 'apt-get install wget',
  put: async (url, file) => void (await run('wget', ['-q', '-O', '/dev/null', '--method=PUT', `--body-file=${file}`, url])),
  redirected: { how: 'the same command (wget follows the 307 and sends the body again)', put: (url, file) => wgetDriver.put(url, file) },
  get: async (url, out) => void (await run('wget', ['-q', '-O', out, url])),
  // --spider sends HEAD and follows the 307 with HEAD; -S prints each response's headers (stderr).
  head: async (url) => lastContentLength((await run('wget', ['-S', '--spider', url])).stderr),
  delete: async (url) => void (await run('wget', ['-q', '-O', '/dev/null', '--method=DELETE', url])),
};

export const httpieDriver: Driver = {
  name: 'httpie',
  tool: 'http',
  install: 'apt-get install httpie',
  // --check-status: a 4xx/5xx is a non-zero exit; --follow: follow the 307 (HTTPie does not by default).
  put: async (url, file) => void (await run('http', ['--ignore-stdin', '--check-status', '--quiet', 'PUT', url, `@${file}`])),
  redirected: {
    how: 'http --follow PUT URL @f (sends the body again)',
    put: async (url, file) => void (await run('http', ['--ignore-stdin', '--check-status', '--quiet', '--follow', 'PUT', url, `@${file}`])),
  },
  get: async (url, out) => void (await run('http', ['--ignore-stdin', '--check-status', '--quiet', '--follow', '--download', '--output', out, 'GET', url])),
  head: async (url) => lastContentLength((await run('http', ['--ignore-stdin', '--check-status', '--follow', '--headers', 'HEAD', url])).stdout),
  delete: async (url) => void (await run('http', ['--ignore-stdin', '--check-status', '--quiet', '--follow', 'DELETE', url])),
};

const CLIENTS_PY = join(__dirname, 'clients.py');

interface PyResult {
  status: number;
  length?: number;
  redirects?: number;
}

export async function python(library: 'requests' | 'urllib', op: string, url: string, path?: string): Promise<PyResult> {
  const r = await run(PYTHON, [CLIENTS_PY, library, op, url, ...(path === undefined ? [] : [path])]);
  return JSON.parse(r.stdout) as PyResult;
}

async function expectStatus(p: Promise<PyResult>, ok: readonly number[]): Promise<PyResult> {
  const r = await p;
  if (!ok.includes(r.status)) throw new Error(`expected HTTP ${ok.join('/')}, got ${r.status}`);
  return r;
}

/** Debian's python3, and for `requests` the module (python3-requests), not only the binary. */
function pythonHas(library: 'requests' | 'urllib'): boolean {
  try {
    execFileSync(PYTHON, ['-c', `import ${library === 'requests' ? 'requests' : 'urllib.request'}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const pythonDriver = (library: 'requests' | 'urllib'): Driver => ({
  name: `python-${library}`,
  tool: library === 'requests' ? `${PYTHON} with requests` : PYTHON,
  available: () => pythonHas(library),
  install: 'apt-get install python3-requests',
  put: async (url, file) => void (await expectStatus(python(library, 'put', url, file), [200])),
  redirected:
    library === 'requests'
      ? {
          how: 'the same call (requests follows the 307 and sends the file again); an empty file as data=b"" (a 0-byte file object goes out chunked: 411)',
          put: async (url, file) => void (await expectStatus(python(library, statSync(file).size === 0 ? 'put-bytes' : 'put', url, file), [200])),
        }
      : // urllib raises HTTPError 307 for a redirected PUT: the recipe is the upload ticket.
        { how: 'recipe: an upload ticket (POST ?upload), then PUT to storage', put: async (url, file) => void (await expectStatus(python(library, 'put-ticket', url, file), [200])) },
  get: async (url, out) => void (await expectStatus(python(library, 'get', url, out), [200])),
  head: async (url) => (await expectStatus(python(library, 'head', url), [200])).length,
  delete: async (url) => void (await expectStatus(python(library, 'delete', url), [204])),
});
