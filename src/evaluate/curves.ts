/**
 * Pooled out-of-fold curves: the PR and ROC curves of every test fold's scores taken together,
 * thinned to a few hundred points so the JSON result and the SVG plots stay small.
 */
import { averagePrecision, prCurve, rocAuc, rocCurve } from '../metrics/index.js';
import type { CurvePoints, PooledCurves } from './result.js';

/**
 * Keeps the first and last points and every point at least `minStep` (L1, in curve units) away
 * from the last kept one. A monotone curve in the unit square keeps at most ~2/minStep points.
 */
export function thinCurve(x: ArrayLike<number>, y: ArrayLike<number>, minStep = 0.004): CurvePoints {
  const n = Math.min(x.length, y.length);
  const xs: number[] = [];
  const ys: number[] = [];
  let lx = NaN;
  let ly = NaN;
  for (let i = 0; i < n; i++) {
    const far = i === 0 || i === n - 1 || Math.abs(x[i] - lx) + Math.abs(y[i] - ly) >= minStep;
    if (far && Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      xs.push(x[i]);
      ys.push(y[i]);
      lx = x[i];
      ly = y[i];
    }
  }
  return { x: xs, y: ys };
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Curves and AUCs of pooled scores.
 * @param yTrue 1 for positive rows, 0 otherwise
 * @param scores the positive-class score of each row (same length)
 */
export function pooledCurves(yTrue: Uint8Array, scores: Float32Array | Float64Array): PooledCurves {
  let pos = 0;
  for (let i = 0; i < yTrue.length; i++) pos += yTrue[i];
  const positiveRate = yTrue.length ? pos / yTrue.length : 0;
  const both = pos > 0 && pos < yTrue.length;
  if (!both) {
    return { prAuc: null, rocAuc: null, positiveRate, pr: { x: [], y: [] }, roc: { x: [], y: [] } };
  }
  const pr = prCurve(yTrue, scores);
  const roc = rocCurve(yTrue, scores);
  return {
    prAuc: finiteOrNull(averagePrecision(yTrue, scores)),
    rocAuc: finiteOrNull(rocAuc(yTrue, scores)),
    positiveRate,
    pr: thinCurve(pr.recall, pr.precision),
    roc: thinCurve(roc.fpr, roc.tpr),
  };
}
