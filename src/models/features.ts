/**
 * What every model does to its input: check the feature columns, one-hot encode categorical
 * ones, standardize every column with the training mean/std, and derive the binary target
 * (positive class code vs the rest).
 *
 * Categorical features: logistic, mlp and knn see one 0/1 column per category (scikit-learn's
 * OneHotEncoder(handle_unknown='ignore') before StandardScaler), never the integer codes, which
 * would invent an order and distances between categories. Categories are matched by their
 * strings, so a table whose categories appear in another order scores the same; a category
 * unseen in training sets none of its feature's columns.
 */
import { DataError } from '../core/errors.js';
import type { Dataset } from '../types.js';

/** At most this many categories per one-hot encoded feature (more looks like an id column). */
export const MAX_ONE_HOT_CATEGORIES = 1000;

/**
 * Per encoded column mean and standard deviation (population, like scikit-learn's
 * StandardScaler; 0 becomes 1), and the one-hot layout of the input features.
 */
export interface Standardizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /**
   * Per input feature: null for a numeric feature (one column), else its categories (one 0/1
   * column each, in this order). Absent: every feature is one column (numeric, or a model
   * saved before one-hot encoding, which scores categorical codes as numbers).
   */
  readonly oneHot?: readonly (readonly string[] | null)[];
}

/** The one-hot layout of `data`'s features; undefined when none is categorical. */
function oneHotLayout(data: Dataset): (readonly string[] | null)[] | undefined {
  if (!data.featureKinds.includes('categorical')) return undefined;
  return data.featureKinds.map((kind, j) => {
    if (kind !== 'categorical') return null;
    const cats = data.categories[j] ?? [];
    if (cats.length > MAX_ONE_HOT_CATEGORIES) {
      throw new DataError(
        'REBALANCE_TOO_MANY_CATEGORIES',
        `categorical feature '${data.featureNames[j]}' has ${cats.length} categories, more than the ${MAX_ONE_HOT_CATEGORIES} a model one-hot encodes; carry it through with --passthrough if it is an id`,
      );
    }
    return [...cats];
  });
}

export function fitStandardizer(data: Dataset): Standardizer {
  const oneHot = oneHotLayout(data);
  const n = data.nRows;
  const width = oneHot ? oneHot.reduce((w, c) => w + (c ? c.length : 1), 0) : data.features.length;
  const s0: Standardizer = { mean: new Float64Array(width), std: new Float64Array(width).fill(1), oneHot };
  // The encoded columns, unstandardized (mean 0, std 1), then their moments.
  const x = packStandardized(data, s0, Float64Array);
  const mean = new Float64Array(width);
  const std = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * width + j];
    m /= n || 1;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i * width + j] - m) * (x[i * width + j] - m);
    const s = Math.sqrt(v / (n || 1));
    mean[j] = m;
    std[j] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return oneHot ? { mean, std, oneHot } : { mean, std };
}

/** How many columns the model sees (the encoded width). */
export function encodedWidth(s: Standardizer): number {
  return s.mean.length;
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

/** Row-major one-hot encoded, standardized features, Float64 (exact optimizers) or Float32 (tfjs, kNN). */
export function packStandardized<T extends Float32Array | Float64Array>(
  data: Dataset,
  s: Standardizer,
  Out: { new (n: number): T },
): T {
  const d = s.mean.length;
  const n = data.nRows;
  const out = new Out(n * d);
  const numeric = (col: Float64Array, c: number): void => {
    const m = s.mean[c];
    const inv = 1 / s.std[c];
    for (let i = 0; i < n; i++) out[i * d + c] = (col[i] - m) * inv;
  };
  if (!s.oneHot) {
    for (let j = 0; j < d; j++) numeric(data.features[j], j);
    return out;
  }
  let c = 0;
  s.oneHot.forEach((cats, j) => {
    const col = data.features[j];
    if (!cats) {
      numeric(col, c++);
      return;
    }
    if (data.featureKinds[j] !== 'categorical') {
      throw new DataError(
        'REBALANCE_FEATURE_MISMATCH',
        `feature '${data.featureNames[j]}' was categorical in training, found ${data.featureKinds[j]}; score data with the training columns (or --categorical ${data.featureNames[j]})`,
      );
    }
    // This table's codes -> the training categories' columns (-1: unseen in training).
    const index = new Map(cats.map((name, k) => [name, k]));
    const codes = (data.categories[j] ?? []).map((name) => index.get(name) ?? -1);
    for (let k = 0; k < cats.length; k++) {
      const zero = (0 - s.mean[c + k]) / s.std[c + k];
      for (let i = 0; i < n; i++) out[i * d + c + k] = zero;
    }
    for (let i = 0; i < n; i++) {
      const k = codes[col[i]] ?? -1;
      if (k >= 0) out[i * d + c + k] = (1 - s.mean[c + k]) / s.std[c + k];
    }
    c += cats.length;
  });
  return out;
}

/** The scaler fields of a saved model: mean, std and (when present) oneHot. */
export function scalerToJSON(s: Standardizer): Record<string, unknown> {
  return {
    mean: Array.from(s.mean),
    std: Array.from(s.std),
    ...(s.oneHot ? { oneHot: s.oneHot.map((c) => (c ? [...c] : null)) } : {}),
  };
}

/**
 * Reads the scaler fields of a saved model for `nFeatures` input features; `fail` throws the
 * model format's error. Returns the scaler and its encoded width.
 */
export function scalerFromJSON(
  obj: Readonly<Record<string, unknown>>,
  nFeatures: number,
  readNumbers: (obj: Readonly<Record<string, unknown>>, key: string, length?: number) => Float64Array,
  fail: (detail: string) => never,
): Standardizer {
  let oneHot: (readonly string[] | null)[] | undefined;
  if (obj.oneHot !== undefined) {
    const raw = obj.oneHot;
    if (!Array.isArray(raw) || raw.length !== nFeatures) fail(`expected 'oneHot' to list ${nFeatures} features`);
    oneHot = raw.map((c, j) => {
      if (c === null) return null;
      if (!Array.isArray(c) || c.length === 0 || !c.every((x) => typeof x === 'string')) fail(`expected 'oneHot[${j}]' to be null or a non-empty list of strings`);
      return c as string[];
    });
  }
  const width = oneHot ? oneHot.reduce((w, c) => w + (c ? c.length : 1), 0) : nFeatures;
  const std = readNumbers(obj, 'std', width);
  if (std.some((v) => v <= 0)) fail("expected positive values at 'std'");
  const mean = readNumbers(obj, 'mean', width);
  return oneHot ? { mean, std, oneHot } : { mean, std };
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
  return { y, scaler, x, s, d: encodedWidth(scaler) };
}
