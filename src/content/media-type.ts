/**
 * One Content-Type value, parsed by the RFC 9110 §8.3.1 media-type grammar and nothing looser:
 *
 *   media-type = type "/" subtype *( OWS ";" OWS [ parameter ] )
 *   parameter  = token "=" ( token / quoted-string )
 *
 * Contract: a value is accepted only when the whole of it is one media type. Stricter than the
 * RFC where leniency is what attacks use: no comma anywhere (not even in a quoted string: a
 * browser that splits the stored value as a list would render its last member, which is how
 * `image/png; x=1, text/html` became HTML), no `*` in type or subtype (a pattern, not a type),
 * no surrounding whitespace, no octets outside visible ASCII, no parameter named twice, at most
 * 1024 characters. The accepted value is returned unchanged: it is what gets checked against a
 * policy (through `essence`) and, byte for byte, what gets signed and stored. Pure.
 */

export interface MediaType {
  /** The value exactly as given: what is signed and stored. */
  readonly value: string;
  /** `type/subtype`, lowercased (media types are case-insensitive): what policies match. */
  readonly essence: string;
}

export type MediaTypeResult = { readonly ok: true; readonly mediaType: MediaType } | { readonly ok: false; readonly reason: string };

export const MAX_MEDIA_TYPE_LENGTH = 1024;

// RFC 9110 tchar; type and subtype leave out `*`, which only patterns use.
const TYPE_CHARS = "[!#$%&'+.^_`|~0-9A-Za-z-]+";
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
// qdtext and quoted-pair without obs-text and without ",".
const QUOTED = '"(?:[\\t !#-+\\--\\[\\]-~]|\\\\[\\t !-+\\--~])*"';
const ESSENCE = new RegExp(`^(${TYPE_CHARS})/(${TYPE_CHARS})`);
const PARAMETER = new RegExp(`[ \\t]*;[ \\t]*(?:(${TOKEN})=(?:${TOKEN}|${QUOTED}))?`, 'y');

const fail = (reason: string): MediaTypeResult => ({ ok: false, reason });

export function parseMediaType(value: string): MediaTypeResult {
  if (value === '') return fail('it is empty');
  if (value.length > MAX_MEDIA_TYPE_LENGTH) return fail(`it is longer than ${MAX_MEDIA_TYPE_LENGTH} characters`);
  if (value.includes(',')) return fail('it must be one media type: a comma (a list of types) is not allowed');
  const head = ESSENCE.exec(value);
  if (head === null) return fail('it must start with type/subtype, e.g. "image/png" (no wildcards, no surrounding spaces)');
  const seen = new Set<string>();
  for (let at = head[0].length; at < value.length; at = PARAMETER.lastIndex) {
    PARAMETER.lastIndex = at;
    const param = PARAMETER.exec(value);
    if (param === null) return fail(`its parameters must be ";name=value" with a token or a "quoted string" as the value (at character ${at + 1})`);
    const name = param[1]?.toLowerCase();
    if (name === undefined) continue; // an empty parameter: `type/subtype;` is allowed by the grammar
    if (seen.has(name)) return fail(`the parameter "${name}" appears twice`);
    seen.add(name);
  }
  return { ok: true, mediaType: { value, essence: `${head[1]}/${head[2]}`.toLowerCase() } };
}
