/**
 * Lambda bundle stand-in for qs (aliased in infra/lambda-bundle.ts): nothing to parse with.
 *
 * Why: express and body-parser require qs at load (~55 kB with object-inspect, side-channel and
 * get-intrinsic, compiled and evaluated on every cold start), but call it only for "extended"
 * query strings (express 5 defaults to node:querystring) and for urlencoded bodies, and the
 * gateway uses neither: it parses query strings itself with URLSearchParams and mounts no
 * urlencoded body parser. Contract: qs's `parse` and `stringify`; both throw, so a future use
 * fails loudly (a 500 naming this shim) instead of mis-parsing.
 */

const UNAVAILABLE = 'qs is not available in the Lambda bundle (src/lambda/shims/qs.ts): the gateway parses query strings with URLSearchParams';

export function parse(_text: string, _options?: object): never {
  throw new Error(UNAVAILABLE);
}

export function stringify(_value: unknown, _options?: object): never {
  throw new Error(UNAVAILABLE);
}
