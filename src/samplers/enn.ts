/**
 * Edited nearest neighbours (imbalanced-learn `EditedNearestNeighbours`, Wilson 1972): a row
 * of a class being cleaned is removed when its k nearest neighbours (k = nNeighbors, default 3)
 * disagree with it: under kind_sel 'all' (options.variant, default) when any neighbour has
 * another class, under 'mode' when the most common neighbour class is not its own (ties as
 * scikit-learn's `_mode` breaks them: see ModeTie in shared/neighbours.ts).
 */
import type { Dataset, SamplerContext } from '../types.js';
import { CLEANING, defineSampler } from './define.js';
import { cleanClassMask } from './shared/classes.js';
import { modeTieFor, neighbourMode, selfNeighbors, type ModeTie } from './shared/neighbours.js';
import { ennOptions, type KindSel } from './shared/options.js';
import { allRows, filterRows, labelsOf } from './shared/rows.js';

/**
 * Pure kernel: keep[p] = 1 when position p survives ENN. `nn` holds k neighbour positions per
 * position (row-major); `labels[p]` is the class of position p.
 */
export function ennKeep(labels: Int32Array, nn: Int32Array, k: number, kind: KindSel, cleanMask: Uint8Array, nClasses: number, tie: ModeTie = 'lowest'): Uint8Array {
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

/** `enn`: edited nearest neighbours (kNeighbors via options.nNeighbors, kind_sel via options.variant, options.classes). */
export const ennDefinition = defineSampler({
  ...CLEANING,
  name: 'enn',
  summary: "edited nearest neighbours: remove rows whose k nearest neighbours disagree with them (variant all|mode)",
  bind: (options) => ennOptions('enn', options),
  async run(data, plan, _rng, ctx, { k, kind, classes }) {
    const indices = await ennOnRows(data, allRows(data.nRows), k, kind, cleanClassMask(data, plan, classes), ctx);
    return { indices, synthetic: null, plan };
  },
});
