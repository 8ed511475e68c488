/**
 * The policy document's schema (zod), validated once at load. Parsing normalizes the document
 * (single strings become lists, sizes become bytes, media types lowercase) and is idempotent,
 * so an already-parsed document can be validated again. Path patterns and principal selectors
 * are checked here with the same parsers the engine uses, so every problem is found at load.
 */
import * as z from 'zod';
import { parseByteSize } from './byte-size';
import { normalizeContentTypePattern } from './content-types';
import { patternProblem } from './match-options';
import { parsePathPattern } from './path-pattern';
import { parsePrincipalSelector } from './principal-selector';
import { ALL_ACTIONS } from './types';

/** S3 SigV4 presigned URLs live at most 7 days, so a longer ttl can never be honoured. */
export const MAX_TTL_SECONDS = 604_800;

/** `x` or `[x, y]` -> a non-empty list; lists pass through unchanged (idempotent). */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(item).min(1, 'must list at least one entry'));

const pathPattern = z.string().superRefine((s, ctx) => {
  const r = parsePathPattern(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
});

const principalSelector = z.string().superRefine((s, ctx) => {
  const r = parsePrincipalSelector(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
});

const action = z.enum([...ALL_ACTIONS, '*'], { error: `must be one of ${[...ALL_ACTIONS, '*'].join(', ')}` });

const byteSize = z.unknown().transform((v, ctx) => {
  const r = parseByteSize(v);
  if (r.ok) return r.bytes;
  ctx.addIssue({ code: 'custom', message: r.message });
  return z.NEVER;
});

const contentType = z.string().transform((v, ctx) => {
  const normalized = normalizeContentTypePattern(v);
  if (normalized !== null) return normalized;
  ctx.addIssue({ code: 'custom', message: `"${v}" is not a media type pattern like "image/png", "image/*" or "*/*"` });
  return z.NEVER;
});

const CONSTRAINT_FIELDS = ['maxSize', 'contentTypes', 'ttl', 'createOnly', 'inlineActive', 'renameDownloads'] as const;

export const ruleSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be 1-128 characters of letters, digits and . _ : @ -, starting with a letter or digit'),
    paths: oneOrMany(pathPattern),
    actions: oneOrMany(action),
    principals: oneOrMany(principalSelector),
    effect: z.enum(['allow', 'deny'], { error: 'must be "allow" or "deny"' }),
    maxSize: byteSize.optional(),
    contentTypes: oneOrMany(contentType).optional(),
    ttl: z.number().int('must be whole seconds').positive('must be positive').max(MAX_TTL_SECONDS, `must be at most ${MAX_TTL_SECONDS} (7 days)`).optional(),
    createOnly: z.boolean().optional(),
    /** Reads: serve types not known to be passive (HTML, SVG, …) as stored, not as attachments (src/content/serve-as.ts). */
    inlineActive: z.boolean().optional(),
    /** Reads: `?download=<name>` may change the file's extension (src/content/download-name.ts). */
    renameDownloads: z.boolean().optional(),
    /** Matching options (match-options.ts): fold case; drop trailing dots and spaces of key segments. */
    ignoreCase: z.boolean().optional(),
    ignoreTrailingDotsAndSpaces: z.boolean().optional(),
    /** `gateway`: accept that a mount's backend cannot make storage enforce some constraint (docs/backends.md). */
    enforce: z.literal('gateway', { error: 'must be "gateway" (accept gateway-only enforcement of constraints) when present' }).optional(),
  })
  .superRefine((rule, ctx) => {
    const options = { ignoreCase: rule.ignoreCase === true, ignoreTrailingDotsAndSpaces: rule.ignoreTrailingDotsAndSpaces === true };
    rule.paths.forEach((p, i) => {
      const problem = patternProblem(p.split('/'), options);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['paths', i], message: problem });
    });
    if (rule.effect !== 'deny') return;
    for (const field of CONSTRAINT_FIELDS) {
      if (rule[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'constraints only apply to allow rules' });
    }
  });

export const policyDocumentSchema = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1' }).optional(),
    rules: z.array(ruleSchema),
  })
  .superRefine((doc, ctx) => {
    for (const issue of duplicateIdIssues(doc.rules)) ctx.addIssue(issue);
  });

/**
 * Rules whose string id an earlier rule already uses. Reads raw rules too: zod skips the
 * document's refinement once any rule has a problem, and `validatePolicyDocument` still wants
 * the duplicates then, so `policy check` reports every problem in one go.
 */
function duplicateIdIssues(rules: readonly unknown[]): { code: 'custom'; path: (string | number)[]; message: string }[] {
  const seen = new Map<string, number>();
  const out: { code: 'custom'; path: (string | number)[]; message: string }[] = [];
  rules.forEach((rule, i) => {
    const id = (rule as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else out.push({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate id "${id}" (first used by rules[${first}])` });
  });
  return out;
}

/** The schema's verdict, with duplicate ids among the issues even when other rules have problems. */
export function validatePolicyDocument(raw: unknown): z.ZodSafeParseResult<PolicyDocument> {
  const parsed = policyDocumentSchema.safeParse(raw);
  if (parsed.success) return parsed;
  const rules = (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return parsed;
  const reported = new Set(parsed.error.issues.map((i) => i.path.join('.')));
  for (const dup of duplicateIdIssues(rules)) {
    if (!reported.has(dup.path.join('.'))) parsed.error.issues.push({ ...dup, input: (rules[dup.path[1] as number] as { id: unknown }).id });
  }
  return parsed;
}

/** A validated, normalized policy document. */
export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyRule = z.output<typeof ruleSchema>;
/** What authors write (before normalization). */
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;
