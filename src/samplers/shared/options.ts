/**
 * Option validators for the samplers' `bind` steps. Every bad option (wrong type, out of range,
 * unknown variant) is a UsageError REBALANCE_BAD_OPTION whose one-line message names the method,
 * the option, the value and a value that works: "smote: kNeighbors must be an integer >= 1, got 0".
 */
import { UsageError } from '../../core/errors.js';

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? JSON.stringify(v) : String(v);
}

function bad(method: string, name: string, rule: string, value: unknown, fix: string): UsageError {
  return new UsageError('REBALANCE_BAD_OPTION', `${method}: ${name} must be ${rule}, got ${show(value)}; ${fix}`);
}

/** An integer option >= `min`, `fallback` when absent. */
export function intOption(method: string, name: string, value: unknown, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(method, name, `an integer >= ${min}`, v, `pass e.g. ${fallback}`);
  return v;
}

/** A finite number option in [min, max] (either bound optional), `fallback` when absent. */
export function numberOption<F extends number | undefined>(
  method: string,
  name: string,
  value: unknown,
  fallback: F,
  range: { readonly min?: number; readonly max?: number } = {},
): number | F {
  if (value === undefined) return fallback;
  const { min, max } = range;
  const ok = typeof value === 'number' && Number.isFinite(value) && !(min !== undefined && value < min) && !(max !== undefined && value > max);
  if (!ok) {
    const rule = min !== undefined && max !== undefined ? `a number in [${min}, ${max}]` : min !== undefined ? `a number >= ${min}` : max !== undefined ? `a number <= ${max}` : 'a finite number';
    throw bad(method, name, rule, value, fallback === undefined ? 'leave it out for the default' : `pass e.g. ${fallback}`);
  }
  return value;
}

/** A boolean option, `false` when absent. */
export function boolOption(method: string, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw bad(method, name, 'true or false', value, 'pass true or false');
  return value;
}

/**
 * One of `choices` (aliases map other accepted spellings to a choice), `fallback` when absent.
 */
export function enumOption<T extends string | number>(
  method: string,
  name: string,
  value: unknown,
  fallback: T,
  choices: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): T {
  if (value === undefined) return fallback;
  if ((choices as readonly unknown[]).includes(value)) return value as T;
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(aliases, value)) return aliases[value];
  throw bad(method, name, `one of ${choices.map(show).join(', ')}`, value, `pass ${show(fallback)}`);
}

/** ENN-style kind_sel: 'all' (every neighbour agrees) or 'mode' (majority vote). */
export type KindSel = 'all' | 'mode';

/** options.variant read as kind_sel (default 'all'). */
export function kindSelOption(method: string, value: unknown): KindSel {
  return enumOption<KindSel>(method, 'variant', value, 'all', ['all', 'mode']);
}

/** The class names a cleaning method is asked to clean (options.classes), or undefined. */
export function classesOption(method: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw bad(method, 'classes', 'a list of class names', value, "pass e.g. ['0', '1']");
  }
  return value as readonly string[];
}

/** The SMOTE family's kNeighbors (k_neighbors / n_neighbors) and kAuto. */
export interface KOptions {
  readonly k: number;
  readonly kAuto: boolean;
}

/** Reads kNeighbors (an integer >= 1, default `fallback`) and kAuto. */
export function kOptions(method: string, options: { readonly kNeighbors?: unknown; readonly kAuto?: unknown }, fallback = 5): KOptions {
  return { k: intOption(method, 'kNeighbors', options.kNeighbors, fallback), kAuto: boolOption(method, 'kAuto', options.kAuto) };
}

/** The ENN family's options: nNeighbors (3), variant as kind_sel ('all'), classes. */
export function ennOptions(method: string, options: { readonly nNeighbors?: unknown; readonly variant?: unknown; readonly classes?: unknown }) {
  return { k: intOption(method, 'nNeighbors', options.nNeighbors, 3), kind: kindSelOption(method, options.variant), classes: classesOption(method, options.classes) };
}

/** The condensation methods' options (condensed-nn, one-sided-selection): nNeighbors (1), classes. */
export function condenseOptions(method: string, options: { readonly nNeighbors?: unknown; readonly classes?: unknown }) {
  return { k: intOption(method, 'nNeighbors', options.nNeighbors, 1), classes: classesOption(method, options.classes) };
}
