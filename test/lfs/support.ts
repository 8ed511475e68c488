/**
 * Shared by the LFS tests: a gateway with a policy and API keys for a small team, and a client
 * that speaks the LFS wire format (the git-lfs client itself is in test/e2e/lfs-git-suite.ts).
 *
 *   alice  read + write on lfs/acme/**, and delete there (the lock admin)
 *   bob    read + write on lfs/acme/**
 *   rita   read only on lfs/acme/**
 *   anyone read on lfs/public/**; uploads to lfs/acme/small/** limited to 1 KB; lfs/acme/images/**
 *          only takes image/*; lfs/acme/archive/** is create-only
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/auth';
import { startGateway, type S3Target, type TestGateway } from '../support/gateway';

export const LFS_JSON = 'application/vnd.git-lfs+json';

export const team = {
  alice: createApiKey({ subject: 'alice' }),
  bob: createApiKey({ subject: 'bob' }),
  rita: createApiKey({ subject: 'rita' }),
};
export type Member = keyof typeof team;

export const teamPolicy = {
  version: 1,
  rules: [
    { id: 'team', paths: 'lfs/acme/**', actions: ['read', 'write'], principals: ['user:alice', 'user:bob'], effect: 'allow' },
    { id: 'readers', paths: 'lfs/acme/**', actions: ['read'], principals: 'user:rita', effect: 'allow' },
    { id: 'lock-admin', paths: 'lfs/acme/**', actions: ['delete'], principals: 'user:alice', effect: 'allow' },
    { id: 'public', paths: 'lfs/public/**', actions: ['read'], principals: '*', effect: 'allow' },
    { id: 'public-push', paths: 'lfs/public/**', actions: ['write'], principals: 'user:alice', effect: 'allow' },
    { id: 'small', paths: 'lfs/acme/small/**', actions: ['read', 'write'], principals: ['user:alice', 'user:bob'], effect: 'allow', maxSize: '1KB' },
    { id: 'images', paths: 'lfs/acme/images/**', actions: ['read', 'write'], principals: ['user:alice', 'user:bob'], effect: 'allow', contentTypes: ['image/*'] },
    { id: 'archive', paths: 'lfs/acme/archive/**', actions: ['read', 'write'], principals: ['user:alice', 'user:bob'], effect: 'allow', createOnly: true },
  ],
};

export interface TeamGateway {
  readonly gw: TestGateway;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startTeamGateway(options: { s3?: S3Target; env?: Record<string, string> } = {}): Promise<TeamGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-lfs-'));
  const config = { policy: teamPolicy, auth: { apiKeys: Object.values(team).map((k) => k.entry) } };
  writeFileSync(join(dir, 'signpost.yaml'), stringify(config));
  const gw = await startGateway({ env: { SIGNPOST_CONFIG: join(dir, 'signpost.yaml'), ...options.env }, ...(options.s3 && { s3: options.s3 }) });
  return {
    gw,
    dir,
    stop: async () => {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const basic = (who: Member): string => `Basic ${Buffer.from(`${who}:${team[who].key}`).toString('base64')}`;

export interface LfsAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** One LFS request: JSON in, JSON out, as git-lfs sends it. */
export async function lfs(url: string, init: { method?: string; as?: Member; body?: unknown; headers?: Record<string, string> } = {}): Promise<LfsAnswer> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { Accept: LFS_JSON, ...(init.body !== undefined && { 'Content-Type': `${LFS_JSON}; charset=utf-8` }), ...(init.as && { Authorization: basic(init.as) }), ...init.headers },
    ...(init.body !== undefined && { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { unparsed: text };
  }
  return { status: res.status, headers: res.headers, body };
}

export interface Blob {
  readonly bytes: Buffer;
  readonly oid: string;
  readonly size: number;
}

export function blob(size: number): Blob {
  const bytes = randomBytes(size);
  return { bytes, oid: createHash('sha256').update(bytes).digest('hex'), size };
}

export interface ActionJson {
  href: string;
  header?: Record<string, string>;
  expires_in: number;
}
export interface ObjectJson {
  oid: string;
  size: number;
  authenticated?: boolean;
  actions?: Record<string, ActionJson>;
  error?: { code: number; message: string };
}

export function objectsOf(answer: LfsAnswer): ObjectJson[] {
  return answer.body.objects as ObjectJson[];
}

/** Sends an action as git-lfs's basic transfer does: the href, the action's headers, the body. */
export function perform(action: ActionJson, method: 'GET' | 'PUT', body?: Buffer): Promise<Response> {
  return fetch(action.href, { method, headers: action.header ?? {}, ...(body !== undefined && { body }) });
}
