/** The cp progress display: one rewritten line on a TTY, plain lines per 10% elsewhere. */
import { PassThrough } from 'node:stream';
import { createProgress } from '../../src/cli/cp-progress';

function sink(tty: boolean): PassThrough & { isTTY?: boolean; text: () => string } {
  const out = new PassThrough() as PassThrough & { isTTY?: boolean; text: () => string };
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  out.isTTY = tty;
  out.text = () => text;
  return out;
}

it('on a TTY it rewrites one line and ends it once', () => {
  const out = sink(true);
  let t = 0;
  const p = createProgress({ out, label: 'f', total: 1000, now: () => (t += 200) });
  for (let i = 0; i < 10; i++) p.add(100);
  p.done();
  const text = out.text();
  expect(text.split('\n')).toHaveLength(2);
  expect(text).toMatch(/^\r\[/);
  expect(text).toMatch(/\[#+\] f 1000 B \/ 1000 B 100%/);
});

it('without a TTY it prints a plain line per 10% step, no control characters', () => {
  const out = sink(false);
  const p = createProgress({ out, label: 'f', total: 1000 });
  for (let i = 0; i < 100; i++) p.add(10);
  p.done();
  const lines = out.text().trim().split('\n');
  expect(lines.length).toBe(12); // 0%, 10% … 100%, and the final line
  expect(out.text().includes('\r') || out.text().includes('\u001b')).toBe(false);
});
