/**
 * A rule's matching options, for deny lists that must also catch the spellings other systems
 * treat as the same name:
 * - `ignoreCase`: literal text and globs compare after case folding (`x.EXE` is `x.exe`).
 * - `ignoreTrailingDotsAndSpaces`: each key segment is compared without its trailing dots and
 *   spaces (`x.exe.` and `x.exe ` are `x.exe`, as Windows opens them; a segment of dots and
 *   spaces alone becomes empty, which only `*` and `**` match).
 * The rule's pattern then matches the key normalized this way; the pattern's own text is folded
 * the same way once, at load. Variables always compare exactly with the raw key segment: who the
 * caller is never gets folded. Each combination of options is a "view" with its own rule index
 * (rule-index.ts), so folding costs nothing for policies that do not use it.
 *
 * Case folding is toUpperCase then toLowerCase (locale-independent), with final sigma folded to
 * sigma: a mapping per code point, so folding a glob's pieces and folding a key agree
 * (fold(a + b) = fold(a) + fold(b)). It catches `ſ` as `s`, `K` (Kelvin) as `k` and `ß` as `ss`.
 */
import type { PathPattern, Segment } from './path-pattern';

export interface MatchOptions {
  readonly ignoreCase: boolean;
  readonly ignoreTrailingDotsAndSpaces: boolean;
}

/** The four views, in a fixed order; a rule's view is `viewOf(options)`. */
export const VIEW_COUNT = 4;
export const viewOf = (o: MatchOptions): number => (o.ignoreCase ? 1 : 0) | (o.ignoreTrailingDotsAndSpaces ? 2 : 0);

// eslint-disable-next-line no-control-regex -- "only ASCII" includes the control characters
const ASCII = /^[\u0000-\u007f]*$/;

export function foldCase(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase(); // the same result for ASCII, at half the cost (measured)
  const f = s.toUpperCase().toLowerCase();
  return f.includes('\u03c2') ? f.replaceAll('\u03c2', '\u03c3') : f;
}

const DOT = 0x2e, SPACE = 0x20;

export function trimTrailingDotsAndSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === DOT || s.charCodeAt(end - 1) === SPACE)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** A key's segments as a view sees them (the same array for the exact view). Runs per decision. */
export function keyForView(segs: readonly string[], view: number): readonly string[] {
  if (view === 0) return segs;
  const fold = (view & 1) !== 0, trim = (view & 2) !== 0;
  const out = new Array<string>(segs.length);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] as string;
    const t = trim ? trimTrailingDotsAndSpaces(s) : s;
    out[i] = fold ? foldCase(t) : t;
  }
  return out;
}

/**
 * Why `pattern` can never match under `o`, or undefined. With trailing dots and spaces ignored,
 * a literal ending in one, or a glob whose last piece does, would have to match a key segment
 * that still ends in one after trimming.
 */
export function patternProblem(segments: readonly string[], o: MatchOptions): string | undefined {
  if (!o.ignoreTrailingDotsAndSpaces) return undefined;
  const bad = segments.find((s) => s !== '**' && !s.startsWith('{') && /[. ]$/.test(s));
  return bad === undefined ? undefined : `"${bad}" ends in "." or " ", which ignoreTrailingDotsAndSpaces removes from every key segment: it can never match`;
}

function foldSegment(s: Segment): Segment {
  if (s.kind === 'literal') return { kind: 'literal', text: foldCase(s.text) };
  if (s.kind === 'glob') return { kind: 'glob', parts: s.parts.map(foldCase) };
  return s;
}

/** The pattern with its literal text folded, when the options fold case (source and specificity unchanged). */
export function patternForOptions(p: PathPattern, o: MatchOptions): PathPattern {
  if (!o.ignoreCase) return p;
  return { ...p, literalPrefix: p.literalPrefix.map(foldCase), rest: p.rest.map(foldSegment), segments: p.segments.map(foldSegment) };
}
