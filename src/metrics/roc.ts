/**
 * ROC curve and ROC-AUC with scikit-learn 1.2 semantics (roc_curve with
 * drop_intermediate=False, roc_auc_score by the trapezoidal rule, ties counted as half).
 */
import { binaryClfCurve } from './binary-curve.js';
import type { BinaryTruth, Scores } from './types.js';

export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  /** Decreasing; the first one is max(score) + 1 (scikit-learn 1.2), so the curve starts at (0, 0). */
  readonly thresholds: Float64Array;
}

/**
 * False/true positive rates at every distinct score. Like scikit-learn, a rate is NaN
 * everywhere when its class is absent.
 */
export function rocCurve(yTrue: BinaryTruth, score: Scores): RocCurve {
  const c = binaryClfCurve(yTrue, score);
  const m = c.thresholds.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const thresholds = new Float64Array(m);
  const nNeg = m > 1 ? c.fps[m - 2] : 0;
  const nPos = m > 1 ? c.tps[m - 2] : 0;
  // numpy adds 1 in the scores' dtype: float32 scores give a float32-rounded first threshold
  const first = m > 1 ? c.thresholds[0] + 1 : Infinity;
  thresholds[0] = score instanceof Float32Array ? Math.fround(first) : first;
  for (let i = 1; i < m; i++) {
    fpr[i] = c.fps[i - 1];
    tpr[i] = c.tps[i - 1];
    thresholds[i] = c.thresholds[i - 1];
  }
  for (let i = 0; i < m; i++) {
    fpr[i] = nNeg > 0 ? fpr[i] / nNeg : NaN;
    tpr[i] = nPos > 0 ? tpr[i] / nPos : NaN;
  }
  return { fpr, tpr, thresholds };
}

/**
 * Area under the ROC curve (probability that a random positive outranks a random negative,
 * ties counting one half). NaN when yTrue holds only one class (scikit-learn raises there).
 */
export function rocAuc(yTrue: BinaryTruth, score: Scores): number {
  const { fpr, tpr } = rocCurve(yTrue, score);
  if (fpr.length < 2 || Number.isNaN(fpr[1]) || Number.isNaN(tpr[1])) return NaN;
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  return area;
}
