/**
 * Argument and data checks every kNN backend applies the same way (cpu.ts, webgpu/backend.ts),
 * so both fail with the same codes and words.
 */
import { DataError } from '../core/errors.js';

/** REBALANCE_KNN_NONFINITE naming the first non-finite value of `values`. */
export function nonFinite(values: Float32Array, what: string): DataError {
  const i = values.findIndex((v) => !Number.isFinite(v));
  return new DataError(
    'REBALANCE_KNN_NONFINITE',
    `expected finite ${what} coordinates, found ${values[i]} at position ${i}; impute or drop missing/infinite values first`,
  );
}

/** Largest |coordinate|; throws REBALANCE_KNN_NONFINITE on NaN or infinity. */
export function maxAbsFinite(values: Float32Array, what: string): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > m) m = a;
    else if (!(a <= m)) throw nonFinite(values, what);
  }
  if (m === Infinity) throw nonFinite(values, what);
  return m;
}

/**
 * maxAbsFinite and the column means (float64; zeros for no rows) of row-major `points` in one
 * pass over the data.
 */
export function scanIndexed(points: Float32Array, dim: number): { maxAbs: number; mean: Float64Array } {
  const n = points.length / dim;
  const mean = new Float64Array(dim);
  let m = 0;
  for (let i = 0, o = 0; i < n; i++) {
    for (let j = 0; j < dim; j++, o++) {
      const v = points[o];
      mean[j] += v;
      const a = Math.abs(v);
      if (a > m) m = a;
      else if (!(a <= m)) throw nonFinite(points, 'indexed');
    }
  }
  if (m === Infinity) throw nonFinite(points, 'indexed');
  if (n > 0) for (let j = 0; j < dim; j++) mean[j] /= n;
  return { maxAbs: m, mean };
}

/** Rows sampleCenter averages at most. */
export const CENTER_SAMPLE_ROWS = 4096;

/**
 * Float64 column means of at most `maxRows` evenly spaced rows of row-major `points` (all rows
 * when there are that few; zeros for none): a center near the data's mean for one pass that
 * centers every row (webgpu/search.ts prepareRows) instead of a pass for the mean first. Throws
 * REBALANCE_KNN_NONFINITE on a non-finite sampled value; rows outside the sample are checked by
 * that pass.
 */
export function sampleCenter(points: Float32Array, dim: number, maxRows = CENTER_SAMPLE_ROWS): Float64Array {
  const n = points.length / dim;
  const center = new Float64Array(dim);
  const take = Math.min(n, maxRows);
  for (let s = 0; s < take; s++) {
    const o = Math.floor((s * n) / take) * dim;
    for (let j = 0; j < dim; j++) center[j] += points[o + j];
  }
  for (let j = 0; j < dim; j++) {
    if (!Number.isFinite(center[j])) throw nonFinite(points, 'indexed');
    if (take > 0) center[j] /= take;
  }
  return center;
}

/** Throws RangeError for a k that is not a non-negative integer, REBALANCE_K_TOO_LARGE above `available`. */
export function checkK(k: number, available: number, self: boolean): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
  if (k > available) {
    throw new DataError(
      'REBALANCE_K_TOO_LARGE',
      `expected k <= ${available} (the ${self ? 'other ' : ''}indexed rows), got k=${k}; lower k or supply more rows`,
    );
  }
}

/**
 * Whether float32 arithmetic on rows centered on some point, the largest squared norm of them
 * `maxNorm`, cannot overflow: every squared distance is at most (|q| + |r|)^2 <= 4 maxNorm, kept
 * below 2^120 as in float32Safe (the webgpu backend's test; Infinity and NaN are unsafe).
 */
export function centeredFloat32Safe(maxNorm: number): boolean {
  return 4 * maxNorm < 2 ** 120;
}

/**
 * Whether float32 squared distances cannot overflow: (2 max)^2 * dim stays below 2^120, far under
 * the float32 maximum. Beyond it backends answer with the exact float64 scan.
 */
export function float32Safe(maxAbs: number, dim: number): boolean {
  return 4 * maxAbs * maxAbs * dim < 2 ** 120;
}
