/**
 * One driver per command-line client of the matrix: how that client, used as the README says,
 * does each operation. clientMatrix() runs the same cases for each (harness.ts).
 */
import { join } from 'node:path';
import { describeWith } from '../support/require-tool';
import { PYTHON } from '../support/write-then-read';
import { SIZES, lastContentLength, run, sha256File, startMatrix, type Matrix } from './harness';

export interface Driver {
  /** Names the client in keys and test titles. */
  readonly name: string;
  /** The program that must be installed (CI fails without it). */
  readonly tool: string;
  readonly install: string;
  put(url: string, file: string): Promise<void>;
  get(url: string, out: string): Promise<void>;
  /** The object's size as the client's HEAD reports it. */
  head(url: string): Promise<number | undefined>;
  delete(url: string): Promise<void>;
}

/** PUT, GET, HEAD, DELETE of each size under a unicode key, checked independently of the client. */
export function clientMatrix(driver: Driver, more?: (m: () => Matrix) => void): void {
  describeWith(driver.tool, driver.install)(`client: ${driver.name}`, () => {
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

    more?.(() => m);
  });
}

export const curlDriver: Driver = {
  name: 'curl',
  tool: 'curl',
  install: 'apt-get install curl',
  put: async (url, file) => void (await run('curl', ['-sSf', '-L', '-o', '/dev/null', '--upload-file', file, url])),
  get: async (url, out) => void (await run('curl', ['-sSf', '-L', '-o', out, url])),
  head: async (url) => lastContentLength((await run('curl', ['-sSf', '-I', '-L', url])).stdout),
  delete: async (url) => void (await run('curl', ['-sSf', '-L', '-o', '/dev/null', '-X', 'DELETE', url])),
};

export const wgetDriver: Driver = {
  name: 'wget',
  tool: 'wget',
  install: 'apt-get install wget',
  put: async (url, file) => void (await run('wget', ['-q', '-O', '/dev/null', '--method=PUT', `--body-file=${file}`, url])),
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

export const pythonDriver = (library: 'requests' | 'urllib'): Driver => ({
  name: `python-${library}`,
  tool: PYTHON,
  install: 'apt-get install python3-requests',
  put: async (url, file) => void (await expectStatus(python(library, 'put', url, file), [200])),
  get: async (url, out) => void (await expectStatus(python(library, 'get', url, out), [200])),
  head: async (url) => (await expectStatus(python(library, 'head', url), [200])).length,
  delete: async (url) => void (await expectStatus(python(library, 'delete', url), [204])),
});
