/**
 * `signpost policy check FILE` and `signpost policy explain`: validate a policy the way startup
 * does, and show how it decides one request (the rules that matched, the constraints, the key),
 * through the gateway's own (method, path, query) -> (action, key) function and the same engine.
 */
import { parseArgs } from 'node:util';
import { loadPolicy } from '../access';
import { ConfigError, loadConfig } from '../config/load';
import { HttpError } from '../http/errors';
import { formatProblem, loadPolicyFile, type Explanation, type PolicyEngine } from '../policy';
import { ANONYMOUS, type Action, type Principal } from '../policy/types';
import { lfsExplainTarget } from '../lfs/explain';
import { lfsMountPath } from '../lfs/paths';
import { rawPathOf } from '../routes/files';
import { mountFinder, requestTarget, type RequestTarget } from '../routes/request-target';

export function policyCheck(args: readonly string[]): number {
  const [file] = args;
  if (!file) throw new UsageError('policy check needs a FILE');
  const loaded = loadPolicyFile(file);
  if (!loaded.ok) {
    for (const p of loaded.problems) console.error(formatProblem(p));
    console.error(`${file}: ${loaded.problems.length} problem(s)`);
    return 1;
  }
  console.log(`${file}: ok (${loaded.policy.ruleCount} rules)`);
  return 0;
}

/** A request as the gateway reads it: a mount's request target, or an LFS request (src/lfs/explain.ts). */
export type ExplainedTarget = Pick<RequestTarget, 'actions' | 'key'> & { readonly endpoint: RequestTarget['endpoint'] | 'lfs' };

/** What `explain` found for one request: the gateway's own reading of it, and each decision. */
export type RequestExplanation =
  | { readonly kind: 'refused'; readonly status: number; readonly message: string }
  | { readonly kind: 'no-decision'; readonly target: ExplainedTarget; readonly why: string }
  | { readonly kind: 'decided'; readonly target: ExplainedTarget; readonly decisions: readonly { readonly action: Action; readonly explanation: Explanation }[] };

/**
 * How the gateway treats `method path` (with its query string) for `principal`: LFS paths first
 * when LFS is on (`lfsPrefix`: its mount's key prefix), as app.ts routes them, through the LFS
 * server's own rights; else the same mount lookup and request-target function as app.ts. Then
 * the engine's explanation of every decision.
 */
export function explainRequest(
  engine: PolicyEngine,
  mounts: readonly { readonly path: string; readonly prefix: string }[],
  method: string,
  path: string,
  principal: Principal,
  lfsPrefix?: string,
): RequestExplanation {
  const q = path.indexOf('?');
  const query = q === -1 ? null : new URLSearchParams(path.slice(q + 1));
  const lfs = lfsPrefix === undefined ? undefined : lfsExplainTarget(method, rawPathOf(path), query ?? new URLSearchParams(), lfsPrefix);
  if (lfs && !lfs.ok) return { kind: 'refused', status: 400, message: lfs.message };
  const target: ExplainedTarget | RequestExplanation = lfs ? { endpoint: 'lfs', actions: [lfs.action], key: lfs.key } : mountTarget(mounts, method, path, query);
  if ('kind' in target) return target;
  if (target.actions.length === 0) {
    const why = target.endpoint === 'options' ? 'OPTIONS answers with the allowed methods' : "a share link's token is the capability; the gateway checks it, not the policy";
    return { kind: 'no-decision', target, why };
  }
  return { kind: 'decided', target, decisions: target.actions.map((action) => ({ action, explanation: engine.explain(principal, action, target.key) })) };
}

function mountTarget(mounts: readonly { readonly path: string; readonly prefix: string }[], method: string, path: string, query: URLSearchParams | null): RequestTarget | RequestExplanation {
  const found = mountFinder(mounts)(rawPathOf(path));
  if (!found) return { kind: 'refused', status: 404, message: `${rawPathOf(path)} is under no mount (${mounts.map((m) => m.path).join(', ')})` };
  try {
    return requestTarget(method, found.rawKeyPath, found.mount.prefix, query);
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    const message = e.statusCode === 405 ? `method ${JSON.stringify(method)} is not served on ${rawPathOf(path)} (${e.message})` : e.message;
    return { kind: 'refused', status: e.statusCode, message };
  }
}

export function policyExplain(args: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { as: { type: 'string' }, groups: { type: 'string' }, claim: { type: 'string', multiple: true }, policy: { type: 'string' } },
  });
  const [method = '', path = ''] = positionals;
  if (!method || !path) throw new UsageError('policy explain needs METHOD PATH, e.g. GET /files/reports/q3.pdf or PUT /lfs/acme/widgets/objects/<oid>');
  if (!values.as) throw new UsageError('policy explain needs --as SUBJECT (or --as anonymous)');

  const config = loadConfig();
  const source = values.policy ?? config.policy;
  if (source === undefined) throw new ConfigError('no policy: pass --policy FILE or set SIGNPOST_POLICY');
  const engine = loadPolicy(source);

  const claims = Object.fromEntries((values.claim ?? []).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
  const principal: Principal =
    values.as === 'anonymous'
      ? ANONYMOUS
      : { kind: 'user', subject: values.as, groups: (values.groups ?? '').split(',').filter(Boolean), claims, via: 'api-key' };
  // Methods are case-sensitive on the wire; on the command line `get` means GET.
  const lfsMount = config.mounts.find((m) => m.path === lfsMountPath(config));
  const result = explainRequest(engine, config.mounts, method.toUpperCase(), path, principal, lfsMount?.prefix);
  if (result.kind === 'refused') {
    console.log(`${result.status}: ${result.message}`);
    return 1;
  }
  if (result.kind === 'no-decision') {
    console.log(`NO DECISION  ${result.target.endpoint} ${JSON.stringify(result.target.key)}: ${result.why}`);
    return 0;
  }
  let allowed = true;
  for (const { action, explanation } of result.decisions) {
    const { decision } = explanation;
    allowed &&= decision.effect === 'allow';
    console.log(`${decision.effect.toUpperCase()}  ${action} ${JSON.stringify(result.target.key)} as ${values.as}  (${result.target.endpoint})`);
    console.log(decision.effect === 'allow' ? `  decided by: ${decision.rule}` : `  reason: ${decision.reason}`);
    for (const m of explanation.matched) {
      const bound = Object.entries(m.bound).map(([k, v]) => `${k}=${v}`).join(' ');
      console.log(`  matched: ${m.ruleId} (${m.effect}) ${m.pattern}${bound ? `  [${bound}]` : ''}`);
    }
    if (explanation.constraints && Object.keys(explanation.constraints).length > 0) console.log(`  constraints: ${JSON.stringify(explanation.constraints)}`);
  }
  return allowed ? 0 : 3;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
