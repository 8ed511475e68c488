/**
 * The policy document's schema (zod), validated once at load. Parsing normalizes the document
 * (single strings become lists, sizes become bytes, media types lowercase) and is idempotent,
 * so an already-parsed document can be validated again. Path patterns and principal selectors
 * are checked here with the same parsers the engine uses, so every problem is found at load.
 */
import * as z from 'zod';
import { parseByteSize } from './byte-size';
import { normalizeContentTypePattern } from './content-types';
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
    /** `gateway`: accept that a mount's backend cannot make storage enforce some constraint (docs/backends.md). */
    enforce: z.literal('gateway', { error: 'must be "gateway" (accept gateway-only enforcement of constraints) when present' }).optional(),
  })
  .superRefine((rule, ctx) => {
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
    const seen = new Map<string, number>();
    doc.rules.forEach((rule, i) => {
      const first = seen.get(rule.id);
      if (first === undefined) seen.set(rule.id, i);
      else ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate id "${rule.id}" (first used by rules[${first}])` });
    });
  });

/** A validated, normalized policy document. */
export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyRule = z.output<typeof ruleSchema>;
/** What authors write (before normalization). */
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;
