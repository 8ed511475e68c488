/**
 * Lambda bundle stand-in for iconv-lite (aliased in infra/lambda-bundle.ts), UTF-8 only.
 *
 * Why: express pulls in body-parser and raw-body, which require iconv-lite at load; its
 * encoding tables are a third of a naive bundle's bytes, paid on every cold start, and the
 * gateway never decodes a request body in anything but UTF-8 (it reads no PUT bodies at all;
 * JSON is UTF-8 by definition). Contract: the subset raw-body and body-parser call -
 * encodingExists, getDecoder, decode - for UTF-8; any other charset throws iconv-lite's own
 * "Encoding not recognized" error, which raw-body turns into 415 Unsupported Media Type.
 */
import { StringDecoder } from 'node:string_decoder';

const UTF8 = new Set(['utf8', 'utf-8', 'unicode-1-1-utf-8']);

function normalise(encoding: string): string {
  return String(encoding).toLowerCase().trim();
}

export function encodingExists(encoding: string): boolean {
  return UTF8.has(normalise(encoding));
}

export interface Decoder {
  write(chunk: Buffer): string;
  end(): string | undefined;
}

export function getDecoder(encoding: string): Decoder {
  if (!encodingExists(encoding)) throw new Error(`Encoding not recognized: '${encoding}' (the Lambda bundle decodes UTF-8 only)`);
  const decoder = new StringDecoder('utf8');
  return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() || undefined };
}

export function decode(buffer: Buffer, encoding: string): string {
  const decoder = getDecoder(encoding);
  return decoder.write(buffer) + (decoder.end() ?? '');
}
