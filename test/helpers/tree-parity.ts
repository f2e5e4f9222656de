/**
 * The protocol the tree-model parity tests share (test/parity/trees.test.ts, rus-boost.test.ts):
 * the same 5-fold x 2 repeats stratified splits of each shared data set (NaN for empty cells),
 * the minority class as positive, and median imputation fitted on the training fold.
 */
import { createRng } from '../../src/core/rng.js';
import { classCounts } from '../../src/dataset/make.js';
import { repeatedStratifiedKFold } from '../../src/evaluate/folds.js';
import type { Dataset } from '../../src/types.js';
import { loadDataset } from './datasets.js';

export const FOLDS = 5;
export const REPEATS = 2;

/** Replaces NaN in `data` by the medians of the same columns in `train` (numpy.nanmedian). */
export function imputeMedian(train: Dataset, data: Dataset): Dataset {
  const features = data.features.map((col, j) => {
    const vals = Float64Array.from(train.features[j].filter((v) => !Number.isNaN(v))).sort();
    const k = vals.length;
    const med = k % 2 ? vals[(k - 1) / 2] : (vals[k / 2 - 1] + vals[k / 2]) / 2;
    return Float64Array.from(col, (v) => (Number.isNaN(v) ? med : v));
  });
  return { ...data, features };
}

export function minorityCode(data: Dataset): number {
  const counts = classCounts(data.labels, data.classNames.length);
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] < counts[best]) best = c;
  return best;
}

const cache = new Map<string, { data: Dataset; test: Int32Array[] }>();

/** The data set (empty cells as NaN) and the test rows of each of its FOLDS x REPEATS folds. */
export function splits(name: string): { data: Dataset; test: Int32Array[] } {
  let s = cache.get(name);
  if (!s) {
    const data = loadDataset(name, { empty: NaN });
    const test = repeatedStratifiedKFold(data.labels, data.classNames.length, FOLDS, createRng(7).fork('trees-parity'), REPEATS);
    s = { data, test };
    cache.set(name, s);
  }
  return s;
}
