/**
 * Doubles that exercise a shortest round-trip formatter (test/unit/io/number-text.test.ts,
 * test/fuzz/number-text.test.ts): families by name, each drawn from a seeded Rng.
 */
import { createRng, type Rng } from '../../../src/core/rng.js';

const view = new DataView(new ArrayBuffer(8));
/** The double with these 64 bits (high word, low word). */
export function fromBits(hi: number, lo: number): number {
  view.setUint32(0, hi >>> 0);
  view.setUint32(4, lo >>> 0);
  return view.getFloat64(0);
}
/** The neighbouring doubles of x (same sign, one unit in the last place away), and x. */
export function around(x: number): number[] {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const out = [x];
  for (const d of [-2n, -1n, 1n, 2n]) {
    const b = bits + d;
    if (b < 0n || b >= 1n << 64n) continue;
    view.setBigUint64(0, b);
    out.push(view.getFloat64(0));
  }
  return out;
}

type Family = (rng: Rng, n: number) => Float64Array;

/** 5-decimal numbers as bench/gen.mjs writes them (normal draws, rounded). */
const fiveDecimals = (rng: Rng): number => Math.round(rng.nextNormal() * 1e5) / 1e5;

export const FAMILIES: Record<string, Family> = {
  /** Any 64-bit pattern (NaN and infinities included). */
  bits: (rng, n) => Float64Array.from({ length: n }, () => fromBits(rng.nextUint32(), rng.nextUint32())),
  /** Uniform in [-1e3, 1e3], rounded to 0..17 decimals or not at all. */
  uniform: (rng, n) =>
    Float64Array.from({ length: n }, () => {
      const u = (rng.nextFloat() * 2 - 1) * 1e3;
      const k = rng.nextInt(19);
      return k === 18 ? u : Math.round(u * 10 ** k) / 10 ** k;
    }),
  /** What SMOTE writes: x + step * (y - x) of 5-decimal numbers. */
  interpolated: (rng, n) =>
    Float64Array.from({ length: n }, () => {
      const x = fiveDecimals(rng);
      const y = fiveDecimals(rng);
      return x + rng.nextFloat() * (y - x);
    }),
  /** Integers: small, up to 2^53, up to 1e22 (past 1e21 formatNumber writes every digit), negated half the time. */
  integers: (rng, n) =>
    Float64Array.from({ length: n }, () => {
      const scale = [1e3, 2 ** 31, 2 ** 53, 1e22][rng.nextInt(4)];
      const v = Math.floor(rng.nextFloat() * scale);
      return rng.nextInt(2) ? -v : v;
    }),
  /** Subnormals, the smallest normals and their neighbours. */
  subnormal: (rng, n) => Float64Array.from({ length: n }, () => fromBits(rng.nextInt(2) ? 0x80000000 | rng.nextInt(0x100000 + 1) : rng.nextInt(0x100000 + 1), rng.nextUint32())),
  /** Few significant digits at every scale: d[.ddd] x 10^e (halfway cases and short outputs). */
  short: (rng, n) =>
    Float64Array.from({ length: n }, () => {
      const digits = 1 + rng.nextInt(6);
      const m = 1 + rng.nextInt(10 ** digits - 1);
      return Number(`${m}e${rng.nextInt(640) - 330}`);
    }),
};

/** Fixed cases: powers of 10 and 2 with their neighbours, layout boundaries, extremes. */
export function boundaryCases(): Float64Array {
  const xs: number[] = [0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, Number.EPSILON, 2 ** -1022];
  for (let e = -324; e <= 308; e++) xs.push(...around(Number(`1e${e}`)), ...around(Number(`5e${e}`)), ...around(Number(`-1e${e}`)));
  for (let e = -1074; e <= 1023; e++) xs.push(...around(2 ** e));
  for (const x of [1e21, 1e-7, 1e-6, 1e20, 1e22, 5e-324, 2 ** 53, 2 ** 53 + 2, 9007199254740993, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 0.5, 1.5, 2.5, 123456789012345680000, 999999999999999900000]) {
    xs.push(...around(x), ...around(-x));
  }
  for (let k = 0; k < 17; k++) xs.push(...around(0.5 * 10 ** -k), ...around(2.5 * 10 ** -k), ...around(1.25 * 10 ** k));
  return Float64Array.from(xs);
}

/** `perFamily` doubles of every family from `seed`. */
export function drawAll(seed: number, perFamily: number): Record<string, Float64Array> {
  const rng = createRng(seed);
  const out: Record<string, Float64Array> = {};
  for (const [name, f] of Object.entries(FAMILIES)) out[name] = f(rng.fork(name), perFamily);
  return out;
}
