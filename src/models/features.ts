/**
 * What every model does to its input: check the feature columns, standardize them with the
 * training mean/std, and derive the binary target (positive class code vs the rest).
 */
import { DataError } from '../core/errors.js';
import type { Dataset } from '../types.js';

/** Per-feature mean and standard deviation (population, like scikit-learn's StandardScaler; 0 becomes 1). */
export interface Standardizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

export function fitStandardizer(data: Dataset): Standardizer {
  const d = data.features.length;
  const n = data.nRows;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const col = data.features[j];
    let m = 0;
    for (let i = 0; i < n; i++) m += col[i];
    m /= n || 1;
    let v = 0;
    for (let i = 0; i < n; i++) v += (col[i] - m) * (col[i] - m);
    const s = Math.sqrt(v / (n || 1));
    mean[j] = m;
    std[j] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}

/** Identity standardizer (mean 0, std 1) for `d` features. */
export function identityStandardizer(d: number): Standardizer {
  return { mean: new Float64Array(d), std: new Float64Array(d).fill(1) };
}

/** Throws DataError REBALANCE_FEATURE_MISMATCH unless `data` has the `expected` number of features. */
export function checkFeatureCount(model: string, data: Dataset, expected: number): void {
  if (data.features.length !== expected) {
    throw new DataError(
      'REBALANCE_FEATURE_MISMATCH',
      `${model}: expected ${expected} feature columns (as in training), found ${data.features.length}; score data with the training columns`,
    );
  }
}

/** Row-major standardized features, Float64 (exact optimizers) or Float32 (tfjs, kNN). */
export function packStandardized<T extends Float32Array | Float64Array>(
  data: Dataset,
  s: Standardizer,
  Out: { new (n: number): T },
): T {
  const d = s.mean.length;
  const n = data.nRows;
  const out = new Out(n * d);
  for (let j = 0; j < d; j++) {
    const col = data.features[j];
    const m = s.mean[j];
    const inv = 1 / s.std[j];
    for (let i = 0; i < n; i++) out[i * d + j] = (col[i] - m) * inv;
  }
  return out;
}

/** 1 where labels[i] === positive, else 0. */
export function binaryTarget(labels: Int32Array, positive: number): Uint8Array {
  const y = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) y[i] = labels[i] === positive ? 1 : 0;
  return y;
}

/** Throws DataError REBALANCE_ONE_CLASS unless y has both classes (supervised models need both). */
export function requireBothClasses(model: string, y: Uint8Array): number {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  if (pos === 0 || pos === y.length) {
    throw new DataError(
      'REBALANCE_ONE_CLASS',
      `${model}: expected training rows of the positive class and of the others, found ${pos} positive of ${y.length}; check the label column and the fold`,
    );
  }
  return pos;
}

/** scikit-learn's class_weight='balanced' sample weights for a binary target: n / (2 * n_class). */
export function balancedWeights(y: Uint8Array): Float64Array {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  const n = y.length;
  const wPos = n / (2 * pos);
  const wNeg = n / (2 * (n - pos));
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = y[i] ? wPos : wNeg;
  return w;
}

/** Rejects NaN/Infinity features (the models cannot score them). */
export function checkFinite(model: string, data: Dataset): void {
  for (let j = 0; j < data.features.length; j++) {
    const col = data.features[j];
    for (let i = 0; i < col.length; i++) {
      if (!Number.isFinite(col[i])) {
        throw new DataError(
          'REBALANCE_NOT_FINITE',
          `${model}: expected finite feature values, found ${col[i]} in column '${data.featureNames[j]}' at row ${i + 1}; impute or drop missing values first`,
          { where: { row: i + 1, column: data.featureNames[j] } },
        );
      }
    }
  }
}

/** What every supervised binary model fits on: validated target, standardizer, packed rows, weights. */
export interface BinaryFitInput<T extends Float32Array | Float64Array> {
  readonly y: Uint8Array;
  readonly scaler: Standardizer;
  /** Row-major standardized features. */
  readonly x: T;
  /** Per-row sample weights ('balanced' class weights, or 1). */
  readonly s: Float64Array;
  readonly d: number;
}

/** The preparation logistic and mlp share: checks, binary target, standardization, class weights. */
export function prepareBinaryFit<T extends Float32Array | Float64Array>(
  model: string,
  train: Dataset,
  positive: number,
  classWeight: 'balanced' | 'none' | undefined,
  Out: { new (n: number): T },
): BinaryFitInput<T> {
  checkFinite(model, train);
  const y = binaryTarget(train.labels, positive);
  requireBothClasses(model, y);
  const scaler = fitStandardizer(train);
  const x = packStandardized(train, scaler, Out);
  const s = classWeight === 'balanced' ? balancedWeights(y) : new Float64Array(y.length).fill(1);
  return { y, scaler, x, s, d: train.features.length };
}
