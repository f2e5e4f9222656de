/**
 * Option value parsers for commander: a bad value is a usage error (exit 2) naming the option.
 */
import { InvalidArgumentError } from 'commander';

export function intIn(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    if (!/^[+-]?\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected an integer, got '${v}'.`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got ${v}.`);
    }
    return n;
  };
}

export function numberIn(min: number, max: number, { exclusiveMin = false } = {}): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n > max || (exclusiveMin ? n <= min : n < min)) {
      throw new InvalidArgumentError(`expected a number ${exclusiveMin ? '>' : '>='} ${min}${Number.isFinite(max) ? ` and <= ${max}` : ''}, got '${v}'.`);
    }
    return n;
  };
}

export function oneOf<T extends string>(values: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}, got '${v}'.`);
    return v as T;
  };
}

/** Comma-separated list; empty items are an error. */
export function list(v: string): string[] {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new InvalidArgumentError(`expected a comma-separated list without empty items, got '${v}'.`);
  return items;
}

export function delimiter(v: string): string {
  const map: Record<string, string> = { '\\t': '\t', tab: '\t', comma: ',', semicolon: ';', pipe: '|' };
  const d = map[v] ?? v;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new InvalidArgumentError(`expected one character (or tab, comma, semicolon, pipe), got '${v}'.`);
  }
  return d;
}

/** --na-values: comma-separated spellings of a missing cell; '' alone = only empty cells are missing. */
export function naValues(v: string): string[] {
  if (v.trim() === '' || v === "''" || v === '""') return [''];
  return ['', ...v.split(',').map((s) => s.trim())];
}
