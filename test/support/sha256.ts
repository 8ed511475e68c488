/** sha256 (hex) of bytes or of a file, streamed: how the end-to-end suites compare bodies. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
