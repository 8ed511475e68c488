/**
 * The Lambda's stand-in for pino (src/lambda/shims/pino.ts) writes, for every way the gateway
 * logs, exactly the line pino writes: src/log.ts's createLogger is built twice, once on pino and
 * once on the shim (module mock), and the same calls must give the same lines.
 */
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { buildSync } from 'esbuild';
import type { Logger } from '../../src/log';
import shim from '../../src/lambda/shims/pino';

type CreateLogger = (level: string, destination?: Writable) => Logger;

function loadCreateLogger(withShim: boolean): CreateLogger {
  let create: CreateLogger | undefined;
  jest.isolateModules(() => {
    if (withShim) jest.doMock('pino', () => ({ __esModule: true, default: shim }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of src/log.ts per pino
    create = (require('../../src/log') as { createLogger: CreateLogger }).createLogger;
  });
  jest.dontMock('pino');
  return create!;
}

const createWithPino = loadCreateLogger(false);
const createWithShim = loadCreateLogger(true);

function capture(create: CreateLogger, level: string, calls: (logger: Logger) => void): string[] {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  calls(create(level, sink));
  return text.split(/(?<=\n)/);
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1_795_973_310_131));
afterEach(() => jest.restoreAllMocks());

function expectSameLines(calls: (logger: Logger) => void, level = 'info'): string[] {
  const expected = capture(createWithPino, level, calls);
  const actual = capture(createWithShim, level, calls);
  expect(actual).toEqual(expected);
  return actual;
}

class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const awkward = {
  quotes: 'say "hi" \\ there',
  control: 'tab\there\nnewline\u0001',
  unicode: 'naïve 日本語 🚀',
  long: 'x'.repeat(150) + '"',
  numbers: [0, -1.5, 1e21],
  nan: NaN,
  inf: -Infinity,
  yes: true,
  nothing: null,
  gone: undefined,
  fn: () => 1,
  nested: { a: [1, { b: 'c' }], d: null },
  date: new Date(0),
};

describe('the same lines as pino', () => {
  test('the request line (fields in order, absent ones dropped)', () => {
    const lines = expectSameLines((log) => {
      log.info(
        { reqId: 'r-1', method: 'GET', path: '/files/a b.txt', status: 307, ms: 0.412, action: 'read', principal: 'anonymous', rule: null, denyReason: undefined, error: undefined },
        'request',
      );
      log.error({ reqId: 'r-2', method: 'PUT', path: '/files/x', status: 503, ms: 12, error: 'credentials_unavailable' }, 'request');
    });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('}\n'))).toBe(true);
  });

  test('a message alone, fields and a message, awkward values', () => {
    expectSameLines((log) => {
      log.info('share links are signed with a key generated at start');
      log.warn({ urlTtl: 3600, cap: 900 }, 'SIGNPOST_URL_TTL is longer than the Lambda role credentials are known to live; URLs are capped');
      log.info(awkward, 'awkward');
      log.info(awkward);
      log.info({ msg: 'own msg field' });
      log.info(null);
      log.info(42);
      log.info(undefined, 'second');
      log.info({}, '');
    });
  });

  test('printf-style arguments', () => {
    expectSameLines((logger) => {
      // pino's types check arguments against the format; these are deliberately off.
      const log = logger as unknown as { info: (...args: unknown[]) => void };
      log.info('a %s b %d c %j d %o e %% f %i g %O', 'x', 42, { k: [1] }, 'str', 3.7, () => 0);
      log.info({ n: 1 }, 'too few %s %s', 'one');
      log.info('too many %s', 'one', 'two');
      log.info('nulls %d %j %s', null, undefined, null);
    });
  });

  test('errors: pino\'s serializer (type, message and stack with causes, own fields)', () => {
    // Made here, not inside the calls: a stack must not differ by the frame that logs it.
    const plain = new Error('boom');
    const subclass = new ConfigError('bad config');
    const withCause = new Error('outer', { cause: new TypeError('inner', { cause: new Error('root') }) });
    const withFields = Object.assign(new Error('denied'), { code: 'EACCES', statusCode: 403, raw: 'skipped by pino', inner: new RangeError('nested') });
    const aggregate = new AggregateError([new Error('one'), new ConfigError('two')], 'several');
    const circular = new Error('loop') as Error & { cause?: unknown };
    circular.cause = circular;
    expectSameLines((log) => {
      log.error({ reqId: 'r-3', err: plain }, 'unhandled error');
      log.error({ err: withCause }, 'with a cause');
      log.error({ err: withFields });
      log.error({ err: aggregate }, 'aggregate');
      log.error({ err: subclass }, 'subclass');
      log.error({ err: circular }, 'circular cause');
      log.error({ err: 'just a string' }, 'not an error');
      log.error({ err: { message: 'error-like' } });
      log.error(plain);
      log.error(plain, 'error first, then a message');
    });
  });

  test('redaction: the configured paths one level down, censored in the line only', () => {
    const fields = {
      headers: { authorization: 'Bearer secret', Authorization: 'Basic secret', host: 'h' },
      response: { location: 'https://bucket/key?X-Amz-Signature=abc', Location: 'x' },
      req: { url: '/files/a?token=abc', method: 'GET' },
      creds: { accessKeyId: 'AKIA', secretAccessKey: 'secret', sessionToken: 'token' },
      share: { token: 't', key: 'k', undef: undefined },
      absent: { authorization: undefined },
      token: 'top-level: not a configured path',
      key: 'top-level: not a configured path',
      deep: { a: { token: 'two levels down: not a configured path' } },
      list: [{ token: 'in an array' }],
      text: 'a string',
    };
    const before = structuredClone(fields);
    const [line] = expectSameLines((log) => log.info(fields, 'redacted'));
    expect(fields).toEqual(before); // the caller's object is untouched
    expect(line).not.toMatch(/Bearer|Basic|X-Amz-Signature|token=abc|"secret"|"token":"t"/);
    expect(line).toContain('"[redacted]"');
  });

  test('an error\'s own fields are redacted too', () => {
    const err = Object.assign(new Error('x'), { key: 'secret', token: 'secret' });
    expectSameLines((log) => log.error({ err }, 'e'));
  });

  test('levels: below the threshold nothing is written; silent writes nothing at all', () => {
    const calls = (log: Logger) => {
      log.trace('t');
      log.debug({ a: 1 }, 'd');
      log.info('i');
      log.warn('w');
      log.error('e');
      log.fatal('f');
    };
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) expectSameLines(calls, level);
    expectSameLines((log) => {
      log.level = 'error';
      log.warn('dropped');
      const enabled = Object.fromEntries(['trace', 'info', 'error', 'fatal', 'silent', 'verbose'].map((l) => [l, log.isLevelEnabled(l)]));
      log.error({ level: log.level, enabled }, 'kept');
      log.level = 'silent';
      log.fatal({ level: log.level, silentEnabled: log.isLevelEnabled('silent') }, 'dropped');
      log.level = 'trace';
      log.trace({ level: log.level }, 'kept again');
    });
  });

  test('child loggers carry their bindings after the base', () => {
    expectSameLines((log) => {
      const child = log.child({ component: 'store', skip: undefined });
      child.info({ a: 1 }, 'from the child');
      child.child({ depth: 2 }).warn('grandchild');
      log.info('parent unchanged');
    });
  });

});

describe('what the shim refuses or does on its own', () => {
  test('an option it does not implement throws at creation instead of being ignored', () => {
    expect(() => shim({ level: 'info', transport: { target: 'pino-pretty' } } as never)).toThrow(/option "transport" is not supported on Lambda/);
    expect(() => shim({ redact: ['headers["x-api-key"]'] })).toThrow(/redact path not supported/);
    expect(() => shim({ level: 'verbose' })).toThrow(/unknown level verbose/);
  });

  test('a circular field is written as "[Circular]", one level sooner than pino (which copies the object to redact it)', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const [line] = capture(createWithShim, 'info', (log) => log.info({ loop }, 'circular'));
    expect(JSON.parse(line!)).toMatchObject({ loop: { name: 'loop', self: '[Circular]' }, msg: 'circular' });
  });

  test('enabled: false writes nothing', () => {
    const lines: string[] = [];
    shim({ enabled: false }, { write: (s) => lines.push(s) }).error('nothing');
    expect(lines).toEqual([]);
  });

  test('without a destination, lines go to fd 1 (as pino\'s default sonic-boom does)', () => {
    const bundled = buildSync({ entryPoints: [require.resolve('../../src/lambda/shims/pino')], bundle: true, platform: 'node', format: 'cjs', write: false }).outputFiles[0]!.text;
    const script = `${bundled};\nmodule.exports.default({ base: { service: 's' } }).info({ a: 1 }, 'to stdout');`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(out).toMatch(/^\{"level":30,"time":\d+,"service":"s","a":1,"msg":"to stdout"\}\n$/);
  });
});
