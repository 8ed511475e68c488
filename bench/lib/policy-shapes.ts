/**
 * Rule sets of n rules in one shape each (and a mix of all), with a workload of requests that
 * hit and miss them, for bench/policy-scaling.ts (and any bench that wants 10,000 rules of
 * mixed shapes: `shapeRules('mix', n)`). Every set starts with a few broad allows, so denies
 * and allows both decide; rule i uses the number i, so a larger set has longer names, as real
 * ones do.
 */
import type { Action, Principal } from '../../src/policy';
import { rules as literalRules, type Rules } from './fixtures';

export const SHAPES = ['literal', 'extension', 'name', 'folder', 'variable', 'star', 'ignoreCase', 'mix'] as const;
export type Shape = (typeof SHAPES)[number];

export const SHAPE_EXAMPLES: Readonly<Record<Shape, string>> = {
  literal: '`projects/pN/**`, `depts/dN/reports/*.pdf` (+ shared rules)',
  extension: '`**/*.extN` (deny)',
  name: '`**/nameN` (deny)',
  folder: '`**/dirN/**` (deny)',
  variable: '`{sub}/dN/**`, `home/{sub}/pN/**`',
  star: '`*/sN/**`, `tN/*/x/**`',
  ignoreCase: '`**/*.extN`, ignoreCase + trailing dots/spaces',
  mix: 'all of the above, in turn',
};

type Rule = Rules[number];
const BASE: Rules = [
  { id: 'base-home', paths: ['home/{sub}/**'], actions: ['*'], principals: ['authenticated'], effect: 'allow' },
  { id: 'base-read', paths: ['**'], actions: ['read', 'list'], principals: ['authenticated'], effect: 'allow' },
  { id: 'base-eng', paths: ['**'], actions: ['write'], principals: ['group:eng'], effect: 'allow' },
];

/** Rule i of a shape (mix: the shapes in turn). */
function ruleOf(shape: Exclude<Shape, 'literal'>, i: number): Rule {
  const deny = { actions: ['write', 'read'] as Action[], principals: ['*'], effect: 'deny' as const };
  switch (shape) {
    case 'extension':
      return { id: `ext-${i}`, paths: [`**/*.ext${i}`], ...deny };
    case 'name':
      return { id: `name-${i}`, paths: [`**/name${i}`], ...deny };
    case 'folder':
      return { id: `dir-${i}`, paths: [`**/dir${i}/**`], ...deny };
    case 'variable':
      return { id: `var-${i}`, paths: [i % 2 === 0 ? `{sub}/d${i}/**` : `home/{sub}/p${i}/**`], actions: ['read', 'write'], principals: ['authenticated'], effect: 'allow', ttl: 60 };
    case 'star':
      return { id: `star-${i}`, paths: [i % 2 === 0 ? `*/s${i}/**` : `t${i}/*/x/**`], actions: ['read', 'write'], principals: [`group:g${i % 50}`], effect: 'allow', ttl: 30 };
    case 'ignoreCase':
      return { id: `exe-${i}`, paths: [`**/*.ext${i}`], ...deny, ignoreCase: true, ignoreTrailingDotsAndSpaces: true };
    case 'mix':
      return ruleOf(MIXED[i % MIXED.length] as Exclude<Shape, 'literal' | 'mix'>, i);
  }
}
const MIXED = ['extension', 'name', 'folder', 'variable', 'star', 'ignoreCase'] as const;

export function shapeRules(shape: Shape, n: number): Rules {
  if (shape === 'literal') return literalRules(n);
  const out: Rules = BASE.slice(0, Math.min(n, BASE.length));
  for (let i = 0; out.length < n; i++) out.push(ruleOf(shape, i));
  return out;
}

/** The key request `i` asks for, naming rule `j` (which exists) or a number no rule uses. */
function keyOf(shape: Exclude<Shape, 'literal' | 'mix'>, i: number, j: number, sub: string): string {
  const hit = i % 2 === 0; // half the requests name an existing rule
  const k = hit ? j : j + 1_000_000;
  switch (shape) {
    case 'extension':
      return `teams/eng/docs/file-${i}.ext${k}`;
    case 'name':
      return `teams/eng/docs/name${k}`;
    case 'folder':
      return `teams/eng/dir${k}/src/file-${i}.ts`;
    case 'variable':
      return k % 2 === 0 ? `${sub}/d${k}/file-${i}.txt` : `home/${sub}/p${k}/file-${i}.txt`;
    case 'star':
      return k % 2 === 0 ? `any/s${k}/file-${i}.txt` : `t${k}/any/x/file-${i}.txt`;
    case 'ignoreCase':
      return `teams/eng/docs/FILE-${i}.EXT${k}${i % 4 === 0 ? '. ' : ''}`;
  }
}

export interface Request {
  readonly p: Principal;
  readonly a: Action;
  readonly k: string;
}

export function shapeWorkload(shape: Shape, n: number): Request[] {
  const out: Request[] = [];
  for (let i = 0; i < 1000; i++) {
    const j = (i * 7919) % (shape === 'literal' ? Math.max(n, 10) : Math.max(n - BASE.length, 1));
    const sub = `u${j % 500}`;
    const p: Principal = { kind: 'user', subject: sub, groups: [`g${j % 50}`, 'eng'], claims: { dept: 'rnd' }, via: 'jwt' };
    const a: Action = i % 3 === 0 ? 'write' : 'read';
    if (shape === 'literal') {
      const keys = [`projects/p${j}/docs/spec-${i}.txt`, `home/${sub}/photos/${i}.jpg`, `depts/d${j}/reports/q${i}.pdf`, `public/assets/${i}.css`, `teams/eng/x/${i}.exe`];
      out.push({ p, a, k: keys[i % keys.length] as string });
    } else {
      const s = shape === 'mix' ? (MIXED[(i >> 1) % MIXED.length] as (typeof MIXED)[number]) : shape;
      // In the mix, rule j has shape MIXED[j % 6]: name a rule of the key's own shape.
      const jj = shape === 'mix' ? j - (j % MIXED.length) + MIXED.indexOf(s) : j;
      out.push({ p, a, k: keyOf(s, i, jj, sub) });
    }
  }
  return out;
}
