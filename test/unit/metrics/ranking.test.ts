/**
 * Ranking metrics against scikit-learn 1.2.1. Expected values were produced once by
 * /usr/bin/python3 with:
 *   y = [0,0,1,1,0,1,0,0,1,0,0,1]; s = [0.1,0.4,0.35,0.8,0.4,0.35,0.05,0.9,0.7,0.2,0.35,0.6]
 *   roc_auc_score(y, s); average_precision_score(y, s)
 *   roc_curve(y, s, drop_intermediate=False); precision_recall_curve(y, s)
 */
import { describe, expect, it } from 'vitest';
import { averagePrecision, prCurve, rocAuc, rocCurve } from '../../../src/metrics/index.js';

const y = Uint8Array.from([0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1]);
const s = Float64Array.from([0.1, 0.4, 0.35, 0.8, 0.4, 0.35, 0.05, 0.9, 0.7, 0.2, 0.35, 0.6]);

const close = (got: ArrayLike<number>, want: number[]): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 12);
};

describe('rocAuc / averagePrecision', () => {
  it('match scikit-learn on scores with ties', () => {
    expect(rocAuc(y, s)).toBeCloseTo(0.7142857142857143, 12);
    expect(averagePrecision(y, s)).toBeCloseTo(0.6055555555555555, 12);
  });

  it('accept Float32 scores and are invariant to row order', () => {
    const perm = [5, 3, 11, 0, 8, 1, 10, 2, 7, 4, 9, 6];
    const y2 = Uint8Array.from(perm, (i) => y[i]);
    const s2 = Float32Array.from(perm, (i) => s[i]);
    expect(rocAuc(y2, s2)).toBeCloseTo(0.7142857142857143, 12);
    expect(averagePrecision(y2, s2)).toBeCloseTo(0.6055555555555555, 12);
  });

  it('rocAuc is NaN with one class, 1 and 0 on perfect and reversed rankings', () => {
    expect(rocAuc(Uint8Array.from([1, 1, 1]), Float64Array.from([0.1, 0.2, 0.3]))).toBeNaN();
    expect(rocAuc(Uint8Array.from([0, 0, 1, 1]), Float64Array.from([0.1, 0.2, 0.3, 0.4]))).toBe(1);
    expect(rocAuc(Uint8Array.from([1, 1, 0, 0]), Float64Array.from([0.1, 0.2, 0.3, 0.4]))).toBe(0);
    // all scores tied: ties count one half
    expect(rocAuc(Uint8Array.from([1, 0, 1, 0]), Float64Array.from([0.5, 0.5, 0.5, 0.5]))).toBe(0.5);
  });

  it('rejects length mismatches', () => {
    expect(() => rocAuc(y, s.subarray(1))).toThrow(/same rows/);
  });
});

describe('rocCurve / prCurve', () => {
  it('roc_curve(drop_intermediate=False)', () => {
    const r = rocCurve(y, s);
    close(r.fpr, [0, 1 / 7, 1 / 7, 1 / 7, 1 / 7, 3 / 7, 4 / 7, 5 / 7, 6 / 7, 1]);
    close(r.tpr, [0, 0, 0.2, 0.4, 0.6, 0.6, 1, 1, 1, 1]);
    close(r.thresholds, [1.9, 0.9, 0.8, 0.7, 0.6, 0.4, 0.35, 0.2, 0.1, 0.05]);
  });

  it('precision_recall_curve', () => {
    const p = prCurve(y, s);
    close(p.precision, [5 / 12, 5 / 11, 0.5, 5 / 9, 0.5, 0.75, 2 / 3, 0.5, 0, 1]);
    close(p.recall, [1, 1, 1, 1, 0.6, 0.6, 0.4, 0.2, 0, 0]);
    close(p.thresholds, [0.05, 0.1, 0.2, 0.35, 0.4, 0.6, 0.7, 0.8, 0.9]);
  });
});
