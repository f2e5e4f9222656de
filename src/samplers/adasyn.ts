/**
 * ADASYN (He et al. 2008), imbalanced-learn 0.10 semantics: each row of a class to grow gets
 * g_i = rint(r_i / sum(r) * n) synthetic rows, r_i = (other-class rows among its n_neighbors
 * nearest rows over the whole input) / n_neighbors, so harder rows get more. rint rounds half to
 * even and the sum is numpy's pairwise sum, so g_i equals imblearn's exactly; the class then
 * grows by sum(g_i), which may differ from the plan by rounding (the returned plan says so).
 * Synthetic rows interpolate towards one of the row's n_neighbors nearest same-class rows.
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Dataset, Resampled, SamplerContext, SamplerOptions, SamplingPlan } from '../types.js';
import { defineSampler } from './define.js';
import {
  allRowsNeighbors,
  allocateSynthetic,
  appendInterpolated,
  checkAbort,
  classStream,
  countOtherClass,
  finish,
  overTargets,
  resolveK,
  rowsOfClass,
  sameClassNeighbors,
} from './smote-base.js';

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

/** ADASYN over every row of `data` following `plan`; see {@link adasynDefinition}. */
export async function adasynResample(
  data: Dataset,
  plan: SamplingPlan,
  rng: Rng,
  ctx: SamplerContext,
  options: SamplerOptions = {},
): Promise<Resampled> {
  let k = options.kNeighbors ?? 5;
  if (options.kAuto && data.nRows <= k && data.nRows >= 2) {
    ctx.log(`adasyn: the input has ${data.nRows} rows, using n_neighbors=${data.nRows - 1} instead of ${k} (--k-auto)`);
    k = data.nRows - 1;
  }
  const targets = overTargets(plan);
  if (targets.length === 0) return finish(data, plan, allocateSynthetic(data.features.length, 0));
  const nnAll = await allRowsNeighbors(data, k, ctx, 'adasyn', '-k');
  const perClass: { code: number; rows: Int32Array; g: Int32Array; n: number }[] = [];
  let total = 0;
  for (const { code, add } of targets) {
    const name = data.classNames[code];
    const rows = rowsOfClass(data.labels, code);
    const g = adasynCounts(countOtherClass(nnAll, k, data.labels, rows, code), k, add);
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
    perClass.push({ code, rows, g, n });
    total += n;
  }
  const b = allocateSynthetic(data.features.length, total);
  const added = new Map<number, number>();
  for (const { code, rows, g, n } of perClass) {
    checkAbort(ctx);
    const name = data.classNames[code];
    const kk = resolveK('adasyn', name, rows.length, k, options.kAuto, ctx.log);
    const nn = await sameClassNeighbors(data, rows, kk, ctx);
    const stream = classStream(rng, 'adasyn', name);
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
    appendInterpolated(b, data, code, source, neighbor, steps);
    added.set(code, n);
  }
  return finish(data, plan, b, added);
}

/**
 * `adasyn`: adaptive synthetic sampling, more rows where other classes crowd in. Options:
 * kNeighbors (n_neighbors, 5), kAuto. Needs every row.
 */
export const adasynDefinition = defineSampler({
  name: 'adasyn',
  kind: 'over',
  scope: 'all',
  needs: { knn: true, features: 'numeric', syntheticCells: true },
  summary: 'ADASYN: SMOTE with more synthetic rows near rows crowded by other classes',
  defaultStrategy: 'auto',
  run: adasynResample,
});
