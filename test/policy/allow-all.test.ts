// The decision a gateway without a policy takes (src/policy/types.ts): every action on every key,
// for anyone, with no constraints, named so the request log says why it was allowed.
import { allowAll } from '../../src/policy/types';
import { alice, anon } from './fixtures';

it.each([
  [anon, 'read', 'a'],
  [alice, 'write', 'home/alice/x'],
  [anon, 'delete', 'deep/er/key.bin'],
] as const)('allows %j to %s %s, unconstrained, as default:allow-all', (who, action, key) => {
  const d = allowAll(who, action, key);
  expect(d).toEqual({ effect: 'allow', rule: 'default:allow-all', constraints: {} });
  expect(Object.isFrozen(d) && d.effect === 'allow' && Object.isFrozen(d.constraints)).toBe(true);
});
