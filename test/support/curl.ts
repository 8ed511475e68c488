/** Runs the real curl binary; never through a shell, so keys and URLs need no quoting. */
import { execFile } from 'node:child_process';

export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function curl(args: readonly string[], timeoutMs = 120_000): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `-w` output of an HTTP status code after everything else curl printed. */
export async function curlStatus(args: readonly string[]): Promise<number> {
  // curl pairs each -o with one URL, so add ours only when the caller did not choose an output.
  const output = args.includes('-o') ? [] : ['-o', '/dev/null'];
  const res = await curl([...output, '-w', '%{http_code}', ...args]);
  if (res.code !== 0) throw new Error(`curl failed (${res.code}): ${res.stderr}`);
  return Number(res.stdout);
}

/**
 * Follows redirects with curl and returns the final response's status (as `status`) and headers
 * (lowercased names): what storage itself answered.
 */
export async function finalHeaders(target: string, extra: readonly string[] = []): Promise<Record<string, string>> {
  const res = await curl(['-L', '-D', '-', '-o', '/dev/null', ...extra, target]);
  const block = res.stdout.split('\r\n\r\n').filter(Boolean).at(-1) ?? '';
  const headers: Record<string, string> = { status: block.split(' ')[1] ?? '' };
  for (const line of block.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
