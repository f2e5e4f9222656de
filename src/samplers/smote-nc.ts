/**
 * SMOTE-NC (Chawla et al. 2002, SMOTE for nominal and continuous features), imbalanced-learn 0.10
 * semantics. Distances: numeric features as they are (after ctx.scale) plus each categorical
 * feature one-hot encoded with the value median_std / 2, median_std being the median of the
 * numeric features' standard deviations (population, ddof 0) within the minority class, so two
 * rows differing in a category are as far apart as the paper's "median std" rule says. Numeric
 * values interpolate like SMOTE; each categorical value of a synthetic row is the category most
 * frequent among the k neighbours of its source row, ties broken by a seeded uniform draw.
 *
 * The minority class is the smallest class in the rows the sampler is given (scope 'targets':
 * the classes being synthesized; with imblearn's strategies the input's minority is among them).
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { fitScaler, packFeatures } from '../dataset/pack.js';
import type { Dataset } from '../types.js';
import { smoteFamily, defineSampler } from './define.js';
import { minorityClass } from './shared/classes.js';
import { resolveK } from './shared/neighbours.js';
import { kOptions } from './shared/options.js';
import { overEachClass } from './shared/per-class.js';
import { mapIndices, rowsOfClass } from './shared/rows.js';
import { drawAndAppend } from './shared/smote-draws.js';

/** Median as numpy.median: the mean of the two middle values for an even count; NaN when empty. */
export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return NaN;
  const h = n >> 1;
  return n % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * imblearn SMOTENC `median_std_`: the median over `numericCols` of the population standard
 * deviation of the values at `rows`, each column multiplied by `mult[c]` (the distance scaling;
 * all ones without scaling).
 */
export function medianStd(data: Dataset, rows: ArrayLike<number>, numericCols: readonly number[], mult?: ArrayLike<number>): number {
  const stds = new Float64Array(numericCols.length);
  const n = rows.length;
  for (let c = 0; c < numericCols.length; c++) {
    const col = data.features[numericCols[c]];
    let mean = 0;
    for (let i = 0; i < n; i++) mean += col[rows[i]];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const t = col[rows[i]] - mean;
      v += t * t;
    }
    stds[c] = Math.sqrt(v / n) * (mult ? mult[c] : 1);
  }
  return median(stds);
}

/**
 * The category of one synthetic value: the most frequent code among `codes` (the k neighbours'
 * values), ties broken uniformly by `rng` (one draw, only when several codes tie). `counts` is a
 * scratch array with one slot per category, all zero on entry and on exit.
 */
export function majorityCategory(codes: ArrayLike<number>, counts: Int32Array, rng: Rng): number {
  let best = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = ++counts[codes[i]];
    if (c > best) best = c;
  }
  // Tied codes in ascending code order, so a draw maps to the same code whatever the neighbour order.
  let nTied = 0;
  let only = -1;
  for (let i = 0; i < codes.length; i++) {
    const v = codes[i];
    if (counts[v] === best) {
      counts[v] = -best; // mark once
      nTied++;
      only = v;
    }
  }
  let pick = only;
  if (nTied > 1) {
    let target = rng.nextInt(nTied);
    pick = -1;
    for (let v = 0; v < counts.length && pick < 0; v++) {
      if (counts[v] === -best) {
        if (target === 0) pick = v;
        target--;
      }
    }
  }
  for (let i = 0; i < codes.length; i++) counts[codes[i]] = 0;
  return pick;
}

function splitKinds(data: Dataset): { numeric: number[]; categorical: number[] } {
  const numeric: number[] = [];
  const categorical: number[] = [];
  data.featureKinds.forEach((k, j) => (k === 'categorical' ? categorical : numeric).push(j));
  if (categorical.length === 0) {
    throw new DataError('REBALANCE_NO_CATEGORICAL', `smote-nc needs at least one categorical feature, found none among ${data.features.length}; use -m smote for all-numeric data`);
  }
  if (numeric.length === 0) {
    throw new DataError('REBALANCE_NO_NUMERIC', `smote-nc needs at least one numeric feature, found only categorical ones (${categorical.length}); use -m smoten for all-categorical data`);
  }
  return { numeric, categorical };
}

function categoryCount(data: Dataset, j: number): number {
  let max = -1;
  const col = data.features[j];
  for (let i = 0; i < col.length; i++) if (col[i] > max) max = col[i];
  return Math.max(data.categories[j]?.length ?? 0, max + 1);
}

/**
 * `smote-nc`: SMOTE for mixed numeric and categorical features (the Dataset's 'categorical'
 * featureKinds). Options: kNeighbors (5), kAuto. Needs only the target classes.
 */
export const smoteNcDefinition = defineSampler({
  ...smoteFamily('targets', 'any'),
  name: 'smote-nc',
  summary: 'SMOTE-NC: SMOTE for mixed numeric and categorical features (majority category of the neighbours)',
  bind: (options) => kOptions('smote-nc', options),
  async run(data, plan, rng, ctx, { k, kAuto }) {
    const { numeric, categorical } = splitKinds(data);
    const nCats = categorical.map((j) => categoryCount(data, j));
    const scaler = fitScaler(data, ctx.scale ?? 'none', undefined, numeric);
    // Minority: the smallest class present, first in row order on ties (Counter + min in imblearn).
    const minority = minorityClass(data.labels, data.classNames.length);
    const mStd = medianStd(data, rowsOfClass(data.labels, minority), numeric, scaler.mult);
    const hot = mStd / 2; // median_std 0 (math.isclose(x, 0) is x == 0) nullifies the one-hot entries too
    const scratch = nCats.map((n) => new Int32Array(n));
    const dimNum = numeric.length;
    const dim = dimNum + nCats.reduce((s, n) => s + n, 0);
    return overEachClass(data, plan, rng, ctx, {
      method: 'smote-nc',
      async fill({ code, name, add, rows, stream }, out) {
        const kk = resolveK('smote-nc', name, rows.length, k, kAuto, ctx.log);
        const num = packFeatures(data, rows, numeric, scaler);
        const packed = new Float32Array(rows.length * dim);
        for (let i = 0; i < rows.length; i++) {
          packed.set(num.subarray(i * dimNum, i * dimNum + dimNum), i * dim);
          let off = i * dim + dimNum;
          for (let c = 0; c < categorical.length; c++) {
            packed[off + data.features[categorical[c]][rows[i]]] = hot;
            off += nCats[c];
          }
        }
        const idx = await ctx.knn.build(packed, dim);
        let nn: Int32Array;
        try {
          nn = mapIndices((await idx.querySelf(kk)).indices, rows);
        } finally {
          idx.dispose();
        }
        const at = out.offset;
        const draws = drawAndAppend(out, data, code, rows, nn, kk, add, stream);
        const ties = stream.fork('categories');
        const codes = new Int32Array(kk);
        for (let t = 0; t < add; t++) {
          const base = draws.rows[t] * kk;
          for (let c = 0; c < categorical.length; c++) {
            const col = data.features[categorical[c]];
            for (let q = 0; q < kk; q++) codes[q] = col[nn[base + q]];
            (out.block.features[categorical[c]] as Float64Array)[at + t] = majorityCategory(codes, scratch[c], ties);
          }
        }
      },
    });
  },
});
