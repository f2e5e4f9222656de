/**
 * ADASYN (He et al. 2008), imbalanced-learn 0.10 semantics: each row of a class to grow gets
 * g_i = rint(r_i / sum(r) * n) synthetic rows, r_i = (other-class rows among its n_neighbors
 * nearest rows over the whole input) / n_neighbors, so harder rows get more. rint rounds half to
 * even and the sum is numpy's pairwise sum, so g_i equals imblearn's exactly; the class then
 * grows by sum(g_i), which may differ from the plan by rounding (the returned plan says so).
 * Synthetic rows interpolate towards one of the row's n_neighbors nearest same-class rows.
 */
import { DataError } from '../core/errors.js';
import { smoteFamily, defineSampler } from './define.js';
import { allRowsNeighbourLabels, countOtherClass, resolveK, resolveM, sameClassNeighbors } from './shared/neighbours.js';
import { kOptions } from './shared/options.js';
import { overEachClass } from './shared/per-class.js';
import { appendInterpolated } from './shared/smote-draws.js';

/** numpy's pairwise summation of a float64 array (np.sum on a contiguous 1-D array). */
export function numpySum(a: Float64Array, lo = 0, n = a.length): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i];
    return res;
  }
  if (n <= 128) {
    const r0 = [a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r0[j] += a[lo + i + j];
    // Same association as numpy: ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)).
    let res = (r0[0] + r0[1] + (r0[2] + r0[3])) + (r0[4] + r0[5] + (r0[6] + r0[7]));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, lo, n2) + numpySum(a, lo + n2, n - n2);
}

/** numpy.rint: round half to even. */
export function rint(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * imblearn ADASYN's per-row counts: g_i = rint(ratio_i * nSamples) with
 * ratio_i = (nOther_i / k) / sum_j (nOther_j / k). Returns null when no row has an other-class
 * neighbour (the ratio is undefined).
 */
export function adasynCounts(nOther: Int32Array, k: number, nSamples: number): Int32Array | null {
  const ratio = new Float64Array(nOther.length);
  for (let i = 0; i < nOther.length; i++) ratio[i] = nOther[i] / k;
  const s = numpySum(ratio);
  if (!s) return null;
  const g = new Int32Array(nOther.length);
  for (let i = 0; i < ratio.length; i++) g[i] = rint((ratio[i] / s) * nSamples);
  return g;
}

/**
 * `adasyn`: adaptive synthetic sampling, more rows where other classes crowd in. Options:
 * kNeighbors (n_neighbors, 5), kAuto. Needs every row. A class grows by sum(g_i) (see
 * {@link adasynCounts}), not always exactly the plan's count.
 */
export const adasynDefinition = defineSampler({
  ...smoteFamily('all'),
  name: 'adasyn',
  summary: 'ADASYN: SMOTE with more synthetic rows near rows crowded by other classes',
  bind: (options) => kOptions('adasyn', options),
  async run(data, plan, rng, ctx, { k: k0, kAuto }) {
    const k = resolveM('adasyn', ctx.totalRows ?? data.nRows, k0, kAuto, ctx.log, 'n_neighbors');
    return overEachClass<Int32Array, Int32Array>(data, plan, rng, ctx, {
      method: 'adasyn',
      prepare: () => allRowsNeighbourLabels(data, k, ctx, 'adasyn', '-k'),
      size({ code, name, add, rows }, nnAll) {
        const g = adasynCounts(countOtherClass(nnAll, k, rows, code), k, add);
        if (!g) {
          throw new DataError(
            'REBALANCE_ADASYN_NO_BORDER',
            `adasyn needs rows of class '${name}' with neighbours of other classes among their ${k} nearest rows, found none; use -m smote instead`,
          );
        }
        let n = 0;
        for (const v of g) n += v;
        if (n === 0) {
          throw new DataError(
            'REBALANCE_ADASYN_NOTHING',
            `adasyn would add 0 rows to class '${name}' after rounding (asked for ${add}); ask for more rows or use -m smote`,
          );
        }
        return { n, state: g };
      },
      async fill({ code, name, rows, stream }, out, _nnAll, g) {
        const kk = resolveK('adasyn', name, rows.length, k, kAuto, ctx.log);
        const nn = await sameClassNeighbors(data, rows, kk, ctx);
        let n = 0;
        for (const v of g) n += v;
        const source = new Int32Array(n);
        const neighbor = new Int32Array(n);
        const steps = new Float64Array(n);
        for (let i = 0, t = 0; i < rows.length; i++) {
          for (let c = 0; c < g[i]; c++, t++) {
            source[t] = rows[i];
            neighbor[t] = nn[i * kk + stream.nextInt(kk)];
            steps[t] = stream.nextFloat();
          }
        }
        appendInterpolated(out, data, code, source, neighbor, steps);
      },
    });
  },
});
