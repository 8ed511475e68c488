/**
 * Reading a policy from text or a file: syntax check (YAML or JSON), schema validation with
 * line numbers, then compilation. Never throws for a bad policy: problems come back as data so
 * the CLI can print all of them at once and the server can refuse to start.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { buildPolicyEngine, type PolicyEngine } from './policy-engine';
import { policyDocumentSchema, type PolicyDocument } from './policy-schema';
import { problemsFromIssues, type PolicyProblem, type SourceMap } from './policy-problems';

export type PolicyFormat = 'yaml' | 'json';

export interface ParsePolicyOptions {
  /** Defaults to the source name's extension (`.json` -> json), else yaml. */
  readonly format?: PolicyFormat;
  /** Used in problems, e.g. the file path. Defaults to `policy`. */
  readonly sourceName?: string;
}

export type PolicyParseResult =
  | { readonly ok: true; readonly policy: PolicyEngine; readonly document: PolicyDocument }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

export function formatFromName(name: string): PolicyFormat {
  return extname(name).toLowerCase() === '.json' ? 'json' : 'yaml';
}

function readYaml(text: string): { map: SourceMap; errors: { message: string; line?: number; column?: number }[] } {
  const lines = new LineCounter();
  // uniqueKeys (default) turns a duplicated field, e.g. two `effect:` lines, into an error.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const errors = doc.errors.map((e) => {
    const at = lines.linePos(e.pos[0]);
    return { message: e.message.split('\n')[0] ?? e.message, line: at.line, column: at.col };
  });
  return { map: { doc, lines }, errors };
}

function syntaxProblems(text: string, format: PolicyFormat, source: string): { value?: unknown; map?: SourceMap; problems: PolicyProblem[] } {
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { problems: [{ source, field: '(syntax)', message: `not valid JSON: ${(e as Error).message}` }] };
    }
    // JSON is YAML 1.2, so the YAML parser can locate nodes for line numbers (best effort).
    const located = readYaml(text);
    return { value, ...(located.errors.length === 0 && { map: located.map }), problems: [] };
  }
  const { map, errors } = readYaml(text);
  if (errors.length > 0) return { problems: errors.map((e) => ({ source, field: '(syntax)', ...e })) };
  try {
    return { value: map.doc.toJS({ maxAliasCount: 100 }), map, problems: [] };
  } catch (e) {
    return { problems: [{ source, field: '(syntax)', message: (e as Error).message }] };
  }
}

/** Parses, validates and compiles a policy; returns every problem found instead of throwing. */
export function parsePolicy(text: string, options: ParsePolicyOptions = {}): PolicyParseResult {
  const source = options.sourceName ?? 'policy';
  const format = options.format ?? formatFromName(source);
  const { value, map, problems } = syntaxProblems(text, format, source);
  if (problems.length > 0) return { ok: false, problems };
  const parsed = policyDocumentSchema.safeParse(value);
  if (!parsed.success) return { ok: false, problems: problemsFromIssues(parsed.error.issues, value, source, map) };
  return { ok: true, policy: buildPolicyEngine(parsed.data), document: parsed.data };
}

/** Reads and parses a policy file (synchronously: it happens once, at startup or in the CLI). */
export function loadPolicyFile(path: string, options: Omit<ParsePolicyOptions, 'sourceName'> = {}): PolicyParseResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, problems: [{ source: path, field: '(file)', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  return parsePolicy(text, { ...options, sourceName: path });
}
