/**
 * The scalar metrics of one binary decision rule (predict positive when score >= threshold),
 * with scikit-learn / imbalanced-learn conventions: a ratio whose denominator is zero is 0
 * (their zero_division="warn" value), MCC is 0 when undefined.
 */
import { averagePrecision } from './precision-recall.js';
import { rocAuc } from './roc.js';
import { checkSameLength } from './check.js';
import { orderByScoreDesc } from './binary-curve.js';
import type { BinaryTruth, Scores } from './types.js';

/** Weighting factor of the index balanced accuracy (imbalanced-learn's default). */
export const IBA_ALPHA = 0.1;

export interface BinaryMetrics {
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  readonly precision: number;
  /** Sensitivity, true positive rate. */
  readonly recall: number;
  readonly f1: number;
  /** True negative rate. */
  readonly specificity: number;
  /** sqrt(recall * specificity). */
  readonly gmean: number;
  /** (recall + specificity) / 2. */
  readonly balancedAccuracy: number;
  /** Matthews correlation coefficient. */
  readonly mcc: number;
  /** Index balanced accuracy of the squared G-mean, alpha 0.1, see `indexBalancedAccuracy`. */
  readonly iba: number;
  /** Precision among the ceil(20%) highest-scored rows (ties by row order). */
  readonly precisionAtTop20: number;
  /** Threshold-free: ROC-AUC and average precision of the scores. */
  readonly rocAuc: number;
  readonly prAuc: number;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * IBA_alpha(G-mean^2) = (1 + alpha * (TPR - TNR)) * TPR * TNR: imbalanced-learn's
 * `make_index_balanced_accuracy(alpha=0.1, squared=True)(geometric_mean_score)` with
 * `average='binary'`, i.e. the positive-class row of `classification_report_imbalanced`.
 * (With imblearn's default `average='multiclass'` the dominance is macro-averaged over both
 * classes, which is always 0 for two classes, so that variant reduces to G-mean^2.)
 */
export function indexBalancedAccuracy(sensitivity: number, specificity: number, alpha = IBA_ALPHA): number {
  return (1 + alpha * (sensitivity - specificity)) * sensitivity * specificity;
}

/** Precision among the ceil(fraction * n) highest scores; ties keep row order. NaN on empty input. */
export function precisionAtTop(yTrue: BinaryTruth, score: Scores, fraction: number): number {
  checkSameLength('precisionAtTop', yTrue, score);
  const n = yTrue.length;
  if (n === 0) return NaN;
  const k = Math.min(n, Math.max(1, Math.ceil(fraction * n - 1e-9)));
  const order = orderByScoreDesc(score);
  let hits = 0;
  for (let i = 0; i < k; i++) hits += yTrue[order[i]] ? 1 : 0;
  return hits / k;
}

/** Every threshold metric plus ROC-AUC and PR-AUC for one score vector. */
export function binaryMetrics(yTrue: BinaryTruth, score: Scores, threshold: number): BinaryMetrics {
  checkSameLength('binaryMetrics', yTrue, score);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const predicted = score[i] >= threshold;
    if (yTrue[i]) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const specificity = ratio(tn, tn + fp);
  const f1 = ratio(2 * tp, 2 * tp + fp + fn);
  const denom = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  const mcc = denom === 0 ? 0 : (tp * tn - fp * fn) / denom;
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    precision,
    recall,
    f1,
    specificity,
    gmean: Math.sqrt(recall * specificity),
    balancedAccuracy: (recall + specificity) / 2,
    mcc,
    iba: indexBalancedAccuracy(recall, specificity),
    precisionAtTop20: precisionAtTop(yTrue, score, 0.2),
    rocAuc: rocAuc(yTrue, score),
    prAuc: averagePrecision(yTrue, score),
  };
}
