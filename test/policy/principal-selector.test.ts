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
});
