/**
 * Lambda bundle stand-in for yaml (aliased in infra/lambda-bundle.ts): no YAML on Lambda.
 *
 * Why: yaml is ~115 kB of the bundle, compiled on every cold start, and the deployed function
 * never reads YAML: the CDK stack validates the policy and config files at synth and packages
 * them as JSON (policy.json, signpost.json), and the policy loader parses JSON policies with
 * JSON.parse (it asks yaml only to put line numbers on the problems of an invalid policy).
 *
 * Contract: the exports the Lambda's import graph names (config/load.ts, policy/policy-file.ts;
 * esbuild fails the build if one is missing). Anything that would parse YAML throws
 * YAML_UNAVAILABLE, so a YAML policy or config file on Lambda fails init with that message (in
 * the ConfigError that names the file) instead of being mis-read; nothing here ever returns a
 * parsed value. policy-file.ts catches it when it only wanted line numbers for a JSON policy.
 */

export const YAML_UNAVAILABLE =
  'YAML is not available in the Lambda bundle: use a JSON file (the CDK stack converts policyFile and authFile to JSON at synth)';

function unavailable(): never {
  throw new Error(YAML_UNAVAILABLE);
}

export function parse(_text: string): never {
  return unavailable();
}

export function parseDocument(_text: string): never {
  return unavailable();
}

/** Constructed before parseDocument is called; holds nothing, as nothing is ever parsed. */
export class LineCounter {
  linePos(_offset: number): never {
    return unavailable();
  }
}

/** No yaml node exists on Lambda, so nothing is one. */
export function isMap(_node: unknown): false {
  return false;
}

export function isScalar(_node: unknown): false {
  return false;
}
