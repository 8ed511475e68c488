/**
 * What the OpenAPI document says clients send, read from the document itself, so the gateway's
 * CORS answer (http/cors.ts) allows exactly the documented API and a header added to the
 * document is allowed without a second list to keep: the methods of its operations, and the
 * request headers — header parameters, Content-Type where an operation takes a body,
 * Authorization for its http security schemes, Accept where an answer comes in more than one
 * media type. Names are lowercase, sorted, each once.
 */

interface Operation {
  readonly parameters?: readonly { readonly name: string; readonly in: string }[];
  readonly requestBody?: unknown;
  readonly responses?: Readonly<Record<string, { readonly content?: Readonly<Record<string, unknown>> }>>;
}
interface Document {
  readonly paths: Readonly<Record<string, unknown>>;
  readonly components?: { readonly securitySchemes?: Readonly<Record<string, { readonly type: string; readonly in?: string; readonly name?: string }>> };
}

const HTTP_METHODS = ['get', 'head', 'put', 'delete', 'options', 'post', 'patch'] as const;

export interface DocumentedRequests {
  /** Uppercase, in HTTP_METHODS order. */
  readonly methods: readonly string[];
  readonly requestHeaders: readonly string[];
}

export function documentedRequests(doc: Document): DocumentedRequests {
  const methods = new Set<string>();
  const headers = new Set<string>();
  for (const item of Object.values(doc.paths) as Readonly<Record<string, unknown>>[]) {
    const shared = (item.parameters ?? []) as Operation['parameters'] & object;
    for (const method of HTTP_METHODS) {
      const op = item[method] as Operation | undefined;
      if (op === undefined) continue;
      methods.add(method.toUpperCase());
      for (const p of [...shared, ...(op.parameters ?? [])]) if (p.in === 'header') headers.add(p.name.toLowerCase());
      if (op.requestBody !== undefined) headers.add('content-type');
      if (Object.values(op.responses ?? {}).some((r) => Object.keys(r.content ?? {}).length > 1)) headers.add('accept');
    }
  }
  for (const scheme of Object.values(doc.components?.securitySchemes ?? {})) {
    if (scheme.type === 'http') headers.add('authorization');
    else if (scheme.type === 'apiKey' && scheme.in === 'header' && scheme.name !== undefined) headers.add(scheme.name.toLowerCase());
  }
  return { methods: HTTP_METHODS.map((m) => m.toUpperCase()).filter((m) => methods.has(m)), requestHeaders: [...headers].sort() };
}
