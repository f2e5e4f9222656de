/**
 * SMOTEN (SMOTE for nominal features), imbalanced-learn 0.10 semantics. Every feature must be
 * categorical. Distances are the value difference metric (VDM, imblearn ValueDifferenceMetric with
 * k=1, r=2): d(x, y) = sum over features f of (sum over classes c of |P(c | x_f) - P(c | y_f)|)^2,
 * the class probabilities counted over every row of the input. For each synthetic row a source row
 * of the class is drawn uniformly; each feature takes the most frequent category among the source
 * and its k nearest same-class rows (ties to the smallest code, as scipy.stats.mode does).
 *
 * VDM is not Euclidean, so SMOTEN runs its own brute-force search (O(n_class^2 x features) table
 * lookups per class) instead of ctx.knn; ties in distance are broken by row index.
 */
import { DataError } from '../core/errors.js';
import type { Dataset } from '../types.js';
import { smoteFamily, defineSampler } from './define.js';
import { resolveK } from './shared/neighbours.js';
import { kOptions } from './shared/options.js';
import { overEachClass } from './shared/per-class.js';

/** Per feature, the nCat x nCat table of VDM contributions (sum_c |P(c|a) - P(c|b)|)^2. */
export interface VdmTables {
  readonly nCats: readonly number[];
  readonly tables: readonly Float64Array[];
}

/**
 * Fits the VDM of imblearn's ValueDifferenceMetric (k=1, r=2) on `data`: class-conditional
 * category frequencies over all rows (categories never seen give probability 0).
 */
export function fitVdm(data: Dataset): VdmTables {
  const nClasses = data.classNames.length;
  const nCats: number[] = [];
  const tables: Float64Array[] = [];
  for (let j = 0; j < data.features.length; j++) {
    const col = data.features[j];
    let max = -1;
    for (let i = 0; i < col.length; i++) if (col[i] > max) max = col[i];
    const nc = Math.max(data.categories[j]?.length ?? 0, max + 1);
    const p = new Float64Array(nc * nClasses);
    for (let i = 0; i < col.length; i++) p[col[i] * nClasses + data.labels[i]]++;
    for (let v = 0; v < nc; v++) {
      let s = 0;
      for (let c = 0; c < nClasses; c++) s += p[v * nClasses + c];
      for (let c = 0; c < nClasses; c++) p[v * nClasses + c] = s > 0 ? p[v * nClasses + c] / s : 0;
    }
    const t = new Float64Array(nc * nc);
    for (let a = 0; a < nc; a++) {
      for (let b = 0; b < nc; b++) {
        let l1 = 0;
        for (let c = 0; c < nClasses; c++) l1 += Math.abs(p[a * nClasses + c] - p[b * nClasses + c]);
        t[a * nc + b] = l1 * l1;
      }
    }
    nCats.push(nc);
    tables.push(t);
  }
  return { nCats, tables };
}

/** VDM distance between Dataset rows i and j. */
export function vdmDistance(vdm: VdmTables, data: Dataset, i: number, j: number): number {
  let d = 0;
  for (let f = 0; f < vdm.tables.length; f++) {
    const col = data.features[f];
    d += vdm.tables[f][col[i] * vdm.nCats[f] + col[j]];
  }
  return d;
}

/**
 * For each of `rows`: itself, then its k nearest other rows of `rows` by VDM, ties by index;
 * row-major rows.length x (k + 1), Dataset row indices.
 */
export function vdmNeighbors(vdm: VdmTables, data: Dataset, rows: Int32Array, k: number): Int32Array {
  const n = rows.length;
  const out = new Int32Array(n * (k + 1));
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let q = 0; q < n; q++) {
    let filled = 0;
    for (let i = 0; i < n; i++) {
      if (i === q) continue;
      const d = vdmDistance(vdm, data, rows[q], rows[i]);
      // Insert into the sorted top-k (distance, then index: i grows, so equal d stays after).
      if (filled === k && !(d < bestD[k - 1])) continue;
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && bestD[p - 1] > d) {
        bestD[p] = bestD[p - 1];
        bestI[p] = bestI[p - 1];
        p--;
      }
      bestD[p] = d;
      bestI[p] = i;
    }
    out[q * (k + 1)] = rows[q];
    for (let t = 0; t < k; t++) out[q * (k + 1) + 1 + t] = rows[bestI[t]];
  }
  return out;
}

/** scipy.stats.mode of integer codes: the most frequent, the smallest on ties. */
export function modeSmallest(codes: ArrayLike<number>): number {
  let best = -1;
  let bestN = 0;
  for (let i = 0; i < codes.length; i++) {
    const v = codes[i];
    let n = 0;
    for (let j = 0; j < codes.length; j++) if (codes[j] === v) n++;
    if (n > bestN || (n === bestN && v < best)) {
      best = v;
      bestN = n;
    }
  }
  return best;
}

/**
 * `smoten`: SMOTE for all-categorical data (value difference metric, majority category of the
 * neighbourhood). Options: kNeighbors (5), kAuto. Needs every row (class-conditional frequencies).
 */
export const smotenDefinition = defineSampler({
  ...smoteFamily('all', 'any'),
  name: 'smoten',
  summary: 'SMOTEN: SMOTE for all-categorical features (value difference metric, neighbourhood mode)',
  bind: (options) => kOptions('smoten', options),
  async run(data, plan, rng, ctx, { k, kAuto }) {
    const bad = data.featureKinds.findIndex((kind) => kind !== 'categorical');
    if (bad >= 0) {
      throw new DataError(
        'REBALANCE_NOT_CATEGORICAL',
        `smoten needs every feature categorical, feature '${data.featureNames[bad]}' is ${data.featureKinds[bad]}; use -m smote-nc for mixed features or -m smote for numeric ones`,
      );
    }
    const d = data.features.length;
    return overEachClass<VdmTables, undefined>(data, plan, rng, ctx, {
      method: 'smoten',
      prepare: async () => fitVdm(data),
      fill({ code, name, add, rows, stream }, out, vdm) {
        const kk = resolveK('smoten', name, rows.length, k, kAuto, ctx.log);
        const nn = vdmNeighbors(vdm, data, rows, kk);
        const codes = new Float64Array(kk + 1);
        const at = out.offset;
        for (let t = 0; t < add; t++) {
          const r = stream.nextInt(rows.length);
          for (let f = 0; f < d; f++) {
            const col = data.features[f];
            for (let q = 0; q <= kk; q++) codes[q] = col[nn[r * (kk + 1) + q]];
            (out.block.features[f] as Float64Array)[at + t] = modeSmallest(codes);
          }
          out.block.sourceRow[at + t] = rows[r];
        }
        out.block.labels.fill(code, at, at + add);
        out.offset += add;
      },
    });
  },
});
