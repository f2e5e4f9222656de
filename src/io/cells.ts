/**
 * Cells in and out, stated once: number and boolean recognition of CSV text (decimal notation
 * only, as pandas, so '0x10' stays text), the text a cell is written as (numbers in shortest
 * round-trip form, integers never in scientific notation, float32 columns in the shortest text
 * that reads back to the same float32), CSV quoting and --safe-csv neutralisation, and the rules
 * that turn a generated (synthetic) value into an output cell.
 */
import { DataType, Precision } from 'apache-arrow';
import type { Cell } from './batch.js';

export const enum NumClass {
  NotNumber = 0,
  Int = 1,
  Float = 2,
  /** NaN, inf, Infinity, or a literal that overflows to +-Infinity (1e400). */
  NonFinite = 3,
}

const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** Classifies a CSV cell (already known to be non-empty). */
export function classifyNumber(s: string): NumClass {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) {
    i = 1;
    if (n === 1) return NumClass.NotNumber;
  }
  let digits = 0;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    digits++;
  }
  if (i === n) return digits > 0 ? NumClass.Int : NumClass.NotNumber;
  let frac = 0;
  if (c === 46) {
    for (i++; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      frac++;
    }
    if (digits + frac === 0) return NumClass.NotNumber;
    if (i === n) return NumClass.Float;
  } else if (digits === 0) {
    return NON_FINITE.test(s) ? NumClass.NonFinite : NumClass.NotNumber;
  }
  if (c === 101 || c === 69) {
    i++;
    c = s.charCodeAt(i);
    if (c === 43 || c === 45) i++;
    let exp = 0;
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) return NumClass.NotNumber;
      exp++;
    }
    if (exp === 0) return NumClass.NotNumber;
    return Number.isFinite(Number(s)) ? NumClass.Float : NumClass.NonFinite;
  }
  return NumClass.NotNumber;
}

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** 1 for true spellings, 0 for false spellings, -1 otherwise. */
export function classifyBool(s: string): number {
  if (TRUE.has(s)) return 1;
  if (FALSE.has(s)) return 0;
  return -1;
}

// ---------------------------------------------------------------- cell text

export function formatNumber(x: number): string {
  if (Number.isInteger(x)) {
    if (Object.is(x, -0)) return '0';
    if (Math.abs(x) < 1e21) return String(x);
    return BigInt(x).toString();
  }
  return String(x);
}

/** The text of a cell (CSV output, text columns of Arrow output). */
export function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isNaN(v) ? 'NaN' : formatNumber(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v instanceof Date ? v.toISOString() : String(v);
  }
}

/** Shortest decimal text that reads back to the same float32 (Arrow Float32 columns). */
export function formatFloat32(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return cellText(x);
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

/** True for Arrow Float32 columns: their numbers are written with formatFloat32. */
export function isFloat32(t: DataType | undefined): boolean {
  return t !== undefined && DataType.isFloat(t) && (t as unknown as { precision: number }).precision === Precision.SINGLE;
}

/** A test for text that CSV must quote (a quote, a line break or the delimiter). */
export function needsQuoteFn(delimiter: string): (s: string) => boolean {
  const dc = delimiter.charCodeAt(0);
  return (s) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 34 || c === 10 || c === 13 || c === dc) return true;
    }
    return false;
  };
}

const FORMULA = /^[=+\-@\t\r]/;

/** True when --safe-csv must neutralise a text cell (OWASP: =, +, -, @, tab, CR prefixes). */
export function isFormula(s: string): boolean {
  return FORMULA.test(s);
}

// ---------------------------------------------------------------- synthetic cells

/**
 * How a generated row fills one output column. `slot` is the feature's position in the generated
 * values (Dataset feature order).
 * - label: the row's class name; empty: null (pass-through columns);
 * - int: Math.round of the value (halves up; -0 becomes 0), or the value as is when `round` is false;
 * - float: the value; bool: >= 0.5 is true (in the column's spelling when it has one);
 * - categorical: the category of the rounded code, clamped to the known categories.
 */
export type SyntheticRule =
  | { readonly kind: 'label' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'int'; readonly slot: number; readonly round: boolean }
  | { readonly kind: 'float'; readonly slot: number }
  | { readonly kind: 'bool'; readonly slot: number; readonly text?: readonly [string, string] }
  | { readonly kind: 'categorical'; readonly slot: number; readonly categories: readonly string[] };

/**
 * One output column of generated rows: either a few possible cells (`choices`: label, bool,
 * categorical, empty) and `at` picks one by index, or (`choices` null) `at` is the number itself.
 * Writers format each choice once.
 */
export interface SyntheticColumn {
  readonly choices: readonly Cell[] | null;
  at(values: readonly number[], classCode: number): number;
}

/** The output columns of generated rows, by rule. */
export function syntheticColumns(rules: readonly SyntheticRule[], classNames: readonly string[]): SyntheticColumn[] {
  return rules.map((rule): SyntheticColumn => {
    switch (rule.kind) {
      case 'label':
        return { choices: classNames, at: (_, code) => code };
      case 'empty':
        return { choices: [null], at: () => 0 };
      case 'int': {
        const f = rule.slot;
        return { choices: null, at: rule.round ? (v) => Math.round(v[f]) + 0 : (v) => v[f] };
      }
      case 'float': {
        const f = rule.slot;
        return { choices: null, at: (v) => v[f] };
      }
      case 'bool': {
        const f = rule.slot;
        return { choices: rule.text ? [rule.text[0], rule.text[1]] : [false, true], at: (v) => (v[f] >= 0.5 ? 1 : 0) };
      }
      case 'categorical': {
        const f = rule.slot;
        const cats = rule.categories;
        if (cats.length === 0) return { choices: [null], at: () => 0 };
        return { choices: cats, at: (v) => Math.min(cats.length - 1, Math.max(0, Math.round(v[f]))) };
      }
    }
  });
}

/** The cells of one generated row (features by their rule, the class name, null elsewhere). */
export function syntheticCells(columns: readonly SyntheticColumn[], values: readonly number[], classCode: number): Cell[] {
  return columns.map((c) => (c.choices ? c.choices[c.at(values, classCode)] : c.at(values, classCode)));
}
