/**
 * Tomek links (imbalanced-learn `TomekLinks`): two rows of different classes that are each
 * other's nearest neighbour form a link; the member of a class being cleaned is removed.
 * Under the default strategy ('auto' = every class but the minority) that is the non-minority
 * member; with strategy 'all' both members go.
 */
import type { Dataset, SamplerContext } from '../types.js';
import { CLEANING, defineSampler } from './define.js';
import { cleanClassMask } from './shared/classes.js';
import { selfNeighbors } from './shared/neighbours.js';
import { classesOption } from './shared/options.js';
import { allRows, filterRows, labelsOf } from './shared/rows.js';

/**
 * Pure kernel: which positions are the cleaned member of a Tomek link.
 * `labels[p]` is the class of position p, `nn[p]` its nearest neighbour (a position).
 * Returns keep[p] = 0 for removed positions, 1 otherwise.
 */
export function tomekKeep(labels: Int32Array, nn: Int32Array, cleanMask: Uint8Array): Uint8Array {
  const n = labels.length;
  const keep = new Uint8Array(n).fill(1);
  for (let p = 0; p < n; p++) {
    if (!cleanMask[labels[p]]) continue;
    const q = nn[p];
    if (labels[q] !== labels[p] && nn[q] === p) keep[p] = 0;
  }
  return keep;
}

/**
 * Tomek-link cleaning of the Dataset rows `rows` (ascending): returns the kept rows, ascending.
 * Neighbours come from `ctx.knn` over exactly these rows, so callers (OSS, SMOTE-Tomek) can
 * clean a subset.
 */
export async function tomekLinksOnRows(
  data: Dataset,
  rows: Int32Array,
  cleanMask: Uint8Array,
  ctx: SamplerContext,
): Promise<Int32Array> {
  const nn = await selfNeighbors(data, rows, 1, ctx, 'tomek-links');
  return filterRows(rows, tomekKeep(labelsOf(data, rows), nn, cleanMask));
}

/** `tomek-links`: removes the cleaned member(s) of every Tomek link (options.classes). */
export const tomekLinksDefinition = defineSampler({
  ...CLEANING,
  name: 'tomek-links',
  summary: "remove rows that form Tomek links (mutual nearest neighbours of different classes); 'all' removes both",
  bind: (options) => ({ classes: classesOption('tomek-links', options.classes) }),
  async run(data, plan, _rng, ctx, { classes }) {
    const indices = await tomekLinksOnRows(data, allRows(data.nRows), cleanClassMask(data, plan, classes), ctx);
    return { indices, synthetic: null, plan };
  },
});
