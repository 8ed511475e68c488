/**
 * Lambda bundle stand-in for pino (aliased in infra/lambda-bundle.ts): the same JSON lines for
 * the logging the gateway does, without pino's cost at load.
 *
 * Why: pino was the largest single cost left in a cold start (about a quarter of require + first
 * invocation, bench/lambda-cold-start.ts): its modules, sonic-boom, thread-stream and
 * worker_threads for transports the function never uses, `assert` (which sets up stderr), and
 * compiling the redaction functions. The function logs a line per request with a fixed set of
 * fields; that needs none of it.
 *
 * Contract: `pino(options?, destination?)` with the options src/log.ts passes - `level`, `base`,
 * `redact` ({ paths, censor } or a list of paths) - plus `enabled`; any other option throws at
 * creation, so an option added to src/log.ts cannot be silently ignored here. Loggers have
 * fatal/error/warn/info/debug/trace/silent, `level` (get and set), `isLevelEnabled`, `child`,
 * `flush`. A line is what pino writes for `log(fields, message, ...args)` and
 * `log(message, ...args)`: {"level":N,"time":ms,<base>,<child bindings>,<fields>,"msg":...},
 * fields in their own order, undefined and function values dropped, non-finite numbers null,
 * `err` through pino's standard error serializer (message and stack with causes), a missing
 * message taken from `err.message`, printf-style arguments formatted as pino does, and every
 * redact path (dotted, `*` for any key; no brackets) replaced by the censor in the written line
 * only. What pino does beyond that (request/response objects as fields, transports, hooks,
 * custom levels, formatters) is not here. Lines are written synchronously: to `destination` when
 * given, else to fd 1, as pino's default destination (sonic-boom, sync) does. Known
 * differences, neither reachable from the gateway's calls: strings are escaped by JSON.stringify
 * (pino writes a lone surrogate in a short string raw), and a circular field is cut to
 * "[Circular]" one level sooner. test/lambda/pino-shim.test.ts compares lines with pino's own.
 */
import { writeSync } from 'node:fs';
import { hostname } from 'node:os';

const LEVELS = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10 } as const;
type LevelName = keyof typeof LEVELS;
const LEVEL_NAMES = Object.keys(LEVELS) as LevelName[];

export interface ShimOptions {
  readonly level?: string;
  readonly base?: Readonly<Record<string, unknown>> | null;
  readonly redact?: readonly string[] | { readonly paths: readonly string[]; readonly censor?: string };
  readonly enabled?: boolean;
}

export interface ShimDestination {
  write(line: string): unknown;
}

type LogFn = (first?: unknown, ...rest: unknown[]) => void;

export type ShimLogger = Record<LevelName | 'silent', LogFn> & {
  level: string;
  isLevelEnabled(level: string): boolean;
  child(bindings: Readonly<Record<string, unknown>>): ShimLogger;
  flush(callback?: (err?: Error) => void): void;
};

const KNOWN_OPTIONS = new Set(['level', 'base', 'redact', 'enabled']);

function levelValue(name: string): number {
  if (name === 'silent') return Infinity;
  const value = (LEVELS as Record<string, number | undefined>)[name];
  if (value === undefined) throw new Error(`unknown level ${name}`);
  return value;
}

// --- serialising (pino's rules) -------------------------------------------------------------

/** pino's JSON.stringify with a fallback for circular structures. */
function stringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    const seen = new WeakSet<object>();
    try {
      return JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v !== 'object' || v === null) return v;
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
        return v;
      });
    } catch {
      return '"[unable to serialize, circular reference is too complex to analyze]"';
    }
  }
}

/** A field or message value as pino writes it; undefined: the field is left out. */
function jsonValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'undefined':
    case 'function':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    case 'string':
      return JSON.stringify(value);
    default:
      return stringify(value);
  }
}

interface ErrorLike {
  readonly message: string;
  readonly stack?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
  readonly name?: unknown;
  readonly constructor?: unknown;
}

const isErrorLike = (value: unknown): value is ErrorLike => value !== null && value !== undefined && typeof (value as { message?: unknown }).message === 'string';

function causeOf(err: ErrorLike): ErrorLike | undefined {
  const cause = typeof err.cause === 'function' ? (err.cause as () => unknown)() : err.cause;
  return isErrorLike(cause) ? cause : undefined;
}

function stackWithCauses(err: ErrorLike, seen = new Set<ErrorLike>()): string {
  const stack = typeof err.stack === 'string' ? err.stack : '';
  if (seen.has(err)) return `${stack}\ncauses have become circular...`;
  const cause = causeOf(err);
  if (!cause) return stack;
  seen.add(err);
  return `${stack}\ncaused by: ${stackWithCauses(cause, seen)}`;
}

function messageWithCauses(err: ErrorLike, seen = new Set<ErrorLike>(), skip = false): string {
  const message = skip ? '' : err.message || '';
  if (seen.has(err)) return `${message}: ...`;
  const cause = causeOf(err);
  if (!cause) return message;
  seen.add(err);
  // A cause whose message is already part of this one (VError style) is not repeated.
  const skipIfVErrorStyle = typeof err.cause === 'function';
  return message + (skipIfVErrorStyle ? '' : ': ') + messageWithCauses(cause, seen, skipIfVErrorStyle);
}

/** pino-std-serializers' `err`: type, message and stack (with causes), aggregate errors, own fields. */
function serializeError(err: unknown, seen = new Set<unknown>()): unknown {
  if (!isErrorLike(err)) return err;
  seen.add(err);
  const out: Record<string, unknown> = {
    type: Object.prototype.toString.call(err.constructor) === '[object Function]' ? (err.constructor as { name: string }).name : err.name,
    message: messageWithCauses(err),
    stack: stackWithCauses(err),
  };
  if (Array.isArray(err.errors)) out.aggregateErrors = err.errors.map((e: unknown) => serializeError(e, seen));
  for (const key in err) {
    // pino's serialized error has a (non-enumerable) `raw` already, so an own `raw` is skipped.
    if (out[key] !== undefined || key === 'raw') continue;
    const value = (err as unknown as Record<string, unknown>)[key];
    if (!isErrorLike(value)) out[key] = value;
    else if (key !== 'cause' && !seen.has(value)) out[key] = serializeError(value, seen);
  }
  seen.delete(err);
  return out;
}

/** pino's printf (quick-format-unescaped) for a string message and its arguments. */
function format(message: string, args: readonly unknown[]): string {
  if (args.length === 0) return message;
  let out = '';
  let a = 0;
  let last = -1;
  for (let i = 0; i < message.length; i++) {
    if (message.charCodeAt(i) !== 37 || i + 1 >= message.length) continue;
    last = last > -1 ? last : 0;
    const arg = args[a];
    let text: string | undefined;
    switch (message[i + 1]) {
      case 'd':
      case 'f':
        if (a < args.length && arg !== null && arg !== undefined) text = String(Number(arg));
        break;
      case 'i':
        if (a < args.length && arg !== null && arg !== undefined) text = String(Math.floor(Number(arg)));
        break;
      case 'O':
      case 'o':
      case 'j':
        if (a < args.length && arg !== undefined) {
          text = typeof arg === 'string' ? `'${arg}'` : typeof arg === 'function' ? (arg as { name?: string }).name || '<anonymous>' : (stringify(arg) ?? 'undefined');
        }
        break;
      case 's':
        if (a < args.length) text = String(arg);
        break;
      case '%':
        text = '%';
        a--;
        break;
    }
    if (text !== undefined) {
      if (last < i) out += message.slice(last, i);
      out += text;
      last = i + 2;
      i++;
    }
    a++;
  }
  if (last === -1) return message;
  return last < message.length ? out + message.slice(last) : out;
}

// --- redaction ------------------------------------------------------------------------------

type Path = readonly string[];

function parsePaths(redact: ShimOptions['redact']): { paths: Path[]; censor: string } {
  if (redact === undefined) return { paths: [], censor: '[Redacted]' };
  const { paths, censor = '[Redacted]' } = Array.isArray(redact) ? { paths: redact as readonly string[] } : (redact as { paths: readonly string[]; censor?: string });
  return {
    censor,
    paths: paths.map((p) => {
      if (!/^(\*|[A-Za-z_$][\w$]*)(\.(\*|[A-Za-z_$][\w$]*))*$/.test(p)) throw new Error(`redact path not supported on Lambda: ${p}`);
      return p.split('.');
    }),
  };
}

/** A copy of `value` with `path` replaced by `censor` where present; `value` itself is never changed. */
function redactPath(value: unknown, path: Path, censor: string): unknown {
  if (typeof value !== 'object' || value === null || path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const keys = head === '*' ? Object.keys(value) : Object.hasOwn(value, head) ? [head] : [];
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const key of keys) {
    const current = (value as Record<string, unknown>)[key];
    const next = rest.length === 0 ? censor : redactPath(current, rest, censor);
    if (next === current) continue;
    copy ??= Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
    (copy as Record<string, unknown>)[key] = next;
  }
  return copy ?? value;
}

// --- the logger -----------------------------------------------------------------------------

interface Core {
  readonly write: (line: string) => void;
  readonly enabled: boolean;
  readonly paths: readonly Path[];
  readonly censor: string;
}

/** fd 1, synchronously, as sonic-boom does with sync: true; a full non-blocking pipe is retried. */
function writeStdout(line: string): void {
  let bytes = Buffer.from(line, 'utf8');
  for (let attempt = 0; bytes.length > 0; ) {
    try {
      bytes = bytes.subarray(writeSync(1, bytes));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || ++attempt > 100) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function bindingsText(core: Core, bindings: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (const key in bindings) {
    if (!Object.hasOwn(bindings, key) || bindings[key] === undefined) continue;
    const text = jsonValue(redactTop(core, key, key === 'err' ? serializeError(bindings[key]) : bindings[key]));
    if (text !== undefined) out += `,${JSON.stringify(key)}:${text}`;
  }
  return out;
}

/** Applies the redact paths that fall under the top-level field `key`. */
function redactTop(core: Core, key: string, value: unknown): unknown {
  let out = value;
  for (const [head, ...rest] of core.paths) {
    if (head !== '*' && head !== key) continue;
    out = rest.length === 0 ? core.censor : redactPath(out, rest, core.censor);
  }
  return out;
}

function createLogger(core: Core, level: string, chindings: string): ShimLogger {
  let threshold = levelValue(level);
  const line = (num: number, fields: object | null, message: unknown): string => {
    let msg = message;
    const obj = (fields instanceof Error ? { err: fields } : (fields ?? {})) as Record<string, unknown>;
    if (fields instanceof Error && msg === undefined) msg = fields.message;
    else if (msg === undefined && fields !== null && obj.msg === undefined && isErrorLike(obj.err)) msg = obj.err.message;
    let out = `{"level":${num},"time":${Date.now()}${chindings}`;
    for (const key in obj) {
      if (!Object.hasOwn(obj, key) || obj[key] === undefined) continue;
      const value = key === 'err' ? serializeError(obj[key]) : obj[key];
      const text = jsonValue(redactTop(core, key, value));
      if (text !== undefined) out += `,${JSON.stringify(key)}:${text}`;
    }
    const msgText = msg === undefined ? undefined : jsonValue(redactTop(core, 'msg', msg));
    return `${out}${msgText === undefined ? '' : `,"msg":${msgText}`}}\n`;
  };
  const method = (num: number): LogFn =>
    function log(first?: unknown, ...rest: unknown[]): void {
      if (!core.enabled || num < threshold) return;
      if (typeof first === 'object') {
        const message = first === null && rest.length === 0 ? null : rest.shift();
        core.write(line(num, first, typeof message === 'string' ? format(message, rest) : message));
      } else {
        const message = first === undefined ? rest.shift() : first;
        core.write(line(num, null, typeof message === 'string' ? format(message, rest) : message));
      }
    };
  const logger = {
    ...(Object.fromEntries(LEVEL_NAMES.map((name) => [name, method(LEVELS[name])])) as Record<LevelName, LogFn>),
    silent: () => undefined,
    get level() {
      return LEVEL_NAMES.find((name) => LEVELS[name] === threshold) ?? 'silent';
    },
    set level(name: string) {
      threshold = levelValue(name);
    },
    // As pino: an unknown name is not enabled (no throw), and 'silent' compares as Infinity.
    isLevelEnabled: (name: string) => (name === 'silent' || Object.hasOwn(LEVELS, name)) && levelValue(name) >= threshold,
    child: (bindings: Readonly<Record<string, unknown>>) => createLogger(core, logger.level, chindings + bindingsText(core, bindings)),
    flush: (callback?: (err?: Error) => void) => callback?.(),
  };
  return logger;
}

export default function pino(options: ShimOptions = {}, destination?: ShimDestination): ShimLogger {
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) throw new Error(`pino option "${key}" is not supported on Lambda (src/lambda/shims/pino.ts)`);
  const { paths, censor } = parsePaths(options.redact);
  const core: Core = { write: destination ? (s) => void destination.write(s) : writeStdout, enabled: options.enabled !== false, paths, censor };
  // pino's default base is { pid, hostname }; src/log.ts always sets its own.
  const base = options.base === undefined ? { pid: process.pid, hostname: hostname() } : (options.base ?? {});
  return createLogger(core, options.level ?? 'info', bindingsText(core, base));
}

