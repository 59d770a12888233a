// Parsing of numeric and enumerated command-line values: every bad value is a usage error naming the flag.
import { usageError } from '@wafer/arch';

/** Parses an integer flag given as text; `min`/`max` are inclusive. */
export function intFlag(flag: string, value: unknown, opts: { min?: number; max?: number } = {}): number {
  const text = String(value).trim();
  if (!/^[+-]?\d+$/.test(text)) throw usageError(`${flag} must be an integer, got '${String(value)}'`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw usageError(`${flag} is out of range, got '${text}'`);
  if (opts.min !== undefined && n < opts.min) throw usageError(`${flag} must be >= ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw usageError(`${flag} must be <= ${opts.max}, got ${n}`);
  return n;
}

/** Parses a finite number flag given as text; bounds are inclusive unless `minExclusive`. */
export function numFlag(flag: string, value: unknown, opts: { min?: number; max?: number; minExclusive?: boolean } = {}): number {
  const text = String(value).trim();
  const n = text === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw usageError(`${flag} must be a number, got '${String(value)}'`);
  if (opts.min !== undefined && (opts.minExclusive ? n <= opts.min : n < opts.min)) {
    throw usageError(`${flag} must be ${opts.minExclusive ? '>' : '>='} ${opts.min}, got ${n}`);
  }
  if (opts.max !== undefined && n > opts.max) throw usageError(`${flag} must be <= ${opts.max}, got ${n}`);
  return n;
}

/** Checks an enumerated flag. */
export function choiceFlag<T extends string>(flag: string, value: unknown, choices: readonly T[]): T {
  const text = String(value);
  if (!(choices as readonly string[]).includes(text)) throw usageError(`${flag} must be one of ${choices.join(', ')}, got '${text}'`);
  return text as T;
}
