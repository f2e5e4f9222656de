/**
 * Parity of src/metrics with scikit-learn 1.2.1 / imbalanced-learn 0.10.0 on seeded random
 * score vectors with many ties (scores rounded to a few levels), through /usr/bin/python3.
 */
import { expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import {
  averagePrecision,
  binaryMetrics,
  classificationReportImbalanced,
  prCurve,
  rocAuc,
  rocCurve,
} from '../../src/metrics/index.js';
import { describeParity, pythonJson } from '../helpers/python.js';

interface Case {
  y: number[];
  s: number[];
  t: number;
  yt: number[];
  yp: number[];
}

const PY = `
import sys, json, warnings
import numpy as np
warnings.simplefilter('ignore')
from sklearn.metrics import roc_auc_score, average_precision_score, roc_curve, precision_recall_curve, matthews_corrcoef, f1_score, precision_score, balanced_accuracy_score
from imblearn.metrics import classification_report_imbalanced, geometric_mean_score, specificity_score, sensitivity_score, make_index_balanced_accuracy
iba = make_index_balanced_accuracy(alpha=0.1, squared=True)(geometric_mean_score)
out = []
for c in json.load(sys.stdin):
    y = np.array(c['y']); s = np.array(c['s'], dtype=np.float32); p = (s >= np.float32(c['t'])).astype(int)
    f, t, th = roc_curve(y, s, drop_intermediate=False)
    pr, rc, pth = precision_recall_curve(y, s)
    rep = classification_report_imbalanced(c['yt'], c['yp'], labels=[0, 1, 2], output_dict=True)
    out.append(dict(auc=roc_auc_score(y, s), ap=average_precision_score(y, s),
        fpr=f.tolist(), tpr=t.tolist(), rth=th.tolist(), pre=pr.tolist(), rec=rc.tolist(), pth=pth.tolist(),
        precision=precision_score(y, p, zero_division=0), recall=sensitivity_score(y, p), f1=f1_score(y, p),
        spe=specificity_score(y, p), gmean=geometric_mean_score(y, p), bacc=balanced_accuracy_score(y, p),
        mcc=matthews_corrcoef(y, p), iba=iba(y, p, average='binary'),
        rep=[[float(rep[k][m]) for m in ['pre','rec','spe','f1','geo','iba','sup']] for k in [0, 1, 2]],
        avg=[float(rep['avg_' + m]) for m in ['pre','rec','spe','f1','geo','iba']]))
print(json.dumps(out))
`;

function makeCases(): Case[] {
  const rng = createRng(7).fork('metrics-parity');
  const cases: Case[] = [];
  for (let c = 0; c < 12; c++) {
    const n = 20 + rng.nextInt(300);
    const rate = 0.05 + 0.4 * rng.nextFloat();
    const levels = [3, 10, 50, 1000][c % 4];
    const y: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < n; i++) {
      const pos = rng.nextFloat() < rate ? 1 : 0;
      y.push(pos);
      // float32 values so both sides compare exactly the same numbers
      s.push(Math.fround(Math.round(levels * Math.min(1, Math.max(0, 0.5 * rng.nextFloat() + 0.3 * pos))) / levels));
    }
    if (!y.includes(1)) y[0] = 1;
    if (!y.includes(0)) y[1] = 0;
    const yt: number[] = [];
    const yp: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = rng.nextInt(3);
      yt.push(t);
      yp.push(rng.nextFloat() < 0.6 ? t : rng.nextInt(3));
    }
    cases.push({ y, s, t: s[rng.nextInt(n)], yt, yp });
  }
  return cases;
}

const near = (got: ArrayLike<number>, want: number[]): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 10);
};

describeParity('metrics parity with scikit-learn / imbalanced-learn', () => {
  it('ROC/PR curves, AUCs, threshold metrics and the imbalanced report on tied scores', () => {
    const cases = makeCases();
    type Want = Record<string, number> & Record<'fpr' | 'tpr' | 'rth' | 'pre' | 'rec' | 'pth' | 'avg', number[]> & {
      rep: number[][];
    };
    const want = pythonJson<Want[]>(PY, JSON.stringify(cases));
    cases.forEach((c, k) => {
      const w = want[k];
      const y = Uint8Array.from(c.y);
      const s = Float32Array.from(c.s);
      expect(rocAuc(y, s)).toBeCloseTo(w.auc, 10);
      expect(averagePrecision(y, s)).toBeCloseTo(w.ap, 10);
      const r = rocCurve(y, s);
      near(r.fpr, w.fpr);
      near(r.tpr, w.tpr);
      near(r.thresholds, w.rth);
      const p = prCurve(y, s);
      near(p.precision, w.pre);
      near(p.recall, w.rec);
      near(p.thresholds, w.pth);
      const m = binaryMetrics(y, s, c.t);
      const pairs: [number, number][] = [
        [m.precision, w.precision],
        [m.recall, w.recall],
        [m.f1, w.f1],
        [m.specificity, w.spe],
        [m.gmean, w.gmean],
        [m.balancedAccuracy, w.bacc],
        [m.mcc, w.mcc],
        [m.iba, w.iba],
      ];
      for (const [g, e] of pairs) expect(g).toBeCloseTo(e, 10);
      const rep = classificationReportImbalanced(Int32Array.from(c.yt), Int32Array.from(c.yp), ['a', 'b', 'c']);
      rep.rows.forEach((row, i) => near([row.pre, row.rec, row.spe, row.f1, row.geo, row.iba, row.sup], w.rep[i]));
      near([rep.avg.pre, rep.avg.rec, rep.avg.spe, rep.avg.f1, rep.avg.geo, rep.avg.iba], w.avg);
    });
  });
});
