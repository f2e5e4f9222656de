/**
 * Threshold metrics against scikit-learn 1.2.1 / imbalanced-learn 0.10.0. Expected values were
 * produced once by /usr/bin/python3 with y, s as in ranking.test.ts and pred = (s >= 0.35):
 *   confusion_matrix(y, pred).ravel(); precision_score, recall_score, f1_score,
 *   specificity_score, geometric_mean_score, balanced_accuracy_score, matthews_corrcoef,
 *   make_index_balanced_accuracy(alpha=0.1, squared=True)(geometric_mean_score)(y, pred, average='binary')
 */
import { describe, expect, it } from 'vitest';
import {
  bestF1Threshold,
  binaryMetrics,
  confusionMatrix,
  indexBalancedAccuracy,
  precisionAtTop,
} from '../../../src/metrics/index.js';

const y = Uint8Array.from([0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1]);
const s = Float64Array.from([0.1, 0.4, 0.35, 0.8, 0.4, 0.35, 0.05, 0.9, 0.7, 0.2, 0.35, 0.6]);

describe('binaryMetrics', () => {
  it('matches scikit-learn / imbalanced-learn at threshold 0.35 (score >= threshold is positive)', () => {
    const m = binaryMetrics(y, s, 0.35);
    expect([m.tn, m.fp, m.fn, m.tp]).toEqual([3, 4, 0, 5]);
    expect(m.precision).toBeCloseTo(0.5555555555555556, 12);
    expect(m.recall).toBeCloseTo(1.0, 12);
    expect(m.f1).toBeCloseTo(0.7142857142857143, 12);
    expect(m.specificity).toBeCloseTo(0.42857142857142855, 12);
    expect(m.gmean).toBeCloseTo(0.6546536707079771, 12);
    expect(m.balancedAccuracy).toBeCloseTo(0.7142857142857143, 12);
    expect(m.mcc).toBeCloseTo(0.4879500364742666, 12);
    expect(m.iba).toBeCloseTo(0.45306122448979586, 12);
    expect(m.rocAuc).toBeCloseTo(0.7142857142857143, 12);
    expect(m.prAuc).toBeCloseTo(0.6055555555555555, 12);
    // ceil(0.2 * 12) = 3 top rows: scores 0.9 (neg), 0.8 (pos), 0.7 (pos)
    expect(m.precisionAtTop20).toBeCloseTo(2 / 3, 12);
    expect(m.threshold).toBe(0.35);
  });

  it('uses 0 for undefined ratios (nothing predicted positive)', () => {
    const m = binaryMetrics(y, s, 2);
    expect(m.tp + m.fp).toBe(0);
    expect(m.precision).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.mcc).toBe(0);
    expect(m.specificity).toBe(1);
  });

  it('iba reduces to gmean^2 when sensitivity equals specificity (imblearn default average)', () => {
    expect(indexBalancedAccuracy(0.6, 0.6)).toBeCloseTo(0.36, 12);
    expect(indexBalancedAccuracy(1, 3 / 7)).toBeCloseTo(0.45306122448979586, 12);
  });
});

describe('precisionAtTop', () => {
  it('breaks ties by row order', () => {
    const yy = Uint8Array.from([0, 1, 1, 0, 0]);
    const ss = Float32Array.from([0.5, 0.5, 0.5, 0.1, 0.1]);
    // ceil(0.2 * 5) = 1 row: the first of the tied rows (row 0, negative)
    expect(precisionAtTop(yy, ss, 0.2)).toBe(0);
    expect(precisionAtTop(yy, ss, 0.4)).toBe(0.5);
    expect(precisionAtTop(new Uint8Array(0), new Float32Array(0), 0.2)).toBeNaN();
  });
});

describe('bestF1Threshold', () => {
  it('picks the score with the best F1 (0.35: P=5/9, R=1, F1=0.714)', () => {
    expect(bestF1Threshold(y, s)).toBe(0.35);
    const best = binaryMetrics(y, s, bestF1Threshold(y, s)).f1;
    for (const t of s) expect(binaryMetrics(y, s, t).f1).toBeLessThanOrEqual(best);
  });

  it('is +Infinity without positives', () => {
    expect(bestF1Threshold(new Uint8Array(3), Float64Array.from([1, 2, 3]))).toBe(Infinity);
  });
});

describe('confusionMatrix', () => {
  it('matches scikit-learn (row = true, column = predicted)', () => {
    // confusion_matrix(yt, yp).ravel() for the report example in report.test.ts
    const yt = Int32Array.from([0, 1, 2, 2, 2, 0, 1, 2, 0, 0, 2, 1, 1, 2]);
    const yp = Int32Array.from([0, 0, 2, 2, 1, 0, 1, 2, 2, 0, 2, 1, 2, 2]);
    expect(Array.from(confusionMatrix(yt, yp, 3))).toEqual([3, 0, 1, 1, 2, 1, 0, 1, 5]);
  });

  it('rejects codes outside [0, nClasses)', () => {
    expect(() => confusionMatrix(Int32Array.from([0, 3]), Int32Array.from([0, 0]), 3)).toThrow(
      expect.objectContaining({ code: 'REBALANCE_BAD_LABEL' }),
    );
  });
});
