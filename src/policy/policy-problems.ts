/**
 * Turning validation issues into problems a policy author can act on: which rule (index and id),
 * which field, what is wrong, and where (line and column) when a YAML/JSON node can be located.
 *
 * Knows no YAML: locating a node in the source text is the caller's `Locate` (policy-file.ts
 * builds it from the yaml parser, and only when there are problems to place), so this module
 * costs nothing at load and works where yaml is absent (the Lambda bundle).
 */
import type { z } from 'zod';

export interface PolicyProblem {
  /** File name or other label of the policy's source. */
  readonly source: string;
  /** 1-based position of the offending node (or of its nearest existing parent). */
  readonly line?: number;
  readonly column?: number;
  /** Index into `rules` (0-based) and the rule's id when it has a string one. */
  readonly ruleIndex?: number;
  readonly ruleId?: string;
  /** The field inside the rule (e.g. `paths[0]`), or the document-level path. */
  readonly field: string;
  readonly message: string;
}

/** `policy.yaml:12:7: rules[2] (id "own-home") paths[0]: unknown variable "{user}"...` */
export function formatProblem(p: PolicyProblem): string {
  const where = p.line === undefined ? p.source : `${p.source}:${p.line}:${p.column ?? 1}`;
  const rule = p.ruleIndex === undefined ? '' : `rules[${p.ruleIndex}]${p.ruleId === undefined ? '' : ` (id "${p.ruleId}")`} `;
  return `${where}: ${rule}${p.field}: ${p.message}`;
}

/**
 * Where the node at a document path is in the source text (1-based), or {} when unknown. With
 * `keyName`, the key `keyName` inside that node (an unknown field), else the node itself or its
 * nearest existing parent.
 */
export type Locate = (path: readonly (string | number)[], keyName?: string) => { line?: number; column?: number };

function fieldName(path: readonly PropertyKey[], whole: string): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? whole : out;
}

/** Whether `path` names a key absent from its (present) parent object in the raw document. */
function isMissing(raw: unknown, path: readonly PropertyKey[]): boolean {
  let parent: unknown = raw;
  for (const part of path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown> | null | undefined)?.[part];
  const last = path.at(-1);
  return typeof parent === 'object' && parent !== null && last !== undefined && !Object.hasOwn(parent, last);
}

/** One problem per zod issue (per key for unrecognized keys), naming rule and field. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, source: string, locate?: Locate): PolicyProblem[] {
  const rawRules = (raw as { rules?: unknown } | null)?.rules;
  const problems: PolicyProblem[] = [];
  for (const issue of issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const message = key !== undefined ? `unknown field "${key}"` : isMissing(raw, path) ? 'required field is missing' : issue.message;
      const inRule = path[0] === 'rules' && typeof path[1] === 'number';
      const where = locate?.(issue.path.filter((p): p is string | number => typeof p !== 'symbol'), key) ?? {};
      const base = { source, ...where, message };
      if (!inRule) {
        problems.push({ ...base, field: fieldName(path, '(document)') });
        continue;
      }
      const ruleIndex = path[1] as number;
      const id = Array.isArray(rawRules) ? (rawRules[ruleIndex] as { id?: unknown } | null)?.id : undefined;
      problems.push({ ...base, ruleIndex, ...(typeof id === 'string' ? { ruleId: id } : {}), field: fieldName(path.slice(2), '(rule)') });
    }
  }
  // Stable sort: file order for located problems, the rest (rare) after them.
  return problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}
