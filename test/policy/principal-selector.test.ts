import { parsePrincipalSelector } from '../../src/policy/principal-selector';
import type { Principal } from '../../src/policy/types';
import { alice, anon, user } from './fixtures';

function sel(source: string): (p: Principal) => boolean {
  const r = parsePrincipalSelector(source);
  if (!r.ok) throw new Error(r.message);
  return r.selector.matches;
}

describe('principal selectors', () => {
  it.each([
    ['*', anon, true],
    ['*', alice, true],
    ['anonymous', anon, true],
    ['anonymous', alice, false],
    ['authenticated', anon, false],
    ['authenticated', alice, true],
    ['user:alice', alice, true],
    ['user:Alice', alice, false],
    ['user:alice', anon, false],
    ['user:a:b', user('a:b'), true],
    ['group:eng', alice, true],
    ['group:Eng', alice, false],
    ['group:ops', alice, false],
    ['claim:dept=finance', alice, true],
    ['claim:dept=Finance', alice, false],
    ['claim:dept=', user('u', [], { dept: '' }), true],
    ['claim:email_verified=true', user('u', [], { email_verified: true }), true],
    ['claim:level=3', user('u', [], { level: 3 }), true],
    ['claim:roles=admin', user('u', [], { roles: ['user', 'admin'] }), true],
    ['claim:roles=admin', user('u', [], { roles: [['admin']] }), false],
    ['claim:a=b=c', user('u', [], { a: 'b=c' }), true],
    ['claim:dept=finance', anon, false],
    ['claim:constructor=x', user('u'), false],
    ['claim:obj=[object Object]', user('u', [], { obj: {} }), false],
  ])('%p on %p -> %p', (source, who, expected) => {
    expect(sel(source)(who)).toBe(expected);
  });

  it.each([['user:'], ['group:'], ['claim:dept'], ['claim:=x'], ['claim:a.b=x'], ['someone'], ['role:admin'], ['']])('rejects %p', (source) => {
    expect(parsePrincipalSelector(source).ok).toBe(false);
  });

  it.each([
    ['user:', 'user: needs a subject, e.g. "user:alice"'],
    ['group:', 'group: needs a group name, e.g. "group:eng"'],
    ['claim:dept', 'claim: needs "claim:<name>=<value>", e.g. "claim:dept=finance"'],
    ['claim:=x', 'claim: needs "claim:<name>=<value>", e.g. "claim:dept=finance"'],
    ['user', 'user: needs a subject, e.g. "user:alice"'],
    ['role:admin', 'unknown principal "role:admin"; use "*", "anonymous", "authenticated", "user:<subject>", "group:<name>" or "claim:<name>=<value>"'],
  ])('%p says %p', (source, message) => {
    expect(parsePrincipalSelector(source)).toEqual({ ok: false, message });
  });

  it.each([
    ['*', true],
    ['authenticated', false],
    ['anonymous', false],
    ['user:alice', false],
    ['group:eng', false],
    ['claim:dept=finance', false],
  ])('%p skips the principal test (anyone): %p', (source, anyone) => {
    const r = parsePrincipalSelector(source);
    expect(r.ok && { source: r.selector.source, anyone: r.selector.anyone }).toEqual({ source, anyone });
  });

  it.each([
    ['claim:n=1', user('u', [], { n: [[1], 2, 1] }), true],
    ['claim:n=1', user('u', [], { n: [] }), false],
    ['claim:n=false', user('u', [], { n: false }), true],
    ['claim:n=null', user('u', [], { n: null }), false],
    ['claim:n=undefined', user('u', [], {}), false],
    ['user:alice', user('alice', [], {}), true],
    ['group:eng', user('x', ['eng'], {}), true],
  ])('%p on %j -> %p', (source, who, expected) => {
    expect(sel(source)(who)).toBe(expected);
  });
});

