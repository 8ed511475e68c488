/**
 * XML output. S3 responses are small and flat, so they are built as strings with one escaping
 * function instead of a serializer. Characters XML 1.0 cannot carry (most C0 controls) are
 * written as numeric references, as S3 does; clients that need them exactly use encoding-type=url.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => ENTITIES[c] ?? `&#x${c.charCodeAt(0).toString(16)};`);
}

export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** `<name>escaped value</name>`; undefined values are left out, which is how S3 omits fields. */
export function el(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The S3 error document, without the XML declaration (sendXml adds it). */
export function errorXml(code: string, message: string, resource: string, requestId: string, extra: Readonly<Record<string, string>>): string {
  let extras = '';
  for (const [k, v] of Object.entries(extra)) extras += el(k, v);
  return `<Error>${el('Code', code)}${el('Message', message)}${extras}${el('Resource', resource)}${el('RequestId', requestId)}</Error>`;
}
