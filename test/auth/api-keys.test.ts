import { createHash } from 'node:crypto';
import { createApiKey, createApiKeyLookup, hashApiKey, isApiKeyShaped } from '../../src/auth/api-keys';

describe('API keys', () => {
  it('creates sp_ + 43 base64url characters (32 random bytes) and a sha256 entry', () => {
    const { key, entry } = createApiKey({ subject: 'ci', groups: ['deploy'], label: 'ci-deploy' });
    expect(key).toMatch(/^sp_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(3), 'base64url')).toHaveLength(32);
    expect(entry).toEqual({ hash: createHash('sha256').update(key).digest('hex'), subject: 'ci', groups: ['deploy'], label: 'ci-deploy' });
    expect(JSON.stringify(entry)).not.toContain(key.slice(3));
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 200 }, () => createApiKey({ subject: 's' }).key));
    expect(keys.size).toBe(200);
  });

  it('looks keys up by hash and returns a frozen principal', () => {
    const a = createApiKey({ subject: 'alice', groups: ['eng'] });
    const b = createApiKey({ subject: 'bob' });
    const lookup = createApiKeyLookup([a.entry, { ...b.entry, claims: { dept: 'ops' } }]);
    expect(lookup(a.key)).toEqual({ kind: 'user', subject: 'alice', groups: ['eng'], claims: {}, via: 'api-key' });
    expect(lookup(b.key)).toMatchObject({ subject: 'bob', claims: { dept: 'ops' } });
    expect(Object.isFrozen(lookup(a.key))).toBe(true);
  });

  it.each([
    ['an unknown key', () => createApiKey({ subject: 'x' }).key],
    ['a key with one character changed', (k: string) => k.slice(0, -1) + (k.endsWith('A') ? 'B' : 'A')],
    ['the key upper-cased', (k: string) => k.toUpperCase()],
    ['the hash itself', (k: string) => hashApiKey(k)],
    ['the key with a trailing space', (k: string) => `${k} `],
    ['an empty string', () => ''],
  ])('rejects %s', (_name, variant) => {
    const { key, entry } = createApiKey({ subject: 'alice' });
    expect(createApiKeyLookup([entry])(variant(key))).toBeNull();
  });

  it('recognizes the key shape', () => {
    expect(isApiKeyShaped(createApiKey({ subject: 'x' }).key)).toBe(true);
    expect(isApiKeyShaped('sp_short')).toBe(false);
    expect(isApiKeyShaped(`xx_${'a'.repeat(43)}`)).toBe(false);
  });

  it('finds an entry whose hash is written in upper case', () => {
    const { key, entry } = createApiKey({ subject: 'alice' });
    expect(createApiKeyLookup([{ ...entry, hash: entry.hash.toUpperCase() }])(key)).toMatchObject({ subject: 'alice' });
  });

  it('a new entry without groups or label has empty groups and no label', () => {
    expect(Object.keys(createApiKey({ subject: 's' }).entry).sort()).toEqual(['groups', 'hash', 'subject']);
    expect(createApiKey({ subject: 's' }).entry.groups).toEqual([]);
  });

  it.each([
    [`sp_${'a'.repeat(43)}`, true],
    [`sp_${'-_09AZaz'.repeat(5)}abc`, true],
    [`sp_${'a'.repeat(42)}`, false],
    [`sp_${'a'.repeat(44)}`, false],
    [`x sp_${'a'.repeat(43)}`, false],
    [`sp_${'a'.repeat(43)}\n`, false],
    [`sp_${'a'.repeat(42)}=`, false],
  ])('%j is key-shaped: %s', (s, shaped) => {
    expect(isApiKeyShaped(s)).toBe(shaped);
  });
});

