/** The stdout/stderr/env a CLI command (`cp`, `url`) writes to, captured as strings for assertions. */
import { PassThrough } from 'node:stream';
import type { CpIo } from '../../src/cli/cp';

export type CapturedIo = CpIo & { out: () => string; err: () => string };

export function captureIo(env: Record<string, string> = {}): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, env, out: () => out, err: () => err };
}
