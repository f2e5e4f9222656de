/**
 * SVM-SMOTE (Nguyen et al. 2011), following imbalanced-learn 0.10's SVMSMOTE logic with our own
 * SVM: imblearn fits an RBF SVC on all rows and uses its support vectors of the class; rebalance
 * has no SVM dependency, so it trains the linear SVM of linear-svm.ts (class vs rest, on
 * standardised features, C = 1) and takes the class rows with a positive dual coefficient.
 * Then, as imblearn: support vectors whose m nearest rows (all classes) are all of other classes
 * are noise and dropped; the rest are "danger" (m/2 <= other < m) or "safe". A Beta(10, 10)
 * fraction of the rows to add interpolates from danger vectors towards their k nearest same-class
 * rows (steps in [0, 1)); the others extrapolate from safe vectors away from them (steps in
 * (-out_step, 0]). Unlike imblearn, the two parts always add up to the planned count (imblearn
 * drops a part when one kind of vector is missing); a class with no usable support vector gets no
 * rows, logged and stated in the returned plan.
 */
import type { Rng } from '../core/rng.js';
import { fitScaler } from '../dataset/pack.js';
import type { Dataset } from '../types.js';
import { isDanger, isNoise, mNeighbourOptions, overNearBorder } from './borderline-smote.js';
import { smoteFamily, defineSampler } from './define.js';
import { trainLinearSvm } from './linear-svm.js';
import { countOtherClass, resolveK, sameClassNeighbors } from './shared/neighbours.js';
import { numberOption } from './shared/options.js';
import { betaDraw, drawAndAppend } from './shared/smote-draws.js';

/**
 * Class rows that are support vectors of a linear SVM separating class `code` from the rest
 * (standardised features), ascending Dataset rows.
 */
export function supportVectorsOf(data: Dataset, code: number, rng: Rng): Int32Array {
  const n = data.nRows;
  const d = data.features.length;
  const sc = fitScaler(data, 'standard');
  const x = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const col = data.features[j];
    for (let i = 0; i < n; i++) x[i * d + j] = (col[i] - sc.shift[j]) * sc.mult[j];
  }
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) y[i] = data.labels[i] === code ? 1 : -1;
  const model = trainLinearSvm(x, y, d, rng);
  let m = 0;
  for (let i = 0; i < n; i++) if (y[i] === 1 && model.alpha[i] > 0) m++;
  const out = new Int32Array(m);
  for (let i = 0, t = 0; i < n; i++) if (y[i] === 1 && model.alpha[i] > 0) out[t++] = i;
  return out;
}

/**
 * `svm-smote`: SMOTE from the support vectors of a linear SVM (interpolation near the border,
 * extrapolation where safe). Options: kNeighbors (5), mNeighbors (10), outStep (0.5, in [0, 1]),
 * kAuto. Needs every row. A class grows by exactly the plan's count, or by 0 when it has no
 * support vector that is not noise.
 */
export const svmSmoteDefinition = defineSampler({
  ...smoteFamily('all'),
  name: 'svm-smote',
  summary: 'SVM-SMOTE: SMOTE from the support vectors of a linear SVM, extrapolating where safe',
  bind: (options) => ({ ...mNeighbourOptions('svm-smote', options), outStep: numberOption('svm-smote', 'outStep', options.outStep, 0.5, { min: 0, max: 1 }) }),
  async run(data, plan, rng, ctx, { k, kAuto, m, outStep }) {
    return overNearBorder('svm-smote', data, plan, rng, ctx, m, kAuto, async ({ code, name, add, rows, stream }, out, nnAll, m) => {
      const sv = supportVectorsOf(data, code, stream.fork('svm'));
      const nOther = countOtherClass(nnAll, m, sv, code);
      const kept: number[] = [];
      for (let i = 0; i < sv.length; i++) if (!isNoise(nOther[i], m)) kept.push(i);
      if (kept.length === 0) {
        ctx.log(`svm-smote: class '${name}' has no support vector that is not noise (${sv.length} support vectors), so it gets no synthetic rows`);
        return;
      }
      const kk = resolveK('svm-smote', name, rows.length, k, kAuto, ctx.log);
      const nnClass = await sameClassNeighbors(data, rows, kk, ctx);
      const pos = new Map<number, number>();
      rows.forEach((r, i) => pos.set(r, i));
      const danger: number[] = [];
      const safe: number[] = [];
      for (const i of kept) (isDanger(nOther[i], m) ? danger : safe).push(sv[i]);
      const f = betaDraw(stream, 10, 10);
      let n1 = Math.min(add, Math.floor(f * (add + 1)));
      if (safe.length === 0) n1 = add;
      if (danger.length === 0) n1 = 0;
      const parts: [number[], number, number][] = [
        [danger, n1, 1],
        [safe, add - n1, -outStep],
      ];
      for (const [base, count, step] of parts) {
        if (count === 0) continue;
        const table = new Int32Array(base.length * kk);
        base.forEach((r, t) => {
          const i = pos.get(r)!;
          table.set(nnClass.subarray(i * kk, i * kk + kk), t * kk);
        });
        drawAndAppend(out, data, code, Int32Array.from(base), table, kk, count, stream, step);
      }
    });
  },
});
