/**
 * Share tokens: one accepted spelling per token (issue 15.9), and the download name covered by
 * the MAC (15.7), with links that name no file signing exactly what they signed before.
 */
import { createHmac } from 'node:crypto';
import { createShareSigner } from '../../src/share/tokens';

const SECRET = 's'.repeat(40);
const signer = createShareSigner(SECRET);
const EXP = 1_800_000_000;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('share tokens', () => {
  const token = signer.sign('/files', 'home/alice/cv.pdf', EXP);
  const ok = (t: string, name?: string) => signer.verify('/files', 'home/alice/cv.pdf', t, EXP - 10, name);

  it('verifies what it signed; expired at the expiry; another key or mount is invalid', () => {
    expect(ok(token)).toBe('ok');
    expect(signer.verify('/files', 'home/alice/cv.pdf', token, EXP, undefined)).toBe('expired');
    expect(signer.verify('/files', 'home/alice/cv2.pdf', token, EXP - 10)).toBe('invalid');
    expect(signer.verify('/other', 'home/alice/cv.pdf', token, EXP - 10)).toBe('invalid');
  });

  it('a link without a name signs the same message as before names were covered', () => {
    const v1 = createHmac('sha256', SECRET).update(`signpost-share-v1\n/files\nhome/alice/cv.pdf\nread\n${EXP}`).digest('base64url');
    expect(token).toBe(`${EXP}.${v1}`);
  });

  it('the last character\'s unused bits: only the canonical spelling of the MAC is accepted', () => {
    const last = token.at(-1)!;
    const index = B64URL.indexOf(last);
    expect(index % 4).toBe(0); // 256 bits in 43 characters: the last one carries 4 bits and 2 zeros
    const spellings = [1, 2, 3].map((bits) => `${token.slice(0, -1)}${B64URL[index | bits]!}`);
    for (const s of spellings) {
      expect(Buffer.from(s.split('.')[1]!, 'base64url').equals(Buffer.from(token.split('.')[1]!, 'base64url'))).toBe(true); // same bytes
      expect(ok(s)).toBe('invalid');
    }
  });

  it.each([
    ['a leading zero in the expiry', (t: string) => `0${t}`],
    ['two leading zeros', (t: string) => `00${t}`],
    ['a plus sign in the expiry', (t: string) => `+${t}`],
    ['base64 padding', (t: string) => `${t}=`],
    ['"+" (standard base64) in the MAC', (t: string) => t.replace(/\.(.)/, '.+')],
    ['"/" (standard base64) in the MAC', (t: string) => t.replace(/\.(.)/, './')],
    ['an expiry of 0', (t: string) => t.replace(/^\d+/, '0')],
    ['a space', (t: string) => ` ${t}`],
    ['the dot doubled', (t: string) => t.replace('.', '..')],
  ])('%s -> invalid', (_what, respell) => {
    const t = respell(token);
    expect(t).not.toBe(token);
    expect(ok(t)).toBe('invalid');
  });

  it('the download name is covered: right name ok; no name, another name, or a name added -> invalid', () => {
    const named = signer.sign('/files', 'home/alice/cv.pdf', EXP, 'CV 2026.pdf');
    expect(ok(named, 'CV 2026.pdf')).toBe('ok');
    expect(ok(named)).toBe('invalid');
    expect(ok(named, 'setup.exe')).toBe('invalid');
    expect(ok(token, 'setup.exe')).toBe('invalid');
    expect(ok(token, '')).toBe('ok');
  });

  it('a different share key makes every token invalid (rotation revokes)', () => {
    expect(createShareSigner('t'.repeat(40)).verify('/files', 'home/alice/cv.pdf', token, EXP - 10)).toBe('invalid');
  });
});
