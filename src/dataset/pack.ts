/**
 * Row-major Float32 packing of a Dataset's features for the kNN engine and GPU buffers.
 */
import type { Dataset } from '../types.js';

export type ScaleMode = 'none' | 'standard' | 'minmax';

/** Per-feature affine transform x' = (x - shift) * mult, computed on `data` (or a row subset). */
export interface Scaler {
  readonly shift: Float64Array;
  readonly mult: Float64Array;
}

export function fitScaler(data: Dataset, mode: ScaleMode, rows?: ArrayLike<number>, cols?: readonly number[]): Scaler {
  const columns = cols ?? data.features.map((_, j) => j);
  const d = columns.length;
  const shift = new Float64Array(d);
  const mult = new Float64Array(d).fill(1);
  if (mode === 'none') return { shift, mult };
  const n = rows ? rows.length : data.nRows;
  for (let c = 0; c < d; c++) {
    const col = data.features[columns[c]];
    if (mode === 'standard') {
      let mean = 0;
      for (let r = 0; r < n; r++) mean += col[rows ? rows[r] : r];
      mean /= n || 1;
      let v = 0;
      for (let r = 0; r < n; r++) {
        const t = col[rows ? rows[r] : r] - mean;
        v += t * t;
      }
      const std = Math.sqrt(v / (n || 1));
      shift[c] = mean;
      mult[c] = std > 0 ? 1 / std : 1;
    } else {
      let lo = Infinity;
      let hi = -Infinity;
      for (let r = 0; r < n; r++) {
        const x = col[rows ? rows[r] : r];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      shift[c] = n ? lo : 0;
      mult[c] = hi > lo ? 1 / (hi - lo) : 1;
    }
  }
  return { shift, mult };
}

/**
 * Packs rows (all, or the given Dataset row indices) and columns (all, or the given feature
 * indices) into a row-major Float32Array, applying `scaler` when given.
 */
export function packFeatures(
  data: Dataset,
  rows?: ArrayLike<number>,
  cols?: readonly number[],
  scaler?: Scaler,
): Float32Array {
  const columns = cols ?? data.features.map((_, j) => j);
  const d = columns.length;
  const n = rows ? rows.length : data.nRows;
  const out = new Float32Array(n * d);
  for (let c = 0; c < d; c++) {
    const col = data.features[columns[c]];
    const shift = scaler ? scaler.shift[c] : 0;
    const mult = scaler ? scaler.mult[c] : 1;
    for (let r = 0; r < n; r++) {
      out[r * d + c] = (col[rows ? rows[r] : r] - shift) * mult;
    }
  }
  return out;
}

/**
 * What samplers call before a neighbour search: the scaler is fitted on every row of `data`
 * (all rows the sampler was given), then the requested rows/columns are packed.
 */
export function packForKnn(
  data: Dataset,
  scale: ScaleMode | undefined,
  rows?: ArrayLike<number>,
  cols?: readonly number[],
): Float32Array {
  const scaler = scale && scale !== 'none' ? fitScaler(data, scale, undefined, cols) : undefined;
  return packFeatures(data, rows, cols, scaler);
}
