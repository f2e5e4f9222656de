/**
 * The probabilistic classifier instance-hardness-threshold uses to score each row out of fold:
 * multinomial logistic regression (softmax) with an L2 penalty, fitted by full-batch gradient
 * descent from zero weights on standardized features.
 *
 * Why not models/logistic.ts: that model is binary (one sigmoid) while IHT scores every class of
 * a multi-class table at once; this one is small, dependency-free and deterministic (zero start,
 * fixed step count), so it needs no seed. imbalanced-learn's default estimator is a random forest;
 * any probabilistic classifier fits the method, and rankings of "hard" rows only need to be
 * sensible, not identical.
 */

/** Fitting options; defaults suit standardized tabular data. */
export interface SoftmaxOptions {
  /** Gradient steps (default 200). */
  readonly iterations?: number;
  /** Step size (default 0.5). */
  readonly learningRate?: number;
  /** L2 penalty on the weights, not the intercepts (default 1e-3). */
  readonly l2?: number;
}

/** A fitted model: nClasses x (dim + 1) weights (last column the intercept) and the scaling. */
export interface SoftmaxModel {
  readonly dim: number;
  readonly nClasses: number;
  readonly weights: Float64Array;
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
}

/**
 * Fits the model on `rows` of a row-major n x dim matrix `x` with class codes `y` in [0, nClasses).
 */
export function fitSoftmax(
  x: Float64Array,
  dim: number,
  y: Int32Array,
  nClasses: number,
  rows: Int32Array,
  options: SoftmaxOptions = {},
): SoftmaxModel {
  const iterations = options.iterations ?? 200;
  const lr = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-3;
  const n = rows.length;
  const mean = new Float64Array(dim);
  const invStd = new Float64Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) mean[j] += x[r * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n || 1;
  for (const r of rows) {
    for (let j = 0; j < dim; j++) {
      const t = x[r * dim + j] - mean[j];
      invStd[j] += t * t;
    }
  }
  for (let j = 0; j < dim; j++) {
    const sd = Math.sqrt(invStd[j] / (n || 1));
    invStd[j] = sd > 0 ? 1 / sd : 1;
  }
  const stride = dim + 1;
  const weights = new Float64Array(nClasses * stride);
  const grad = new Float64Array(nClasses * stride);
  const z = new Float64Array(dim);
  const p = new Float64Array(nClasses);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    for (const r of rows) {
      for (let j = 0; j < dim; j++) z[j] = (x[r * dim + j] - mean[j]) * invStd[j];
      softmaxInto(weights, z, dim, nClasses, p);
      const yr = y[r];
      for (let c = 0; c < nClasses; c++) {
        const e = p[c] - (c === yr ? 1 : 0);
        const base = c * stride;
        for (let j = 0; j < dim; j++) grad[base + j] += e * z[j];
        grad[base + dim] += e;
      }
    }
    for (let c = 0; c < nClasses; c++) {
      const base = c * stride;
      for (let j = 0; j < dim; j++) weights[base + j] -= lr * (grad[base + j] / n + l2 * weights[base + j]);
      weights[base + dim] -= (lr * grad[base + dim]) / n;
    }
  }
  return { dim, nClasses, weights, mean, invStd };
}

/** Class probabilities of standardized features z into `out` (numerically stable softmax). */
function softmaxInto(weights: Float64Array, z: Float64Array, dim: number, nClasses: number, out: Float64Array): void {
  const stride = dim + 1;
  let max = -Infinity;
  for (let c = 0; c < nClasses; c++) {
    let s = weights[c * stride + dim];
    for (let j = 0; j < dim; j++) s += weights[c * stride + j] * z[j];
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < nClasses; c++) {
    out[c] = Math.exp(out[c] - max);
    sum += out[c];
  }
  for (let c = 0; c < nClasses; c++) out[c] /= sum;
}

/** Probability of class `cls[i]` for each of `rows` (the row's own class, for hardness). */
export function predictOwnClass(model: SoftmaxModel, x: Float64Array, rows: Int32Array, cls: Int32Array): Float64Array {
  const { dim, nClasses } = model;
  const z = new Float64Array(dim);
  const p = new Float64Array(nClasses);
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (let j = 0; j < dim; j++) z[j] = (x[r * dim + j] - model.mean[j]) * model.invStd[j];
    softmaxInto(model.weights, z, dim, nClasses, p);
    out[i] = p[cls[i]];
  }
  return out;
}
