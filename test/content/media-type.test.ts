/**
 * The RFC 9110 media-type grammar as the gateway applies it to every content type it signs
 * (PUT Content-Type, tickets, multipart create): one value, well-formed parameters, no comma.
 */
import { MAX_MEDIA_TYPE_LENGTH, parseMediaType } from '../../src/content/media-type';

describe('parseMediaType', () => {
  it.each([
    ['image/png', 'image/png'],
    ['IMAGE/PNG', 'image/png'],
    ['text/plain;charset=utf-8', 'text/plain'],
    ['text/plain; charset=utf-8', 'text/plain'],
    ['text/plain ; charset=utf-8', 'text/plain'],
    ['text/plain;\tcharset=utf-8', 'text/plain'],
    ['text/plain; charset="utf-8"', 'text/plain'],
    ['text/plain; x="a \\"quoted\\" b; c"', 'text/plain'],
    ['text/plain; x=""', 'text/plain'],
    ['text/plain;', 'text/plain'], // [ parameter ] may be empty
    ['text/plain;;charset=utf-8', 'text/plain'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ["application/x-y+z!#$%&'^_`|~", "application/x-y+z!#$%&'^_`|~"],
    ['multipart/form-data; boundary=----x', 'multipart/form-data'],
    ['message/x; filename*=utf-8', 'message/x'], // `*` is a tchar in parameter names and values
  ])('accepts %j (essence %s), value unchanged', (value, essence) => {
    expect(parseMediaType(value)).toEqual({ ok: true, mediaType: { value, essence } });
  });

  it.each([
    ['image/png; x=1, text/html', /comma/], // the bypass: a list whose last member is HTML
    ['image/png, text/html', /comma/],
    ['image/png; x="1, text/html"', /comma/], // not even quoted
    ['', /empty/],
    ['image', /type\/subtype/],
    ['image/', /type\/subtype/],
    ['/png', /type\/subtype/],
    ['image/png/x', /parameters/],
    ['*/*', /type\/subtype/],
    ['image/*', /type\/subtype/],
    [' image/png', /type\/subtype/],
    ['image/png ', /parameters/],
    ['image /png', /type\/subtype/],
    ['image/png; charset', /parameters/],
    ['image/png; charset=', /parameters/],
    ['image/png; =utf-8', /parameters/],
    ['image/png; a=b c', /parameters/],
    ['image/png; a="unterminated', /parameters/],
    ['image/png; a="x\\', /parameters/],
    ['image/png; a=b; A=c', /twice/],
    ['image/png charset=x', /parameters/],
    ['image/png;a=b;c', /parameters/],
    ['text/html\u0000', /parameters/],
    ['text/plain; x=caf\u00e9', /parameters/],
    ['text/plain; x="caf\u00e9"', /parameters/],
    ['te\u00efxt/plain', /type\/subtype/],
    ['text/plain\r\nX-Evil: 1', /parameters/],
    [`text/plain; x=${'a'.repeat(MAX_MEDIA_TYPE_LENGTH)}`, /longer than/],
  ])('refuses %j', (value, reason) => {
    const r = parseMediaType(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});
