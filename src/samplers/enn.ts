/**
 * Edited nearest neighbours (imbalanced-learn `EditedNearestNeighbours`, Wilson 1972): a row
 * of a class being cleaned is removed when its k nearest neighbours (k = nNeighbors, default 3)
 * disagree with it: under kind_sel 'all' (options.variant, default) when any neighbour has
 * another class, under 'mode' when the most common neighbour class is not its own (ties as
 * scikit-learn's `_mode` breaks them: see ModeTie in cleaning-common.ts).
 */
import type { Rng } from '../core/rng.js';
import type { Dataset, Resampled, SamplerContext, SamplerOptions, SamplingPlan } from '../types.js';
import {
  allRows,
  cleanClassMask,
  filterRows,
  intOption,
  kindSelOption,
  modeTieFor,
  neighbourMode,
  selfNeighbors,
  type KindSel,
  type ModeTie,
} from './cleaning-common.js';
import { defineSampler } from './define.js';

/**
 * Pure kernel: keep[p] = 1 when position p survives ENN. `nn` holds k neighbour positions per
 * position (row-major); `labels[p]` is the class of position p.
 */
export function ennKeep(
  labels: Int32Array,
  nn: Int32Array,
  k: number,
  kind: KindSel,
  cleanMask: Uint8Array,
  nClasses: number,
  tie: ModeTie = 'lowest',
): Uint8Array {
  const n = labels.length;
  const keep = new Uint8Array(n).fill(1);
  const votes = new Int32Array(nClasses);
  for (let p = 0; p < n; p++) {
    const own = labels[p];
    if (!cleanMask[own]) continue;
    const base = p * k;
    if (kind === 'all') {
      for (let t = 0; t < k; t++) {
        if (labels[nn[base + t]] !== own) {
          keep[p] = 0;
          break;
        }
      }
    } else {
      if (neighbourMode(labels, nn, base, k, tie, votes) !== own) keep[p] = 0;
    }
  }
  return keep;
}

/** Labels of `rows`, by position. */
export function labelsOf(data: Dataset, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let p = 0; p < rows.length; p++) out[p] = data.labels[rows[p]];
  return out;
}

/**
 * One ENN pass over the Dataset rows `rows` (ascending; neighbours searched among these rows
 * only): returns the kept rows, ascending. RENN, AllKNN, NCR and SMOTE-ENN call it.
 */
export async function ennOnRows(
  data: Dataset,
  rows: Int32Array,
  k: number,
  kind: KindSel,
  cleanMask: Uint8Array,
  ctx: SamplerContext,
  method = 'enn',
): Promise<Int32Array> {
  const nn = await selfNeighbors(data, rows, k, ctx, method);
  const nClasses = data.classNames.length;
  return filterRows(rows, ennKeep(labelsOf(data, rows), nn, k, kind, cleanMask, nClasses, modeTieFor(data.classNames)));
}

/** `enn`: edited nearest neighbours (kNeighbors via options.nNeighbors, kind_sel via options.variant). */
export const ennDefinition = defineSampler({
  name: 'enn',
  kind: 'clean',
  scope: 'all',
  needs: { knn: true, features: 'numeric', syntheticCells: false },
  summary: "edited nearest neighbours: remove rows whose k nearest neighbours disagree with them (variant all|mode)",
  defaultStrategy: 'auto',
  bind(options: SamplerOptions) {
    const k = intOption(options.nNeighbors, 3, 'nNeighbors', 'enn');
    const kind = kindSelOption(options.variant, 'enn');
    return { k, kind };
  },
  async run(data: Dataset, plan: SamplingPlan, _rng: Rng, ctx: SamplerContext, options: SamplerOptions, { k, kind }): Promise<Resampled> {
    const mask = cleanClassMask(data, plan, options);
    const indices = await ennOnRows(data, allRows(data.nRows), k, kind, mask, ctx);
    return { indices, synthetic: null, plan };
  },
});
