/**
 * Row sets of a Dataset as ascending Int32Arrays: the rows of a class, every row, masks to rows,
 * labels of rows. Pure; shared by every sampler.
 */
import { InterruptedError } from '../../core/errors.js';
import type { Dataset, SamplerContext } from '../../types.js';

/** Dataset rows of class `c` among `rows` (or every row), ascending. */
export function rowsOfClass(labels: Int32Array, c: number, rows?: ArrayLike<number>): Int32Array {
  const n = rows ? rows.length : labels.length;
  let m = 0;
  for (let i = 0; i < n; i++) if (labels[rows ? rows[i] : i] === c) m++;
  const out = new Int32Array(m);
  m = 0;
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    if (labels[r] === c) out[m++] = r;
  }
  return out;
}

/** Dataset rows of every class but `c`, ascending. */
export function rowsNotOfClass(labels: Int32Array, c: number): Int32Array {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== c) n++;
  const out = new Int32Array(n);
  for (let i = 0, t = 0; i < labels.length; i++) if (labels[i] !== c) out[t++] = i;
  return out;
}

/** 0..n-1 (over-samplers keep every input row). */
export function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Labels of `rows`, by position. */
export function labelsOf(data: Dataset, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows.length);
  for (let p = 0; p < rows.length; p++) out[p] = data.labels[rows[p]];
  return out;
}

/** Replaces local indices (into `rows`) by Dataset rows, in a new array. */
export function mapIndices(local: Int32Array, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(local.length);
  for (let t = 0; t < local.length; t++) out[t] = rows[local[t]];
  return out;
}

/** Number of set entries of a 0/1 mask. */
export function countMask(mask: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < mask.length; i++) m += mask[i];
  return m;
}

/** rows[i] for every i with keep[i] = 1, in order. */
export function filterRows(rows: Int32Array, keep: Uint8Array): Int32Array {
  const out = new Int32Array(countMask(keep));
  let m = 0;
  for (let i = 0; i < rows.length; i++) if (keep[i]) out[m++] = rows[i];
  return out;
}

/** Indices i with keep[i] = 1, ascending (the `indices` of a Resampled). */
export function maskToRows(keep: Uint8Array): Int32Array {
  const out = new Int32Array(countMask(keep));
  let m = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) out[m++] = i;
  return out;
}

/** Throws InterruptedError when the run's signal has fired (checked between phases). */
export function throwIfAborted(ctx: SamplerContext): void {
  if (ctx.signal?.aborted) throw new InterruptedError();
}
