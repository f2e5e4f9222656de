/**
 * Instance hardness threshold (imbalanced-learn `InstanceHardnessThreshold`, Smith et al. 2014):
 * every row gets the probability of its own class from a classifier that did not see it
 * (stratified, shuffled 5-fold cross-validation; folds drawn from `rng.fork('iht/folds')`); each
 * target class keeps its rows whose probability is at least the (1 - to/from) percentile of its
 * rows' probabilities (numpy's linear interpolation), so about `to` rows, more on ties.
 *
 * The classifier is the softmax regression of iht-model.ts (imbalanced-learn defaults to a random
 * forest; any probabilistic classifier fits the method).
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classCounts } from '../dataset/make.js';
import type { Dataset } from '../types.js';
import { UNDER_BY_FEATURES, defineSampler } from './define.js';
import { fitSoftmax, predictOwnClass } from './iht-model.js';
import { maskToRows, rowsOfClass, throwIfAborted } from './shared/rows.js';

/** Number of cross-validation folds (imbalanced-learn cv=5). */
export const IHT_FOLDS = 5;

/**
 * Stratified fold of each row: each class's rows are shuffled (Fisher-Yates, one stream) and
 * dealt to folds 0, 1, ..., folds-1, 0, ... so every fold holds about 1/folds of each class.
 */
export function stratifiedFolds(labels: Int32Array, nClasses: number, folds: number, rng: Rng): Int32Array {
  const fold = new Int32Array(labels.length);
  let offset = 0;
  for (let c = 0; c < nClasses; c++) {
    const rows = rowsOfClass(labels, c);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      const t = rows[i];
      rows[i] = rows[j];
      rows[j] = t;
    }
    // Continue dealing where the previous class stopped, so small classes spread over folds.
    for (let i = 0; i < rows.length; i++) fold[rows[i]] = (offset + i) % folds;
    offset = (offset + rows.length) % folds;
  }
  return fold;
}

/** numpy.percentile(values, q) with the default linear interpolation. */
export function percentileLinear(values: Float64Array, q: number): number {
  const v = Float64Array.from(values).sort();
  if (v.length === 0) return NaN;
  const pos = (q / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, v.length - 1);
  const t = pos - lo;
  const a = v[lo];
  const b = v[hi];
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** Out-of-fold probability of each row's own class. */
export function outOfFoldProbabilities(data: Dataset, rng: Rng, folds = IHT_FOLDS): Float64Array {
  const n = data.nRows;
  const dim = data.features.length;
  const nClasses = data.classNames.length;
  const x = new Float64Array(n * dim);
  for (let j = 0; j < dim; j++) {
    const col = data.features[j];
    for (let i = 0; i < n; i++) x[i * dim + j] = col[i];
  }
  const fold = stratifiedFolds(data.labels, nClasses, folds, rng.fork('iht/folds'));
  const prob = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    if (test.length === 0) continue;
    const model = fitSoftmax(x, dim, data.labels, nClasses, Int32Array.from(train));
    const testRows = Int32Array.from(test);
    const own = Int32Array.from(test, (r) => data.labels[r]);
    const p = predictOwnClass(model, x, testRows, own);
    for (let i = 0; i < test.length; i++) prob[test[i]] = p[i];
  }
  return prob;
}

/** `instance-hardness-threshold`: under-samples each target class to about its planned count (no options). */
export const instanceHardnessThresholdDefinition = defineSampler({
  ...UNDER_BY_FEATURES,
  name: 'instance-hardness-threshold',
  summary: 'instance hardness threshold: drop the rows a cross-validated classifier finds hardest',
  bind: () => ({}),
  async run(data, plan, rng, ctx) {
    const nClasses = data.classNames.length;
    const counts = classCounts(data.labels, nClasses);
    let present = 0;
    for (let c = 0; c < nClasses; c++) if (counts[c] > 0) present++;
    if (present < 2) {
      throw new DataError(
        'REBALANCE_ONE_CLASS',
        `instance-hardness-threshold needs at least 2 classes to fit its classifier, found ${present}; check the label column`,
      );
    }
    throwIfAborted(ctx);
    const prob = outOfFoldProbabilities(data, rng);
    const keep = new Uint8Array(data.nRows).fill(1);
    for (const [c, t] of plan.targets) {
      const rows = rowsOfClass(data.labels, c);
      if (rows.length === 0 || t.to >= rows.length) continue;
      const p = Float64Array.from(rows, (r) => prob[r]);
      const threshold = percentileLinear(p, (1 - t.to / rows.length) * 100);
      for (let i = 0; i < rows.length; i++) if (!(p[i] >= threshold)) keep[rows[i]] = 0;
    }
    const indices = maskToRows(keep);
    return { indices, synthetic: null, plan };
  },
});
