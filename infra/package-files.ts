/**
 * The files the stack adds to the function package next to the bundle, each checked at synth
 * with the gateway's own code (so a mistake fails `cdk synth`, not a cold start) and written as
 * JSON (the Lambda never needs to parse YAML):
 *
 *   signpost.json  mounts (path, key prefix), the bucket's region if not the stack's, the
 *                  features the stack deployed, and the `auth` settings from authFile - never a
 *                  secret (those are fetched at init)
 *   policy.json    the policy file's document, when one is given (SIGNPOST_POLICY points here)
 *
 * They are staged in the cloud assembly directory and copied in by the bundling command hooks.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Names, Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { parse as parseYaml } from 'yaml';
import { parseAuthConfig } from '../src/auth/auth-config';
import { ConfigSchema } from '../src/config/schema';
import { formatProblem, loadPolicyFile } from '../src/policy';
import type { Features } from '../src/config/features';
import type { GatewayAccess } from './gateway-function';

/** Where Lambda unpacks the package (LAMBDA_TASK_ROOT). */
export const TASK_ROOT = '/var/task';

export interface PackageFileProps {
  readonly mountPath: string;
  readonly keyPrefix: string;
  readonly bucketRegion?: string;
  readonly access: GatewayAccess;
  readonly features: Features;
}

export function writePackageFiles(scope: Construct, props: PackageFileProps): { paths: string[]; policy: boolean } {
  const auth = props.access.authFile === undefined ? undefined : checkedAuth(props.access.authFile, props.access.jwtSecret !== undefined, props.access.apiKeysParameter !== undefined);
  if (props.access.jwtSecret !== undefined && auth?.jwt === undefined) {
    throw new Error('Signpost: jwtSecret needs an authFile with an `auth.jwt` section (issuer, audience, ...) to use it with');
  }
  const config = {
    mounts: [{ path: props.mountPath, prefix: props.keyPrefix }],
    ...(props.bucketRegion !== undefined && { storage: { region: props.bucketRegion } }),
    features: props.features,
    ...(auth !== undefined && { auth }),
  };
  const checked = ConfigSchema.safeParse({ mounts: config.mounts, features: config.features });
  if (!checked.success) {
    throw new Error(`Signpost: invalid mount (path ${props.mountPath}, prefix "${props.keyPrefix}"): ${checked.error.issues.map((i) => i.message).join('; ')}`);
  }

  const dir = join(Stage.of(scope)?.outdir ?? resolve('cdk.out'), 'signpost-package-files', Names.uniqueId(scope));
  mkdirSync(dir, { recursive: true });
  const paths = [join(dir, 'signpost.json')];
  writeFileSync(paths[0]!, JSON.stringify(config, null, 2));
  if (props.access.policyFile === undefined) return { paths, policy: false };
  paths.push(join(dir, 'policy.json'));
  writeFileSync(paths[1]!, JSON.stringify(checkedPolicy(props.access.policyFile), null, 2));
  return { paths, policy: true };
}

/** The policy as written (validated first by the gateway's loader: problems by line and rule). */
function checkedPolicy(file: string): unknown {
  const loaded = loadPolicyFile(resolve(file));
  if (!loaded.ok) throw new Error(`Signpost: invalid policy ${file}:\n${loaded.problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
  return readStructured(file);
}

type AuthSection = Record<string, unknown> & { jwt?: Record<string, unknown> };

/**
 * authFile holds the auth settings, bare or under `auth:`; validated with stand-ins for what is
 * fetched at init (the JWT secret; an API key when keys come from the parameter, so a JWT section
 * that does not separate their subjects fails here, not in the deployed function).
 */
function checkedAuth(file: string, secretFetched: boolean, keysFetched: boolean): AuthSection {
  const parsed = readStructured(file) as Record<string, unknown> | null;
  const auth = (parsed !== null && typeof parsed === 'object' && 'auth' in parsed ? parsed.auth : parsed) as AuthSection | null;
  if (auth === null || typeof auth !== 'object') throw new Error(`Signpost: ${file} must hold the auth settings (an object, or { auth: ... })`);
  const withSecret = secretFetched && auth.jwt ? { ...auth, jwt: { ...auth.jwt, hs256Secret: 'x'.repeat(32) } } : auth;
  const keys = Array.isArray(auth.apiKeys) ? (auth.apiKeys as unknown[]) : [];
  const standIn = keysFetched ? { ...withSecret, apiKeys: [...keys, { hash: '0'.repeat(64), subject: 'stand-in' }] } : withSecret;
  const result = parseAuthConfig(standIn);
  if (!result.ok) throw new Error(`Signpost: invalid auth settings in ${file}:\n${result.problems.map((p) => `  - auth.${p}`).join('\n')}`);
  return auth;
}

function readStructured(file: string): unknown {
  const text = readFileSync(resolve(file), 'utf8');
  return extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
}
