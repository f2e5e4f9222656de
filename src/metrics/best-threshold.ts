/**
 * Picks a decision threshold on training data (never on the fold being scored).
 */
import { binaryClfCurve } from './binary-curve.js';
import type { BinaryTruth, Scores } from './types.js';

/**
 * The distinct score s maximizing F1 of the rule `score >= s` on (yTrue, score); on ties the
 * highest such score. +Infinity (predict nothing positive) when yTrue has no positive or is empty.
 */
export function bestF1Threshold(yTrue: BinaryTruth, score: Scores): number {
  const { tps, fps, thresholds } = binaryClfCurve(yTrue, score);
  const t = thresholds.length;
  if (t === 0 || tps[t - 1] === 0) return Infinity;
  const nPos = tps[t - 1];
  let best = -1;
  let bestAt = Infinity;
  for (let i = 0; i < t; i++) {
    const f1 = (2 * tps[i]) / (tps[i] + fps[i] + nPos);
    if (f1 > best) {
      best = f1;
      bestAt = thresholds[i];
    }
  }
  return bestAt;
}
