/**
 * Subject namespaces: every principal's subject says which identity source vouched for it, so a
 * JWT with `sub: alice` is never the API-key user alice unless the config says they are the same.
 *
 * The subject the policy sees (what `{sub}` binds to and `user:<subject>` compares with):
 *   API keys   the configured `subject`, as written (the unqualified namespace);
 *   JWTs       `<name>:<sub>`, where `jwt.subjectNamespace` names the namespace: one name for all
 *              tokens of the section, or one per issuer (`{ <iss>: <name> }`, the token's
 *              verified `iss` picks). `""` keeps a source's subjects unqualified: deliberately
 *              the same namespace as the API keys (the config "maps them together").
 * Absent, JWT subjects stay unqualified, which is allowed only where nothing can collide: no API
 * keys and at most one issuer. Anything else stops startup and asks for a choice, so adding the
 * first API key to a JWT setup can never silently hand out existing homes.
 *
 * Why no two sources meet: names are `[a-z0-9._-]` (no `:`), so `a:x` and `b:y` differ whenever
 * a != b; and an unqualified subject that starts with `<name>:` for a configured name is refused
 * (an API key's at startup, a token's with 401), so nothing unqualified can pose as namespaced.
 * Groups and claims are the issuer's own and are not namespaced: trust an issuer for them, or do
 * not configure it. Validated and compiled once; the per-token work is one lookup and a concat.
 */
import * as z from 'zod';

export const namespaceName = z
  .string()
  .regex(/^([a-z0-9][a-z0-9._-]{0,62})?$/, 'must be "" (share API-key subjects) or 1-63 of a-z 0-9 . _ - starting with a letter or digit');

export const subjectNamespaceSchema = z.union([namespaceName, z.record(z.string().min(1), namespaceName)]);
export type SubjectNamespace = z.output<typeof subjectNamespaceSchema>;

interface NamespaceConfig {
  readonly apiKeys: readonly { readonly subject: string }[];
  readonly jwt?: { readonly issuer?: string | readonly string[] | undefined; readonly subjectNamespace?: SubjectNamespace | undefined } | undefined;
}

export interface NamespaceProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

const issuersOf = (issuer: string | readonly string[] | undefined): readonly string[] => (issuer === undefined ? [] : typeof issuer === 'string' ? [issuer] : issuer);

function namesOf(ns: SubjectNamespace | undefined): string[] {
  const all = ns === undefined ? [] : typeof ns === 'string' ? [ns] : Object.values(ns);
  return all.filter((n) => n !== '');
}

/** Everything wrong with how the config separates subjects (empty when it is sound). */
export function namespaceProblems(config: NamespaceConfig): NamespaceProblem[] {
  const problems: NamespaceProblem[] = [];
  const jwt = config.jwt;
  if (jwt === undefined) return problems;
  const issuers = issuersOf(jwt.issuer);
  const ns = jwt.subjectNamespace;
  const choose = 'set jwt.subjectNamespace to a name (token subjects become "<name>:<sub>") or to "" to treat them as the same people deliberately';
  if (ns === undefined && config.apiKeys.length > 0) {
    problems.push({ path: ['jwt', 'subjectNamespace'], message: `required when API keys are configured too: a token's "sub" could name an API-key user; ${choose}` });
  } else if (ns === undefined && issuers.length > 1) {
    problems.push({ path: ['jwt', 'subjectNamespace'], message: `required when jwt.issuer lists several issuers: their subjects would be one namespace; give one name per issuer ({ "<issuer>": "<name>" }) or a single name to join them` });
  } else if (ns !== undefined && typeof ns !== 'string') {
    for (const iss of Object.keys(ns)) {
      if (!issuers.includes(iss)) problems.push({ path: ['jwt', 'subjectNamespace', iss], message: 'is not one of jwt.issuer (a per-issuer namespace needs the issuer configured)' });
    }
    for (const iss of issuers) {
      if (!Object.hasOwn(ns, iss)) problems.push({ path: ['jwt', 'subjectNamespace'], message: `has no namespace for issuer ${iss}` });
    }
  }
  const names = namesOf(ns);
  config.apiKeys.forEach((k, i) => {
    const taken = names.find((n) => k.subject.startsWith(`${n}:`));
    if (taken !== undefined) problems.push({ path: ['apiKeys', i, 'subject'], message: `must not start with "${taken}:", the namespace of JWT subjects` });
  });
  return problems;
}

/** Token (verified `iss`, subject claim) -> the principal's subject, or null when the subject poses as another namespace. */
export type QualifySubject = (issuer: unknown, subject: string) => string | null;

/** Compiles a config `namespaceProblems` found sound. */
export function subjectQualifier(ns: SubjectNamespace | undefined): QualifySubject {
  const reserved = namesOf(ns).map((n) => `${n}:`);
  const bare = (subject: string): string | null => (reserved.some((r) => subject.startsWith(r)) ? null : subject);
  const qualify = (name: string | undefined, subject: string): string | null => (name === undefined ? null : name === '' ? bare(subject) : `${name}:${subject}`);
  if (ns === undefined) return (_iss, subject) => subject;
  if (typeof ns === 'string') return (_iss, subject) => qualify(ns, subject);
  const byIssuer = new Map(Object.entries(ns));
  return (iss, subject) => qualify(typeof iss === 'string' ? byIssuer.get(iss) : undefined, subject);
}
