/**
 * The cumulative counts behind every ranking metric: scikit-learn's `_binary_clf_curve`.
 * Scores are sorted in decreasing order; tied scores form one threshold, so the order of
 * rows inside a tie never matters.
 */
import { checkSameLength } from './check.js';
import type { BinaryTruth, Scores } from './types.js';

export interface BinaryClfCurve {
  /** False positives among rows with score >= thresholds[i]. */
  readonly fps: Float64Array;
  /** True positives among rows with score >= thresholds[i]. */
  readonly tps: Float64Array;
  /** Distinct scores, decreasing. */
  readonly thresholds: Float64Array;
}

/** Row indices sorted by decreasing score, ties by increasing row index (stable). */
export function orderByScoreDesc(score: Scores): Int32Array {
  const n = score.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[b] - score[a] || a - b);
  return order;
}

/** Counts of true/false positives at each distinct score threshold (decreasing thresholds). */
export function binaryClfCurve(yTrue: BinaryTruth, score: Scores): BinaryClfCurve {
  checkSameLength('binaryClfCurve', yTrue, score);
  const n = yTrue.length;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(score[i])) throw new RangeError(`binaryClfCurve: score[${i}] is NaN; scores must be numbers`);
  }
  const order = orderByScoreDesc(score);
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === n - 1 || score[order[i]] !== score[order[i + 1]]) distinct++;
  const fps = new Float64Array(distinct);
  const tps = new Float64Array(distinct);
  const thresholds = new Float64Array(distinct);
  let tp = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    tp += yTrue[order[i]] ? 1 : 0;
    if (i === n - 1 || score[order[i]] !== score[order[i + 1]]) {
      tps[t] = tp;
      fps[t] = i + 1 - tp;
      thresholds[t] = score[order[i]];
      t++;
    }
  }
  return { fps, tps, thresholds };
}
