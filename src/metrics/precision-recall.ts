/**
 * Precision-recall curve and average precision with scikit-learn 1.2 semantics
 * (precision_recall_curve; average_precision_score = step-wise sum, no interpolation).
 */
import { binaryClfCurve } from './binary-curve.js';
import type { BinaryTruth, Scores } from './types.js';

export interface PrCurve {
  /** Ends with 1 (scikit-learn's convention); precision is 0 where nothing is predicted positive. */
  readonly precision: Float64Array;
  /** Decreasing, ends with 0; all ones when yTrue has no positive (scikit-learn's convention). */
  readonly recall: Float64Array;
  /** Increasing distinct scores; one fewer than precision/recall. */
  readonly thresholds: Float64Array;
}

/** Precision and recall at every distinct score, ordered by increasing threshold. */
export function prCurve(yTrue: BinaryTruth, score: Scores): PrCurve {
  const c = binaryClfCurve(yTrue, score);
  const t = c.thresholds.length;
  const precision = new Float64Array(t + 1);
  const recall = new Float64Array(t + 1);
  const thresholds = new Float64Array(t);
  const nPos = t > 0 ? c.tps[t - 1] : 0;
  for (let i = 0; i < t; i++) {
    const j = t - 1 - i;
    const ps = c.tps[j] + c.fps[j];
    precision[i] = ps !== 0 ? c.tps[j] / ps : 0;
    recall[i] = nPos === 0 ? 1 : c.tps[j] / nPos;
    thresholds[i] = c.thresholds[j];
  }
  precision[t] = 1;
  recall[t] = 0;
  return { precision, recall, thresholds };
}

/**
 * Average precision: sum over thresholds of (R_n - R_{n-1}) * P_n. This is the PR-AUC the
 * reports quote; unlike the trapezoid it never rewards linear interpolation.
 */
export function averagePrecision(yTrue: BinaryTruth, score: Scores): number {
  const { precision, recall } = prCurve(yTrue, score);
  let s = 0;
  for (let i = 0; i + 1 < recall.length; i++) s -= (recall[i + 1] - recall[i]) * precision[i];
  return s;
}
