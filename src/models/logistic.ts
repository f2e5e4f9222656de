/**
 * L2-regularised logistic regression, scikit-learn's LogisticRegression(C=1.0) objective:
 *   minimize 0.5 * ||w||^2 + C * sum_i s_i * logloss(y_i, sigmoid(w.x_i + b))   (b not penalised)
 * on standardized inputs (training mean/std are stored in the model).
 *
 * Why not tfjs: tfjs has no L-BFGS/Newton and computes in float32; a first-order full-batch
 * optimizer needs thousands of steps to reach the optimum scikit-learn's lbfgs finds, and tfjs
 * start-up alone costs more than this whole fit. The problem is convex with d+1 unknowns, so a
 * float64 damped Newton method (Cholesky solve, step halving) reaches the exact optimum in ~10
 * iterations of O(n d^2): deterministic, backend-free, and at parity with scikit-learn.
 */
import type { Rng } from '../core/rng.js';
import type { Classifier, Dataset, FitOptions, FittedClassifier } from '../types.js';
import {
  checkFeatureCount,
  encodedWidth,
  packStandardized,
  scalerFromJSON,
  scalerToJSON,
  prepareBinaryFit,
  type Standardizer,
} from './features.js';
import { badModel, envelope, readEnum, readNumber, readNumbers, readStrings, toNumbers, type JsonObject } from './json.js';

export interface LogisticOptions {
  /** Inverse regularisation strength (scikit-learn's C), default 1.0. */
  readonly C?: number;
  /** 'balanced' weighs each class by n / (2 n_class), as scikit-learn's class_weight. */
  readonly classWeight?: 'balanced' | 'none';
  /** Newton iterations at most (default 100). */
  readonly maxIter?: number;
}

/** log(1 + exp(z)) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Solves A x = b in place for a symmetric positive definite A (p x p, row-major) by Cholesky. */
function choleskySolve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      if (i === j) l[i * p + i] = Math.sqrt(Math.max(s, 1e-300));
      else l[i * p + j] = s / l[j * p + j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * z[k];
    z[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

/**
 * The exact minimiser (coefficients then intercept, length d + 1) of the objective above for
 * row-major standardized `x` (n x d), binary `y` and sample weights `s`.
 */
export function fitLogisticNewton(
  x: Float64Array,
  y: Uint8Array,
  s: Float64Array,
  d: number,
  C: number,
  maxIter = 100,
): Float64Array {
  const n = y.length;
  const p = d + 1;
  let w = new Float64Array(p);
  const z = new Float64Array(n);
  const objective = (beta: Float64Array): number => {
    let f = 0;
    for (let j = 0; j < d; j++) f += 0.5 * beta[j] * beta[j];
    for (let i = 0; i < n; i++) {
      let t = beta[d];
      for (let j = 0; j < d; j++) t += beta[j] * x[i * d + j];
      z[i] = t;
      f += C * s[i] * (softplus(t) - (y[i] ? t : 0));
    }
    return f;
  };
  let f = objective(w);
  const g = new Float64Array(p);
  const h = new Float64Array(p * p);
  for (let iter = 0; iter < maxIter; iter++) {
    g.fill(0);
    h.fill(0);
    for (let j = 0; j < d; j++) {
      g[j] = w[j];
      h[j * p + j] = 1;
    }
    h[d * p + d] = 1e-10;
    for (let i = 0; i < n; i++) {
      const pr = sigmoid(z[i]);
      const r = C * s[i] * (pr - y[i]);
      const c = C * s[i] * pr * (1 - pr);
      const row = i * d;
      for (let a = 0; a < d; a++) {
        const xa = x[row + a];
        g[a] += r * xa;
        const ca = c * xa;
        for (let b = 0; b <= a; b++) h[a * p + b] += ca * x[row + b];
        h[d * p + a] += ca;
      }
      g[d] += r;
      h[d * p + d] += c;
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) h[b * p + a] = h[a * p + b];
    const step = choleskySolve(h, g, p);
    let t = 1;
    let next = new Float64Array(p);
    let fNext = Infinity;
    for (let halvings = 0; halvings < 40; halvings++) {
      for (let j = 0; j < p; j++) next[j] = w[j] - t * step[j];
      fNext = objective(next);
      if (fNext <= f) break;
      t /= 2;
    }
    if (!(fNext <= f)) {
      objective(w); // restore z for w
      break;
    }
    let maxStep = 0;
    for (let j = 0; j < p; j++) maxStep = Math.max(maxStep, Math.abs(t * step[j]));
    [w, next] = [next, w];
    const decrease = f - fNext;
    f = fNext;
    if (maxStep < 1e-10 || decrease <= 1e-14 * Math.max(1, Math.abs(f))) break;
  }
  return w;
}

/** A fitted logistic model: p = sigmoid(coef . (x - mean) / std + intercept). */
export class FittedLogistic implements FittedClassifier {
  readonly name = 'logistic';
  constructor(
    readonly featureNames: readonly string[],
    readonly scaler: Standardizer,
    readonly coef: Float64Array,
    readonly intercept: number,
    readonly C: number,
    readonly classWeight: 'balanced' | 'none',
  ) {}

  async predictProba(data: Dataset): Promise<Float32Array> {
    const d = this.coef.length;
    checkFeatureCount(this.name, data, this.featureNames.length);
    const x = packStandardized(data, this.scaler, Float64Array);
    const out = new Float32Array(data.nRows);
    for (let i = 0; i < data.nRows; i++) {
      let t = this.intercept;
      for (let j = 0; j < d; j++) t += this.coef[j] * x[i * d + j];
      out[i] = sigmoid(t);
    }
    return out;
  }

  toJSON(): unknown {
    return {
      ...envelope(this.name, this.featureNames),
      C: this.C,
      classWeight: this.classWeight,
      ...scalerToJSON(this.scaler),
      coef: toNumbers(this.coef),
      intercept: this.intercept,
    };
  }

  dispose(): void {}
}

/** Rebuilds a FittedLogistic from its validated JSON object (envelope already checked). */
export function logisticFromJSON(obj: JsonObject): FittedLogistic {
  const featureNames = readStrings(obj, 'featureNames');
  const scaler = scalerFromJSON(obj, featureNames.length, readNumbers, badModel);
  return new FittedLogistic(
    featureNames,
    scaler,
    readNumbers(obj, 'coef', encodedWidth(scaler)),
    readNumber(obj, 'intercept'),
    readNumber(obj, 'C', { min: Number.MIN_VALUE }),
    readEnum(obj, 'classWeight', ['balanced', 'none'] as const),
  );
}

/** The logistic regression Classifier (no randomness: `rng` is unused, the optimum is unique). */
export function createLogistic(options: LogisticOptions = {}): Classifier {
  const C = options.C ?? 1;
  const classWeight = options.classWeight ?? 'none';
  return {
    name: 'logistic',
    async fit(train: Dataset, _rng: Rng, fit: FitOptions): Promise<FittedClassifier> {
      const { y, scaler, x, s, d } = prepareBinaryFit('logistic', train, fit.positive, classWeight, Float64Array);
      const beta = fitLogisticNewton(x, y, s, d, C, options.maxIter ?? 100);
      return new FittedLogistic(train.featureNames, scaler, beta.slice(0, d), beta[d], C, classWeight);
    },
  };
}
