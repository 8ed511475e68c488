/**
 * How decision time scales with rule count. Run: `npx tsx bench/policy-scaling.ts`.
 * Rule sets are realistic: a handful of shared rules (public area, own home, team folders,
 * a deny on executables, an admin grant) plus per-project / per-department rules with distinct
 * literal prefixes. Prints a markdown table of median ns per decision and the 10k/10 ratio.
 */
import { compilePolicy } from '../src/policy';
import type { Action, PolicyDocumentInput, Principal } from '../src/policy';

type Rules = PolicyDocumentInput['rules'];

const SIZES = [10, 100, 1000, 10_000];
const BATCH = 20_000;
const BATCHES = 25;

function rules(n: number): Rules {
  const base: Rules = [
    { id: 'public-read', paths: ['public/**'], actions: ['read', 'list'], principals: ['*'], effect: 'allow' },
    { id: 'own-home', paths: ['home/{sub}/**'], actions: ['*'], principals: ['authenticated'], effect: 'allow', maxSize: '100MB' },
    { id: 'teams', paths: ['teams/{group}/**'], actions: ['read', 'write', 'list'], principals: ['authenticated'], effect: 'allow' },
    { id: 'no-exe', paths: ['**/*.exe'], actions: ['write'], principals: ['*'], effect: 'deny' },
    { id: 'admins', paths: ['**'], actions: ['*'], principals: ['group:admin'], effect: 'allow' },
    { id: 'finance', paths: ['finance/**'], actions: ['read'], principals: ['claim:dept=finance'], effect: 'allow', ttl: 60 },
  ];
  const out: Rules = base.slice(0, Math.min(n, base.length));
  for (let i = 0; out.length < n; i++) {
    out.push(
      i % 2 === 0
        ? { id: `proj-${i}`, paths: [`projects/p${i}/**`], actions: ['read', 'write'], principals: [`user:u${i % 500}`], effect: 'allow', maxSize: '1GiB' }
        : { id: `dept-${i}`, paths: [`depts/d${i}/reports/*.pdf`, `depts/d${i}/shared/**`], actions: ['read'], principals: [`group:g${i % 50}`], effect: 'allow' },
    );
  }
  return out;
}

function workload(n: number): { p: Principal; a: Action; k: string }[] {
  const out: { p: Principal; a: Action; k: string }[] = [];
  for (let i = 0; i < 1000; i++) {
    const j = (i * 7919) % Math.max(n, 10);
    const p: Principal = { kind: 'user', subject: `u${j % 500}`, groups: [`g${j % 50}`, 'eng'], claims: { dept: 'rnd' }, via: 'jwt' };
    const keys = [`projects/p${j}/docs/spec-${i}.txt`, `home/u${j % 500}/photos/${i}.jpg`, `depts/d${j}/reports/q${i}.pdf`, `public/assets/${i}.css`, `teams/eng/x/${i}.exe`];
    out.push({ p, a: i % 3 === 0 ? 'write' : 'read', k: keys[i % keys.length] as string });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const results: { n: number; ns: number; allowed: number }[] = [];
for (const n of SIZES) {
  const engine = compilePolicy({ version: 1, rules: rules(n) });
  const work = workload(n);
  let allowed = 0;
  const samples: number[] = [];
  for (let b = 0; b < BATCHES + 5; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) {
      const w = work[i % work.length]!;
      if (engine.decide(w.p, w.a, w.k).effect === 'allow') allowed++;
    }
    const ns = Number(process.hrtime.bigint() - t0) / BATCH;
    if (b >= 5) samples.push(ns); // the first batches warm up the JIT
  }
  results.push({ n, ns: median(samples), allowed: allowed / ((BATCHES + 5) * BATCH) });
}

console.log('| rules | median ns / decision | allow rate |');
console.log('|------:|---------------------:|-----------:|');
for (const r of results) console.log(`| ${r.n} | ${r.ns.toFixed(0)} | ${(r.allowed * 100).toFixed(0)}% |`);
const first = results[0]!, last = results[results.length - 1]!;
console.log(`\nratio ${last.n}/${first.n}: ${(last.ns / first.ns).toFixed(2)}x`);
