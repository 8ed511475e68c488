import { contentTypeAllowed, mediaTypeOf, parseByteSize } from '../../src/policy';
import { normalizeContentTypePattern } from '../../src/policy/content-types';

describe('parseByteSize', () => {
  it.each([
    [0, 0],
    [1234, 1234],
    ['512', 512],
    ['10MB', 10_000_000],
    ['10 mb', 10_000_000],
    ['1kB', 1000],
    ['1KiB', 1024],
    ['1.5KiB', 1536],
    ['1GiB', 1024 ** 3],
    ['2TB', 2e12],
    ['7B', 7],
    [' 3 KB ', 3000],
    ['1tib', 1024 ** 4],
    ['2MiB', 2 * 1024 ** 2],
    ['1GB', 1e9],
    ['0.5KiB', 512],
    ['1.25KB', 1250],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('%p -> %p bytes', (input, bytes) => {
    expect(parseByteSize(input)).toEqual({ ok: true, bytes });
  });

  it.each([[-1], [1.5], ['10 parsecs'], ['MB'], ['-3MB'], ['0.5B'], ['1e3'], ['10constructor'], [''], [null], [true], [Number.MAX_SAFE_INTEGER + 2], ['10MB!'], ['10MB 5']])('rejects %p', (input) => {
    expect(parseByteSize(input).ok).toBe(false);
  });

  it.each([
    [-1, 'must be a non-negative whole number of bytes'],
    [true, 'must be a number of bytes or a string like "10MB"'],
    ['10 parsecs', '"10 parsecs" is not a size; use bytes or a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB'],
    ['1.0005KB', '"1.0005KB" is not a whole number of bytes'],
  ])('says what is wrong with %p', (input, message) => {
    expect(parseByteSize(input)).toEqual({ ok: false, message });
  });
});

describe('content types', () => {
  it.each([
    ['image/png', 'image/png'],
    ['Image/PNG', 'image/png'],
    ['image/*', 'image/*'],
    ['*/*', '*/*'],
    ['application/vnd.api+json', 'application/vnd.api+json'],
    [' image/png ', 'image/png'],
  ])('pattern %p normalizes to %p', (p, n) => {
    expect(normalizeContentTypePattern(p)).toBe(n);
  });

  it.each([['*/*/*'], ['image/pn g'], ['im{age/png'], ['*/'], ['/png'], ['image/'], ['image'], ['*/png'], ['image/pn*'], ['ima*e/png'], ['image/png/x'], [''], ['image/ png']])('pattern %p is invalid', (p) => {
    expect(normalizeContentTypePattern(p)).toBeNull();
  });

  it.each([
    [['image/*'], 'image/png', true],
    [['image/*'], 'IMAGE/PNG; charset=x', true],
    [['image/*'], 'text/plain', false],
    [['image/png'], 'image/pngx', false],
    [['text/plain'], 'text/plain;charset=utf-8', true],
    [['*/*'], 'anything/at-all', true],
    [['text/*', 'image/png'], 'image/png', true],
    [['image/png', 'text/*'], 'text/csv', true],
    [['text/*'], 'texts/plain', false],
    [['image/*'], 'imag/png', false],
    [['image/png'], 'image/png', true],
    [[], 'image/png', false],
    [['*/*'], undefined, false],
    [['image/*'], 'garbage', false],
    [['image/*'], 'image/png; x=1, text/html', false], // a list: the bypass of issue 15.1
    [['image/*'], 'image/png, text/html', false],
    [['image/*'], 'image/png; x', false],
    [undefined, undefined, true],
    [undefined, 'text/plain', true],
  ])('%p accepts %p: %p', (patterns, ct, expected) => {
    expect(contentTypeAllowed(patterns, ct)).toBe(expected);
  });

  it('mediaTypeOf strips parameters and lowercases; anything but one well-formed media type is null', () => {
    expect(mediaTypeOf('Text/HTML ; charset=UTF-8')).toBe('text/html');
    expect(mediaTypeOf(' text/html')).toBeNull();
    expect(mediaTypeOf('image/png; x=1, text/html')).toBeNull();
    expect(mediaTypeOf(undefined)).toBeNull();
  });
});
