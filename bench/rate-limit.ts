/**
 * What per-caller rate limits add to authenticating a request. Run: `npx tsx bench/rate-limit.ts`.
 * The same authentication seam the app uses (fromAuthenticator over API keys), called plain and
 * wrapped by limitCallers (http/caller-limits.ts), for an API key (reserve + refund + principal
 * bucket), an anonymous IPv4 caller and an anonymous IPv6 caller (its /56 key, remembered per
 * address after the first request), with a budget large enough never to refuse. Rounds alternate
 * plain and limited; medians of ns per call.
 */
import type { IncomingMessage } from 'node:http';
import { createApiKey, createAuthenticator } from '../src/auth';
import { fromAuthenticator, type Authenticate } from '../src/http/authenticate';
import { limitCallers } from '../src/http/caller-limits';
import { createRateLimiter } from '../src/http/rate-limit';

const ROUNDS = 15;
const CALLS = 20_000;
const NOW = new Date();

const key = createApiKey({ subject: 'bench' });
const plain = fromAuthenticator(createAuthenticator({ apiKeys: [key.entry] }));
const limited = limitCallers(createRateLimiter({ perSecond: 1e12, burst: 1e12 }), plain).authenticate;

const req = (remoteAddress: string, authorization?: string): IncomingMessage =>
  ({ socket: { remoteAddress }, headers: authorization === undefined ? {} : { authorization } }) as unknown as IncomingMessage;

const cases = {
  'API key': req('198.51.100.1', `Bearer ${key.key}`),
  'anonymous IPv4': req('198.51.100.1'),
  'anonymous IPv6': req('2001:db8:aa:bbcc::1'),
};

async function round(authenticate: Authenticate, r: IncomingMessage): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await authenticate(r, NOW);
  return Number(process.hrtime.bigint() - t0) / CALLS;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  console.log('| caller | plain (ns/call) | limited (ns/call) | added (ns) |');
  console.log('|--------|----------------:|------------------:|-----------:|');
  for (const [name, r] of Object.entries(cases)) {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < ROUNDS + 3; i++) {
      const x = await round(plain, r);
      const y = await round(limited, r);
      if (i < 3) continue; // warm-up
      a.push(x);
      b.push(y);
    }
    console.log(`| ${name} | ${median(a).toFixed(0)} | ${median(b).toFixed(0)} | ${(median(b) - median(a)).toFixed(0)} |`);
  }
}

void main();
