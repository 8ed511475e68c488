/**
 * Path patterns over object keys, parsed once at policy load.
 *
 * Syntax (segments separated by `/`; no escapes, no leading/trailing/empty segments):
 * - `literal`     the segment exactly: no case folding, no Unicode normalization, no trimming
 *                 (unless the rule asks for them: match-options.ts).
 * - `*`           any one whole segment.  `*.jpg`, `img-*` : a glob within one segment.
 * - `**`          (a whole segment) zero or more segments, so `a/**\/b` matches `a/b` and `a/x/y/b`.
 *                 As the LAST segment it means "one or more": `home/alice/**` matches everything
 *                 strictly below `home/alice/` but neither `home/alice` itself nor `home/alice2/x`
 *                 (gitignore semantics; a folder's own key needs its own pattern, e.g. `home/{sub}`).
 * - `{sub}`       exactly one segment equal to the caller's subject.
 * - `{group}`     exactly one segment equal to one of the caller's groups.
 * - `{claim.NAME}` exactly one segment equal to the caller's claim NAME (string, number or boolean,
 *                 or an array of them), NAME being `[A-Za-z0-9_-]+`.
 * Variables fill a whole segment and appear at most once per pattern, so every segment test is an
 * independent predicate (which keeps matching linear-time, see segment-match.ts).
 * `{` and `}` are reserved in literal segments so a typo like `{sub` is an error, not a literal.
 */

export type Variable = { readonly kind: 'sub' } | { readonly kind: 'group' } | { readonly kind: 'claim'; readonly name: string };

export type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'glob'; readonly parts: readonly string[] }
  | { readonly kind: 'var'; readonly variable: Variable; readonly name: string }
  | { readonly kind: 'globstar' };

export interface PathPattern {
  readonly source: string;
  /** The leading literal segments; the rule index files the pattern under them. */
  readonly literalPrefix: readonly string[];
  /** What follows the literal prefix, with a trailing `**` already rewritten to `*` + `**`. */
  readonly rest: readonly Segment[];
  /** Every segment (the literal prefix, then `rest`): what the rule index files the pattern by. */
  readonly segments: readonly Segment[];
  /** Higher is more specific (see `specificityOf`). */
  readonly specificity: number;
}

export type PatternResult = { ok: true; pattern: PathPattern } | { ok: false; message: string };

const MAX_PATTERN_LENGTH = 1024;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
const CONTROL = /[\u0000-\u001f\u007f]/;
const CLAIM_NAME = /^[A-Za-z0-9_-]+$/;

function parseSegment(seg: string): Segment | string {
  if (seg === '') return 'empty segment (leading, trailing or doubled "/")';
  if (seg === '.' || seg === '..') return `"${seg}" segments never occur in keys`;
  if (seg === '**') return { kind: 'globstar' };
  if (seg === '*') return { kind: 'any' };
  if (seg.startsWith('{') && seg.endsWith('}')) {
    const name = seg.slice(1, -1);
    if (name === 'sub') return { kind: 'var', variable: { kind: 'sub' }, name };
    if (name === 'group') return { kind: 'var', variable: { kind: 'group' }, name };
    const claim = name.startsWith('claim.') ? name.slice('claim.'.length) : null;
    if (claim !== null && CLAIM_NAME.test(claim)) return { kind: 'var', variable: { kind: 'claim', name: claim }, name };
    return `unknown variable "${seg}"; use {sub}, {group} or {claim.NAME}`;
  }
  if (seg.includes('{') || seg.includes('}')) return `"{" and "}" only form a whole-segment variable like {sub}, got "${seg}"`;
  if (seg.includes('**')) return `"**" must be a whole segment, got "${seg}"`;
  if (seg.includes('*')) return { kind: 'glob', parts: seg.split('*') };
  return { kind: 'literal', text: seg };
}

/**
 * Specificity, compared left to right, higher wins:
 *   literal segments, variable segments, literal characters inside globs, fixed (non-`**`)
 *   segments, fewer `**`.
 * So `home/alice/**` > `home/{sub}/**` > `home/*\/**` > `**`, and `videos/*.mp4` > `videos/*`.
 * Packed into one number (each count has its own digits) so ranking two rules on the decision
 * path is one subtraction: a pattern has at most 512 segments (1,024 characters), so every count
 * is below 1,024 and glob characters below 2,048; 51 bits in all, exact in a double.
 */
function specificityOf(segments: readonly Segment[]): number {
  let literal = 0, variable = 0, globChars = 0, fixed = 0, globstars = 0;
  for (const s of segments) {
    if (s.kind === 'globstar') globstars++;
    else fixed++;
    if (s.kind === 'literal') literal++;
    else if (s.kind === 'var') variable++;
    else if (s.kind === 'glob') globChars += s.parts.join('').length;
  }
  return (((literal * 1024 + variable) * 2048 + globChars) * 1024 + fixed) * 1024 + (1023 - globstars);
}

/** Negative when `a` is less specific than `b`, 0 when equal. */
export function compareSpecificity(a: number, b: number): number {
  return a - b;
}

export function parsePathPattern(source: string): PatternResult {
  if (source.length === 0) return { ok: false, message: 'pattern is empty' };
  if (source.length > MAX_PATTERN_LENGTH) return { ok: false, message: `pattern longer than ${MAX_PATTERN_LENGTH} characters` };
  if (CONTROL.test(source)) return { ok: false, message: 'pattern contains control characters' };
  const segments: Segment[] = [];
  const seenVars = new Set<string>();
  for (const raw of source.split('/')) {
    const seg = parseSegment(raw);
    if (typeof seg === 'string') return { ok: false, message: seg };
    if (seg.kind === 'var') {
      if (seenVars.has(seg.name)) return { ok: false, message: `variable {${seg.name}} appears more than once` };
      seenVars.add(seg.name);
    }
    segments.push(seg);
  }
  const specificity = specificityOf(segments);
  // A trailing `**` means "one or more segments": rewrite it as `*` followed by `**`.
  if (segments.at(-1)?.kind === 'globstar') segments.splice(segments.length - 1, 0, { kind: 'any' });
  let prefixLength = 0;
  while (segments[prefixLength]?.kind === 'literal') prefixLength++;
  const literalPrefix = segments.slice(0, prefixLength).map((s) => (s.kind === 'literal' ? s.text : ''));
  return { ok: true, pattern: { source, literalPrefix, rest: segments.slice(prefixLength), segments, specificity } };
}
