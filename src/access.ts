/**
 * Access control from configuration: the compiled policy (the `decide` seam) and the
 * authenticator (the `authenticate` seam), both built once at startup. Every problem with the
 * policy or the auth settings becomes a ConfigError naming the rule, field and line, so a bad
 * policy stops startup instead of failing open or closed at request time.
 */
import { AuthConfigError, createAuthenticator } from './auth';
import { ConfigError } from './config/load';
import type { Config } from './config/schema';
import { fromAuthenticator, anonymousOnly, type Authenticate } from './http/authenticate';
import { formatProblem, loadPolicyFile, parsePolicy, type PolicyEngine } from './policy';
import { allowAll, type Decide } from './policy/types';

export interface AccessControl {
  readonly decide: Decide;
  readonly authenticate: Authenticate;
  /** Absent in the zero-config, allow-everything mode. */
  readonly policy?: PolicyEngine;
}

export function loadPolicy(source: NonNullable<Config['policy']>): PolicyEngine {
  const loaded = typeof source === 'string' ? loadPolicyFile(source) : parsePolicy(JSON.stringify(source), { format: 'json', sourceName: 'config file policy' });
  if (!loaded.ok) throw new ConfigError(`invalid policy:\n${loaded.problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
  return loaded.policy;
}

export function loadAccessControl(config: Config): AccessControl {
  let authenticate: Authenticate = anonymousOnly;
  if (config.auth !== undefined) {
    try {
      authenticate = fromAuthenticator(createAuthenticator(config.auth));
    } catch (err) {
      if (err instanceof AuthConfigError) throw new ConfigError(`invalid auth settings:\n${err.problems.map((p) => `  - auth.${p}`).join('\n')}`);
      throw err;
    }
  }
  if (config.policy === undefined) {
    if (config.auth !== undefined) throw new ConfigError('auth is configured but no policy: set SIGNPOST_POLICY (policy) to say who may do what');
    return { decide: allowAll, authenticate };
  }
  const policy = loadPolicy(config.policy);
  return { decide: policy.decide, authenticate, policy };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/;

/** Without a policy anyone who can connect may do anything, so that is allowed on loopback only. */
export function checkOpenBinding(config: Config): void {
  if (config.policy === undefined && !LOOPBACK.test(config.host)) {
    throw new ConfigError(
      `refusing to listen on ${config.host} without a policy: anyone who can reach it could read, write and delete every file. ` +
        `Set SIGNPOST_POLICY to a policy file, or bind to 127.0.0.1.`,
    );
  }
}
