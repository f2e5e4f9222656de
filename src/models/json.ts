/**
 * The versioned JSON envelope every saved model shares, and strict readers for its fields.
 * Saved models are parsed as data only: every field is type-checked, every numeric array is
 * checked element by element, and anything unexpected is a DataError REBALANCE_BAD_MODEL.
 */
import { DataError } from '../core/errors.js';

/** Identifies a rebalance model file. */
export const MODEL_FORMAT = 'rebalance-model';
/** Bumped whenever a saved model's layout changes; loadModel accepts only this version. */
export const MODEL_VERSION = 1;

export interface ModelEnvelope {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  readonly model: string;
  readonly featureNames: readonly string[];
}

/** The envelope fields for a model of `name` fitted on `featureNames`. */
export function envelope(name: string, featureNames: readonly string[]): ModelEnvelope {
  return { format: MODEL_FORMAT, version: MODEL_VERSION, model: name, featureNames: [...featureNames] };
}

/** Throws the one error type a malformed model file produces. */
export function badModel(detail: string): never {
  throw new DataError('REBALANCE_BAD_MODEL', `invalid model file: ${detail}; re-create it with \`rebalance train\``);
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A plain object at `where`. */
export function readObject(v: unknown, where: string): JsonObject {
  if (!isObject(v)) badModel(`expected an object at ${where}, found ${describe(v)}`);
  return v;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return typeof v;
}

/** A finite number, optionally an integer within [min, max]. */
export function readNumber(obj: JsonObject, key: string, opts: { int?: boolean; min?: number; max?: number } = {}): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) badModel(`expected a finite number at '${key}', found ${describe(v)}`);
  if (opts.int && !Number.isInteger(v)) badModel(`expected an integer at '${key}', found ${v}`);
  if (opts.min !== undefined && v < opts.min) badModel(`expected '${key}' >= ${opts.min}, found ${v}`);
  if (opts.max !== undefined && v > opts.max) badModel(`expected '${key}' <= ${opts.max}, found ${v}`);
  return v;
}

/** One of the allowed strings. */
export function readEnum<T extends string>(obj: JsonObject, key: string, allowed: readonly T[]): T {
  const v = obj[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    badModel(`expected '${key}' to be one of ${allowed.map((a) => `'${a}'`).join(', ')}, found ${describe(v)}`);
  }
  return v as T;
}

/** An array of finite numbers (length checked when given), copied into a Float64Array. */
export function readNumbers(obj: JsonObject, key: string, length?: number): Float64Array {
  const v = obj[key];
  if (!Array.isArray(v)) badModel(`expected an array of numbers at '${key}', found ${describe(v)}`);
  if (length !== undefined && v.length !== length) badModel(`expected ${length} numbers at '${key}', found ${v.length}`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) badModel(`expected a finite number at '${key}[${i}]', found ${describe(x)}`);
    out[i] = x;
  }
  return out;
}

/** Like readNumbers, for integers within [min, max], into an Int32Array. */
export function readInts(obj: JsonObject, key: string, min: number, max: number, length?: number): Int32Array {
  const xs = readNumbers(obj, key, length);
  const out = new Int32Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isInteger(xs[i]) || xs[i] < min || xs[i] > max) {
      badModel(`expected an integer in [${min}, ${max}] at '${key}[${i}]', found ${xs[i]}`);
    }
    out[i] = xs[i];
  }
  return out;
}

/** An array of strings. */
export function readStrings(obj: JsonObject, key: string): string[] {
  const v = obj[key];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    badModel(`expected an array of strings at '${key}', found ${describe(v)}`);
  }
  return v as string[];
}

/** An array of objects. */
export function readObjects(obj: JsonObject, key: string): JsonObject[] {
  const v = obj[key];
  if (!Array.isArray(v)) badModel(`expected an array of objects at '${key}', found ${describe(v)}`);
  return v.map((x, i) => readObject(x, `'${key}[${i}]'`));
}

/** Float32/Float64 values as a plain number array (float32 values survive JSON exactly). */
export function toNumbers(a: ArrayLike<number>): number[] {
  return Array.from(a);
}
