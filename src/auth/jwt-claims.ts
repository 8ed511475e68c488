/**
 * From a verified JWT payload to a Principal: subject and groups come from configurable claims.
 * A claim name is looked up as is first, then as a dotted path into nested objects, so both
 * `groups` and Keycloak's `realm_access.roles` work. Groups may be a list of strings or one
 * space-separated string (OAuth `scope` style). The principal's subject is the claim put in its
 * issuer's namespace (subject-namespaces.ts), so it never equals an API key's by accident.
 */
import type { JWTPayload } from 'jose';
import type { Principal } from '../policy/types';
import type { QualifySubject } from './subject-namespaces';

export function claimAt(payload: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let cur: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export type ClaimsResult = { ok: true; principal: Principal } | { ok: false; message: string };

export function principalFromClaims(payload: JWTPayload, subjectClaim: string, groupsClaim: string, qualify: QualifySubject): ClaimsResult {
  const claimed = claimAt(payload, subjectClaim);
  if (typeof claimed !== 'string' || claimed === '') return { ok: false, message: `token has no string "${subjectClaim}" claim` };
  const subject = qualify(payload.iss, claimed);
  if (subject === null) return { ok: false, message: `token claim "${subjectClaim}" names another identity source's namespace` };
  const raw = claimAt(payload, groupsClaim);
  let groups: string[];
  if (raw === undefined) groups = [];
  else if (typeof raw === 'string') groups = raw.split(' ').filter((g) => g !== '');
  else if (Array.isArray(raw) && raw.every((g): g is string => typeof g === 'string')) groups = raw.filter((g) => g !== '');
  else return { ok: false, message: `token claim "${groupsClaim}" must be a list of strings or a space-separated string` };
  return {
    ok: true,
    principal: Object.freeze({ kind: 'user', subject, groups: Object.freeze(groups), claims: Object.freeze({ ...payload }), via: 'jwt' }),
  };
}
