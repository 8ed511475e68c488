/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time and by
 * inclusive time, with file:line, so a profile can be read without DevTools.
 *   npx tsx bench/profile-summary.ts bench/profiles/<file>.cpuprofile [--top 25]
 * Samples taken inside the bench harness (bench/servers/harness.ts: the inspector call that stops
 * the profiler serialises the whole profile while the sampler still runs, up to 15 % of samples)
 * are left out of every figure, including the total.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export function summarise(file: string, top = 25): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inHarness = (id: number): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) if (byId.get(cur)!.callFrame.url.includes('bench/servers/harness')) return true;
    return false;
  };
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => {
    if (!inHarness(id)) selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const name = (n: Node): string => {
    const url = n.callFrame.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/').replace(/^file:\/\//, '');
    return `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  };
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    self.set(name(n), (self.get(name(n)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = name(byId.get(cur)!);
      if (!seen.has(k)) incl.set(k, (incl.get(k) ?? 0) + us);
      seen.add(k);
    }
  }
  // Self time by owner: what is ours, the framework's, the logger's, Node's.
  const owner = (k: string): string =>
    k.includes(' src/') ? 'Signpost (src/)'
    : /node_modules\/(pino|sonic-boom|@pinojs|fast-redact|quick-format|atomic-sleep|thread-stream)/.test(k) ? 'logging (pino)'
    : /node_modules\/(express|router|parseurl|finalhandler|send|accepts|negotiator|on-finished|encodeurl|escape-html|statuses|path-to-regexp|depd|content-type|vary|type-is|mime|debug|merge-descriptors)/.test(k) ? 'express + router'
    : k.includes('node_modules/') ? 'other node_modules'
    : k.startsWith('(garbage collector)') ? 'GC'
    : k.startsWith('(idle)') || k.startsWith('(program)') ? 'idle / program'
    : k.includes(' bench/') ? 'bench harness'
    : 'Node core (http, net, streams, crypto, natives)';
  const owners = new Map<string, number>();
  for (const [k, us] of self) owners.set(owner(k), (owners.get(owner(k)) ?? 0) + us);
  // On whose behalf: Node-core and native time (crypto, promise jobs) charged to the innermost
  // Signpost / logging / framework frame that called it, except what runs under node:_http_outgoing
  // (setHeader, writeHead, end: header checks and serialisation, the socket write), which is
  // Node writing the response; "Node's own" is what no such frame asked for (the HTTP parser,
  // event dispatch, timers around the handler).
  const NODE = 'Node core (http, net, streams, crypto, natives)';
  const WRITE = 'Node writing the response (node:_http_outgoing: headers, socket write)';
  const behalf = new Map<string, number>();
  for (const [id, us] of selfUs) {
    let who = owner(name(byId.get(id)!));
    for (let cur: number | undefined = id; who === NODE && cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      const o = owner(name(n));
      if (n.callFrame.url === 'node:_http_outgoing') who = WRITE;
      else if (o !== NODE && o !== 'idle / program') who = o;
    }
    if (who === NODE) who = "Node's own (no Signpost or library frame on the stack)";
    behalf.set(who, (behalf.get(who) ?? 0) + us);
  }
  const fmtTop = (m: Map<string, number>): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `total sampled ${(total / 1e6).toFixed(2)} s\n\nself time by owner:\n${fmtTop(owners)}\n\non whose behalf (Node core time charged to its caller):\n${fmtTop(behalf)}\n\nself time:\n${fmtTop(self)}\n\ninclusive time:\n${fmtTop(incl)}`;
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
  const i = process.argv.indexOf('--top');
  console.log(summarise(file, i > 0 ? Number(process.argv[i + 1]) : 25));
}
