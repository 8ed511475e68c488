/**
 * Byte sizes as policies spell them: a non-negative integer (bytes) or a string such as
 * `512`, `10MB`, `1.5 GiB`. Decimal units (kB/KB, MB, GB, TB) are powers of 1000, binary
 * units (KiB, MiB, GiB, TiB) powers of 1024, because that is what the unit names mean and
 * S3 consoles and `ls -h` disagree otherwise. The result must be a whole, safe integer.
 */

// A Map, so "10constructor" finds no unit rather than Object.prototype's.
const UNITS: ReadonlyMap<string, number> = new Map([
  ['b', 1],
  ['kb', 1e3],
  ['mb', 1e6],
  ['gb', 1e9],
  ['tb', 1e12],
  ['kib', 1024],
  ['mib', 1024 ** 2],
  ['gib', 1024 ** 3],
  ['tib', 1024 ** 4],
]);

const SIZE_TEXT = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

export type ByteSizeResult = { ok: true; bytes: number } | { ok: false; message: string };

export function parseByteSize(value: unknown): ByteSizeResult {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0
      ? { ok: true, bytes: value }
      : { ok: false, message: 'must be a non-negative whole number of bytes' };
  }
  if (typeof value !== 'string') return { ok: false, message: 'must be a number of bytes or a string like "10MB"' };
  const m = SIZE_TEXT.exec(value.trim());
  const unitName = (m?.[2] ?? '').toLowerCase();
  const factor = unitName === '' ? 1 : UNITS.get(unitName);
  if (!m?.[1] || factor === undefined) {
    return { ok: false, message: `"${value}" is not a size; use bytes or a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB` };
  }
  // Multiply before rounding so "1.5KiB" is exactly 1536; reject results with a fraction of a byte.
  const bytes = Number(m[1]) * factor;
  const rounded = Math.round(bytes);
  if (!Number.isSafeInteger(rounded) || Math.abs(bytes - rounded) > 1e-6) {
    return { ok: false, message: `"${value}" is not a whole number of bytes` };
  }
  return { ok: true, bytes: rounded };
}
