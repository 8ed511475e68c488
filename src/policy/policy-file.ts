/**
 * Reading a policy from text or a file: syntax check (YAML or JSON), schema validation with
 * line numbers, then compilation. Never throws for a bad policy: problems come back as data so
 * the CLI can print all of them at once and the server can refuse to start.
 *
 * A JSON policy is read with JSON.parse alone; the yaml parser (JSON is YAML 1.2) reads it a
 * second time only when it fails validation, to put line numbers on the problems. So a valid
 * JSON policy - what the Lambda gets - never calls yaml, and the Lambda bundle replaces yaml with
 * a stand-in that throws (src/lambda/shims/yaml.ts): there a YAML policy is refused as a syntax
 * problem saying so, and a JSON policy's problems come without line numbers.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { buildPolicyEngine, type PolicyEngine } from './policy-engine';
import { validatePolicyDocument, type PolicyDocument } from './policy-schema';
import { problemsFromIssues, type Locate, type PolicyProblem } from './policy-problems';

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

interface YamlSyntaxError {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

type ReadYaml = { readonly doc: Document; readonly lines: LineCounter; readonly errors: readonly YamlSyntaxError[] } | { readonly unavailable: string };

/** Parses YAML keeping node positions; `unavailable` when yaml is not there (the Lambda bundle's stand-in throws). */
function readYaml(text: string): ReadYaml {
  let lines: LineCounter;
  let doc: Document;
  try {
    lines = new LineCounter();
    // uniqueKeys (default) turns a duplicated field, e.g. two `effect:` lines, into an error.
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
  const errors = doc.errors.map((e) => {
    const at = lines.linePos(e.pos[0]);
    return { message: e.message.split('\n')[0] ?? e.message, line: at.line, column: at.col };
  });
  return { doc, lines, errors };
}

/** Locates document paths in a parsed YAML (or JSON) document. */
function locator(doc: Document, lines: LineCounter): Locate {
  const pos = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  return (path, keyName) => {
    if (keyName !== undefined) {
      // An unknown key: point at the key itself rather than at its parent map.
      const parent = doc.getIn(path, true);
      const pair = isMap(parent) ? parent.items.find((it) => isScalar(it.key) && it.key.value === keyName) : undefined;
      const range = isScalar(pair?.key) ? pair.key.range : undefined;
      if (range) return pos(range[0]);
    }
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return pos(range[0]);
    }
    return {};
  };
}

type Syntax = { readonly value: unknown; readonly locate?: Locate } | { readonly problems: PolicyProblem[] };

function readSyntax(text: string, format: PolicyFormat, source: string): Syntax {
  if (format === 'json') {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (e) {
      return { problems: [{ source, field: '(syntax)', message: `not valid JSON: ${(e as Error).message}` }] };
    }
  }
  const read = readYaml(text);
  if ('unavailable' in read) return { problems: [{ source, field: '(syntax)', message: read.unavailable }] };
  if (read.errors.length > 0) return { problems: read.errors.map((e) => ({ source, field: '(syntax)', ...e })) };
  try {
    return { value: read.doc.toJS({ maxAliasCount: 100 }), locate: locator(read.doc, read.lines) };
  } catch (e) {
    return { problems: [{ source, field: '(syntax)', message: (e as Error).message }] };
  }
}

/** Line numbers for a JSON policy's problems, best effort: JSON is YAML 1.2, so yaml can place its nodes. */
function locateJson(text: string): Locate | undefined {
  const read = readYaml(text);
  return 'unavailable' in read || read.errors.length > 0 ? undefined : locator(read.doc, read.lines);
}

/** Parses, validates and compiles a policy; returns every problem found instead of throwing. */
export function parsePolicy(text: string, options: ParsePolicyOptions = {}): PolicyParseResult {
  const source = options.sourceName ?? 'policy';
  const format = options.format ?? formatFromName(source);
  const syntax = readSyntax(text, format, source);
  if ('problems' in syntax) return { ok: false, problems: syntax.problems };
  const parsed = validatePolicyDocument(syntax.value);
  if (!parsed.success) {
    const locate = syntax.locate ?? (format === 'json' ? locateJson(text) : undefined);
    return { ok: false, problems: problemsFromIssues(parsed.error.issues, syntax.value, source, locate) };
  }
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
