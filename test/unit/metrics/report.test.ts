/**
 * classificationReportImbalanced against imbalanced-learn 0.10.0. Expected values were produced
 * once by /usr/bin/python3 with:
 *   yt = [0,1,2,2,2,0,1,2,0,0,2,1,1,2]; yp = [0,0,2,2,1,0,1,2,2,0,2,1,2,2]
 *   classification_report_imbalanced(yt, yp, target_names=['cat','dog','a-much-longer-name'])
 *   classification_report_imbalanced(yt, yp, output_dict=True)
 */
import { describe, expect, it } from 'vitest';
import { classificationReportImbalanced, formatFixed } from '../../../src/metrics/index.js';

const yt = Int32Array.from([0, 1, 2, 2, 2, 0, 1, 2, 0, 0, 2, 1, 1, 2]);
const yp = Int32Array.from([0, 0, 2, 2, 1, 0, 1, 2, 2, 0, 2, 1, 2, 2]);

const expectedText =
  '                          pre       rec       spe        f1       geo       iba       sup\n\n' +
  '               cat       0.75      0.75      0.90      0.75      0.82      0.66         4\n' +
  '               dog       0.67      0.50      0.90      0.57      0.67      0.43         4\n' +
  'a-much-longer-name       0.71      0.83      0.75      0.77      0.79      0.63         6\n\n' +
  '       avg / total       0.71      0.71      0.84      0.71      0.77      0.58        14\n';

describe('classificationReportImbalanced', () => {
  const r = classificationReportImbalanced(yt, yp, ['cat', 'dog', 'a-much-longer-name']);

  it('prints the same table as imblearn', () => {
    expect(r.text).toBe(expectedText);
  });

  it('has the same per-class numbers', () => {
    const want = [
      [0.75, 0.75, 0.9, 0.75, 0.8215838362577492, 0.664875, 4],
      [0.6666666666666666, 0.5, 0.9, 0.5714285714285715, 0.6708203932499369, 0.432, 4],
      [0.7142857142857143, 0.8333333333333334, 0.75, 0.7692307692307692, 0.7905694150420949, 0.6302083333333333, 6],
    ];
    r.rows.forEach((row, i) => {
      const got = [row.pre, row.rec, row.spe, row.f1, row.geo, row.iba, row.sup];
      got.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 12));
    });
    expect(r.rows.map((x) => x.class)).toEqual(['cat', 'dog', 'a-much-longer-name']);
  });

  it('has the same support-weighted averages', () => {
    expect(r.avg.pre).toBeCloseTo(0.7108843537414966, 12);
    expect(r.avg.rec).toBeCloseTo(0.7142857142857143, 12);
    expect(r.avg.spe).toBeCloseTo(0.8357142857142856, 12);
    expect(r.avg.f1).toBeCloseTo(0.707221350078493, 12);
    expect(r.avg.geo).toBeCloseTo(0.7652166720202367, 12);
    expect(r.avg.iba).toBeCloseTo(0.5834821428571428, 12);
    expect(r.avg.sup).toBe(14);
  });
});

describe('formatFixed', () => {
  it("rounds exact ties half to even like Python's format", () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(0.665, 2)).toBe((0.665).toFixed(2)); // not an exact tie in binary
    expect(formatFixed(0.664875, 2)).toBe('0.66');
  });
});
