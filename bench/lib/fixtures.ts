/**
 * Shared fixtures: the realistic rule sets of policy-scaling (a few shared rules plus
 * per-project / per-department rules with distinct literal prefixes), one API key allowed by
 * rule `proj-0`, and the environment that configures a gateway child with them (S3 mode at a
 * dummy endpoint, or the embedded store in a data directory).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/auth';
import type { PolicyDocumentInput } from '../../src/policy';

export type Rules = PolicyDocumentInput['rules'];

export function rules(n: number): Rules {
  const base: Rules = [
    { id: 'public-read', paths: ['public/**'], actions: ['read', 'list'], principals: ['*'], effect: 'allow' },
    { id: 'own-home', paths: ['home/{sub}/**'], actions: ['*'], principals: ['authenticated'], effect: 'allow', maxSize: '100MB' },
    { id: 'teams', paths: ['teams/{group}/**'], actions: ['read', 'write', 'list'], principals: ['authenticated'], effect: 'allow' },
    { id: 'no-exe', paths: ['**/*.exe'], actions: ['write'], principals: ['*'], effect: 'deny' },
    { id: 'admins', paths: ['**'], actions: ['*'], principals: ['group:admin'], effect: 'allow' },
    { id: 'finance', paths: ['finance/**'], actions: ['read'], principals: ['claim:dept=finance'], effect: 'allow', ttl: 60 },
  ];
  const out: Rules = base.slice(0, Math.min(n, base.length));
  for (let i = 0; out.length < n; i++) {
    out.push(
      i % 2 === 0
        ? { id: `proj-${i}`, paths: [`projects/p${i}/**`], actions: ['read', 'write'], principals: [`user:u${i % 500}`], effect: 'allow', maxSize: '2GiB' }
        : { id: `dept-${i}`, paths: [`depts/d${i}/reports/*.pdf`, `depts/d${i}/shared/**`], actions: ['read'], principals: [`group:g${i % 50}`], effect: 'allow' },
    );
  }
  return out;
}

/** The one caller of the HTTP benches: subject u0, allowed read/write under projects/p0/. */
export const API_KEY = createApiKey({ subject: 'u0', groups: ['g0', 'eng'], label: 'bench' });
export const ALLOWED_PATH = '/files/projects/p0/docs/spec.txt';
export const DUMMY_S3 = 'http://127.0.0.1:9';
export const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_REGION: 'us-east-1' };

export function tempDir(tag: string, base = tmpdir()): string {
  return mkdtempSync(join(base, `signpost-bench-${tag}-`));
}

const MiB = 1024 * 1024;

/**
 * The large-upload parts' setup (uploads, body-uploads): a random source file of 1 GiB (64 MiB
 * in smoke runs) in a fresh temp dir, how many rounds (3, smoke 1) and the limit per transfer (s).
 */
export function largeUpload(smoke: boolean, tag: string): { size: number; rounds: number; limitS: number; base: string; file: string } {
  const size = smoke ? 64 * MiB : 1024 * MiB;
  const base = tempDir(tag);
  const file = join(base, 'source.bin');
  const chunk = randomBytes(MiB);
  const fd = openSync(file, 'w');
  try {
    for (let left = size; left > 0; left -= MiB) writeSync(fd, chunk, 0, Math.min(MiB, left));
  } finally {
    closeSync(fd);
  }
  return { size, rounds: smoke ? 1 : 3, limitS: smoke ? 60 : 300, base, file };
}

/** Env for a gateway child: auth (one API key) + an n-rule policy, S3 mode unless dataDir is given. */
export function gatewayEnv(ruleCount: number, dataDir?: string): NodeJS.ProcessEnv {
  const dir = tempDir('cfg');
  const file = join(dir, 'signpost.json');
  writeFileSync(file, JSON.stringify({ policy: { version: 1, rules: rules(ruleCount) }, auth: { apiKeys: [API_KEY.entry] } }));
  const common = { SIGNPOST_CONFIG: file, PORT: '0', HOST: '127.0.0.1', SIGNPOST_LOG_LEVEL: '' };
  if (dataDir !== undefined) return { ...common, SIGNPOST_DATA_DIR: dataDir, SIGNPOST_BUCKET: '' };
  return { ...common, ...AWS_ENV, SIGNPOST_BUCKET: 'bench-bucket', SIGNPOST_S3_ENDPOINT: DUMMY_S3, SIGNPOST_FORCE_PATH_STYLE: 'true' };
}

export const AUTH_HEADER = { Authorization: `Bearer ${API_KEY.key}` };
