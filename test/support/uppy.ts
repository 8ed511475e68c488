/**
 * A gateway for the Uppy endpoint's tests: the real server (embedded store, or any S3 such as
 * Ceph RGW), a policy with one rule per constraint the endpoint must carry to storage, API keys
 * for alice and bob, an HS256 JWT issuer, a fixed share key and CORS for a test page's origin.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/auth';
import { startGateway, type S3Target, type TestGateway } from './gateway';

export const alice = createApiKey({ subject: 'alice', groups: ['staff'] });
export const bob = createApiKey({ subject: 'bob', groups: ['staff'] });
export const JWT_SECRET = 'uppy-test-jwt-secret-0123456789-abcdef';
export const SHARE_KEY = 'uppy-test-share-key-0123456789-abcdefgh';

export const uppyPolicy = {
  version: 1,
  rules: [
    { id: 'own-home', paths: 'home/{sub}/**', actions: '*', principals: 'authenticated', effect: 'allow', maxSize: '500MB' },
    { id: 'small', paths: 'small/**', actions: '*', principals: 'authenticated', effect: 'allow', maxSize: '2KB' },
    { id: 'images', paths: 'images/**', actions: '*', principals: 'authenticated', effect: 'allow', contentTypes: ['image/*'] },
    { id: 'archive', paths: 'archive/**', actions: ['read', 'write'], principals: 'authenticated', effect: 'allow', createOnly: true },
    { id: 'inbox', paths: 'inbox/**', actions: ['write'], principals: '*', effect: 'allow', maxSize: '1MB' },
  ],
};

export function jwtFor(sub: string, expiresAt: number): Promise<string> {
  return new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresAt).setIssuer('https://idp.test').setAudience('signpost').sign(new TextEncoder().encode(JWT_SECRET));
}

export async function startUppyGateway(options: { s3?: S3Target; corsOrigin?: string; env?: Record<string, string> } = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-uppy-'));
  const config = {
    policy: uppyPolicy,
    auth: { apiKeys: [alice.entry, bob.entry], jwt: { hs256Secret: JWT_SECRET, issuer: 'https://idp.test', audience: 'signpost', subjectNamespace: '' } },
    shareKey: SHARE_KEY,
    ...(options.corsOrigin !== undefined && { corsOrigins: [options.corsOrigin] }),
  };
  writeFileSync(join(dir, 'signpost.yaml'), stringify(config));
  const gw = await startGateway({ ...(options.s3 && { s3: options.s3 }), env: { SIGNPOST_CONFIG: join(dir, 'signpost.yaml'), ...options.env } });
  return { ...gw, stop: async () => { await gw.stop(); rmSync(dir, { recursive: true, force: true }); } };
}
