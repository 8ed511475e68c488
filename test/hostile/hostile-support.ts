/**
 * Shared pieces of the hostile suites: a byte-exact HTTP/1.1 client over a plain socket (no
 * client-side validation or normalisation, so raw control bytes, bad escapes and odd request
 * targets reach the server's parser exactly as written), and a gateway with a policy, API keys
 * and a JWT configuration.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/auth';
import type { PolicyDocumentInput } from '../../src/policy';
import { startGateway, type TestGateway } from '../support/gateway';

export interface ParsedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The `error` field of a JSON body, if the body is JSON with one. */
  readonly code: string | undefined;
  readonly raw: string;
}

/** Sends exactly `bytes`, reads until the server closes (or `timeoutMs`), parses the first response. */
export function sendRaw(baseUrl: string, bytes: Buffer | string, timeoutMs = 5_000): Promise<ParsedResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A server that answers and resets is fine; only an answerless failure is an error.
      if (chunks.length === 0) reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
    });
  });
}

export function parseResponse(all: string): ParsedResponse {
  // Skip interim responses (100 Continue from a server without a checkContinue listener).
  let raw = all;
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw) && raw.includes('\r\n\r\n')) raw = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = end < 0 ? '' : raw.slice(end + 4);
  const length = headers['content-length'];
  if (length !== undefined) body = body.slice(0, Number(length));
  let code: string | undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') code = parsed.error;
  } catch {
    code = undefined;
  }
  return { status, headers, body, code, raw: all };
}

/** A request with `Connection: close`; `head` is the request line + header lines, without the final CRLFCRLF. */
export function request(method: string, target: string, headers: readonly string[] = [], body = ''): Buffer {
  const hasHost = headers.some((h) => /^host:/i.test(h));
  const lines = [`${method} ${target} HTTP/1.1`, ...(hasHost ? [] : ['Host: 127.0.0.1']), ...headers, 'Connection: close'];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

export const HS256_SECRET = 'hostile-suite-hs256-shared-secret-of-32+-bytes';
export const ISSUER = 'https://idp.hostile.test';
export const AUDIENCE = 'signpost';

/** Rules with key prefixes; the fuzzer checks signed keys against the same prefixes. */
export const POLICY: PolicyDocumentInput = {
  version: 1,
  rules: [
    { id: 'open', paths: 'open/**', actions: '*', principals: '*', effect: 'allow' },
    { id: 'public-read', paths: 'public/**', actions: ['read'], principals: '*', effect: 'allow' },
    { id: 'own-home', paths: 'home/{sub}/**', actions: '*', principals: 'authenticated', effect: 'allow', maxSize: '1MB' },
    { id: 'inbox', paths: 'inbox/**', actions: ['write'], principals: '*', effect: 'allow', maxSize: 1000 },
  ],
};

export interface PolicyGateway {
  readonly gw: TestGateway;
  readonly aliceKey: string;
  readonly bobKey: string;
  stop(): Promise<void>;
}

export async function startPolicyGateway(logLevel = 'info', extraEnv: Record<string, string> = {}): Promise<PolicyGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-hostile-'));
  const alice = createApiKey({ subject: 'alice', groups: ['staff'] });
  const bob = createApiKey({ subject: 'bob' });
  const config = {
    policy: POLICY,
    auth: { apiKeys: [alice.entry, bob.entry], jwt: { hs256Secret: HS256_SECRET, issuer: ISSUER, audience: AUDIENCE, subjectNamespace: 'idp' } },
  };
  writeFileSync(join(dir, 'signpost.yaml'), stringify(config));
  const gw = await startGateway({ env: { SIGNPOST_CONFIG: join(dir, 'signpost.yaml'), ...extraEnv }, logLevel });
  return {
    gw,
    aliceKey: alice.key,
    bobKey: bob.key,
    stop: async () => {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
