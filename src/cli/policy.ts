/**
 * `signpost policy check FILE` and `signpost policy explain`: validate a policy the way startup
 * does, and show how it decides one request (the rules that matched, the constraints, the key),
 * using the same path->key function and the same engine as the gateway.
 */
import { parseArgs } from 'node:util';
import { loadPolicy } from '../access';
import { ConfigError, loadConfig } from '../config/load';
import { keyFromPath } from '../keys/object-key';
import { lfsExplainTarget } from '../lfs/explain';
import { lfsMountPath } from '../lfs/paths';
import { formatProblem, loadPolicyFile } from '../policy';
import { Actions, ANONYMOUS, type Action, type Principal } from '../policy/types';

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

const METHOD_ACTIONS: Readonly<Record<string, Action>> = { GET: Actions.read, HEAD: Actions.read, PUT: Actions.write, DELETE: Actions.delete, LIST: Actions.list, SHARE: Actions.share };

export function policyExplain(args: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { as: { type: 'string' }, groups: { type: 'string' }, claim: { type: 'string', multiple: true }, policy: { type: 'string' } },
  });
  const [method = '', path = ''] = positionals;
  const config = loadConfig();
  const rawPath = path.split('?', 1)[0]!;
  // LFS requests (src/lfs/explain.ts) name their own action and key; everything else is a mount path.
  const lfsMount = config.mounts.find((m) => m.path === lfsMountPath(config));
  const lfs = lfsMount && lfsExplainTarget(method, rawPath, new URLSearchParams(path.slice(rawPath.length + 1)), lfsMount.prefix);
  if (lfs && !lfs.ok) {
    console.log(`400: ${lfs.message}`);
    return 1;
  }
  const action = lfs ? lfs.action : METHOD_ACTIONS[method.toUpperCase()];
  if (!action || !path) throw new UsageError('policy explain needs METHOD PATH, e.g. GET /files/reports/q3.pdf or PUT /lfs/acme/widgets/objects/<oid>');
  if (!values.as) throw new UsageError('policy explain needs --as SUBJECT (or --as anonymous)');

  const source = values.policy ?? config.policy;
  if (source === undefined) throw new ConfigError('no policy: pass --policy FILE or set SIGNPOST_POLICY');
  const engine = loadPolicy(source);

  let parsed: { key: string } | undefined = lfs;
  if (!parsed) {
    const mount = [...config.mounts].sort((a, b) => b.path.length - a.path.length).find((m) => rawPath.startsWith(`${m.path}/`));
    if (!mount) throw new UsageError(`${rawPath} is under no mount (${config.mounts.map((m) => m.path).join(', ')})`);
    const fromPath = keyFromPath(rawPath.slice(mount.path.length + 1), mount.prefix);
    if (!fromPath.ok) {
      console.log(`400: ${fromPath.reason}`);
      return 1;
    }
    parsed = fromPath;
  }

  const claims = Object.fromEntries((values.claim ?? []).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
  const principal: Principal =
    values.as === 'anonymous'
      ? ANONYMOUS
      : { kind: 'user', subject: values.as, groups: (values.groups ?? '').split(',').filter(Boolean), claims, via: 'api-key' };
  const explanation = engine.explain(principal, action, parsed.key);
  const { decision } = explanation;
  console.log(`${decision.effect.toUpperCase()}  ${action} ${JSON.stringify(parsed.key)} as ${values.as}`);
  console.log(decision.effect === 'allow' ? `  decided by: ${decision.rule}` : `  reason: ${decision.reason}`);
  for (const m of explanation.matched) {
    const bound = Object.entries(m.bound).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`  matched: ${m.ruleId} (${m.effect}) ${m.pattern}${bound ? `  [${bound}]` : ''}`);
  }
  if (explanation.constraints && Object.keys(explanation.constraints).length > 0) console.log(`  constraints: ${JSON.stringify(explanation.constraints)}`);
  return decision.effect === 'allow' ? 0 : 3;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
