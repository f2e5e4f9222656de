/**
 * AllKNN (imbalanced-learn `AllKNN`, Tomek 1976): ENN passes with 1, 2, ..., nNeighbors
 * neighbours (default 3), each on what the previous pass kept. Like imbalanced-learn it stops
 * early when a non-minority class falls below the original minority count (unless
 * options.allowMinority) or when a class disappears. The cleaned classes follow the plan, with
 * 'every class but the minority' re-resolved on each pass's rows as in renn.ts (with
 * allowMinority a cleaned class can become the smallest, and the old minority is then cleaned).
 */
import { classCounts } from '../dataset/make.js';
import type { Dataset, SamplerContext } from '../types.js';
import { CLEANING, defineSampler } from './define.js';
import { ennOnRows } from './enn.js';
import { shouldStop } from './renn.js';
import { cleanClassMask, cleansAllButMinority, minorityClass, notMinorityMask } from './shared/classes.js';
import { boolOption, ennOptions, type KindSel } from './shared/options.js';
import { allRows, throwIfAborted } from './shared/rows.js';

/** Runs AllKNN on all rows; returns the kept rows, ascending. */
export async function allKnn(
  data: Dataset,
  k: number,
  kind: KindSel,
  allowMinority: boolean,
  cleanMask: Uint8Array,
  ctx: SamplerContext,
  reresolve = false,
): Promise<Int32Array> {
  const nClasses = data.classNames.length;
  const original = classCounts(data.labels, nClasses);
  const minority = minorityClass(data.labels, nClasses);
  let rows = allRows(data.nRows);
  for (let size = 1; size <= k; size++) {
    throwIfAborted(ctx);
    const mask = reresolve ? notMinorityMask(data.labels, nClasses, rows) : cleanMask;
    rows = await ennOnRows(data, rows, size, kind, mask, ctx, 'all-knn');
    if (shouldStop(data.labels, rows, original, minority, allowMinority)) break;
  }
  return rows;
}

/** `all-knn`: ENN with growing neighbourhoods (options.nNeighbors, variant, allowMinority, classes). */
export const allKnnDefinition = defineSampler({
  ...CLEANING,
  name: 'all-knn',
  summary: 'AllKNN: ENN passes with 1..k neighbours, each on the rows the previous pass kept',
  bind: (options) => ({
    ...ennOptions('all-knn', options),
    allowMinority: boolOption('all-knn', 'allowMinority', options.allowMinority),
  }),
  async run(data, plan, _rng, ctx, { k, kind, allowMinority, classes }) {
    const mask = cleanClassMask(data, plan, classes);
    const indices = await allKnn(data, k, kind, allowMinority, mask, ctx, cleansAllButMinority(data, mask, classes));
    return { indices, synthetic: null, plan };
  },
});
