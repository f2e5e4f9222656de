/**
 * A small linear SVM for SVM-SMOTE, which needs support vectors and nothing else from the SVM.
 *
 * Solver: dual coordinate descent for the L1-loss (hinge) soft-margin SVM (Hsieh et al. 2008,
 * "A dual coordinate descent method for large-scale linear SVM", the LIBLINEAR solver):
 * minimise 0.5 a'Qa - sum(a) subject to 0 <= a_i <= C, Q_ij = y_i y_j (x_i . x_j + 1) (the +1 is
 * the bias as an extra constant feature), with LIBLINEAR's shrinking of rows stuck at a bound.
 * One pass visits the active rows in a fresh random order drawn from `rng`; it stops when the
 * projected gradient's spread over all rows falls under `tol` or after `maxIter` passes. Rows with a_i > 0 are the support vectors (on or inside the margin), exactly the rows
 * an SVC's `support_` lists for a linear kernel.
 *
 * Deterministic given rng. Pure compute on a row-major Float64Array; features should be on
 * comparable scales (SVM-SMOTE standardises them first).
 */
import type { Rng } from '../core/rng.js';

export interface LinearSvmOptions {
  /** Soft-margin penalty C (default 1, as scikit-learn's SVC). */
  readonly C?: number;
  /** Most passes over the rows (default 1000, as LIBLINEAR). */
  readonly maxIter?: number;
  /** Stop when max - min projected gradient < tol (default 1e-2; LIBLINEAR uses 0.1). */
  readonly tol?: number;
}

export interface LinearSvm {
  /** Weights, one per feature. */
  readonly w: Float64Array;
  /** Bias: decision(x) = w . x + b. */
  readonly b: number;
  /** Dual coefficients a_i in [0, C]; a_i > 0 marks a support vector. */
  readonly alpha: Float64Array;
  /** Passes made, and whether the tolerance was reached. */
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Trains a binary linear SVM on `x` (row-major n x dim) with labels `y` in {-1, +1}.
 * @throws RangeError on shape mismatch or labels other than -1/+1.
 */
export function trainLinearSvm(x: Float64Array, y: Int8Array, dim: number, rng: Rng, opts: LinearSvmOptions = {}): LinearSvm {
  const n = y.length;
  if (x.length !== n * dim) throw new RangeError(`trainLinearSvm: x has ${x.length} values, expected ${n} x ${dim}`);
  for (let i = 0; i < n; i++) if (y[i] !== 1 && y[i] !== -1) throw new RangeError(`trainLinearSvm: label ${y[i]} at row ${i}, expected -1 or +1`);
  const C = opts.C ?? 1;
  const maxIter = opts.maxIter ?? 1000;
  const tol = opts.tol ?? 1e-2;
  const w = new Float64Array(dim);
  let b = 0;
  const alpha = new Float64Array(n);
  const qii = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1; // bias feature
    for (let j = 0; j < dim; j++) s += x[i * dim + j] * x[i * dim + j];
    qii[i] = s;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // LIBLINEAR's shrinking: rows stuck at a bound with a gradient beyond last pass's extremes
  // leave the active set; at convergence on the active set every row is checked again.
  let active = n;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  let it = 0;
  let converged = false;
  while (it < maxIter) {
    // Fisher-Yates over the active rows with the seeded stream.
    for (let i = active - 1; i > 0; i--) {
      const r = rng.nextInt(i + 1);
      const t = order[i];
      order[i] = order[r];
      order[r] = t;
    }
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (let s = 0; s < active; s++) {
      const i = order[s];
      let dot = b;
      const base = i * dim;
      for (let j = 0; j < dim; j++) dot += w[j] * x[base + j];
      const g = y[i] * dot - 1;
      const a = alpha[i];
      let pg = 0;
      if (a === 0) {
        if (g > pgMaxOld) {
          active--;
          order[s] = order[active];
          order[active] = i;
          s--;
          continue;
        }
        if (g < 0) pg = g;
      } else if (a === C) {
        if (g < pgMinOld) {
          active--;
          order[s] = order[active];
          order[active] = i;
          s--;
          continue;
        }
        if (g > 0) pg = g;
      } else {
        pg = g;
      }
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) > 1e-12) {
        const na = Math.min(Math.max(a - g / qii[i], 0), C);
        const delta = (na - a) * y[i];
        if (delta !== 0) {
          alpha[i] = na;
          for (let j = 0; j < dim; j++) w[j] += delta * x[base + j];
          b += delta;
        }
      }
    }
    it++;
    if (active === 0 || pgMax - pgMin <= tol) {
      if (active === n) {
        converged = true;
        break;
      }
      active = n;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
    pgMinOld = pgMin >= 0 ? -Infinity : pgMin;
  }
  return { w, b, alpha, iterations: it, converged };
}

/** w . x_i + b for row i of a row-major matrix. */
export function svmDecision(model: LinearSvm, x: Float64Array, dim: number, i: number): number {
  let s = model.b;
  for (let j = 0; j < dim; j++) s += model.w[j] * x[i * dim + j];
  return s;
}
