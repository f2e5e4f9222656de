/**
 * Repeated edited nearest neighbours (imbalanced-learn `RepeatedEditedNearestNeighbours`,
 * Tomek 1976): ENN applied again on what the previous pass kept, up to maxIter passes
 * (default 100), stopping as imbalanced-learn does when a pass removes nothing, when a
 * non-minority class falls below the original minority count, or when a class disappears.
 *
 * Classes cleaned: fixed by the plan (or options.classes) for every pass, except that a plan
 * cleaning every class but the minority is re-resolved on each pass's rows, as imbalanced-learn
 * re-resolves 'auto' / 'not minority' (other string strategies such as 'majority' are not
 * re-resolved: a documented difference that needs a class to change rank between passes).
 */
import { classCounts } from '../dataset/make.js';
import type { Dataset, SamplerContext } from '../types.js';
import { CLEANING, defineSampler } from './define.js';
import { ennOnRows } from './enn.js';
import { cleanClassMask, cleansAllButMinority, minorityClass, notMinorityMask } from './shared/classes.js';
import { ennOptions, intOption, type KindSel } from './shared/options.js';
import { allRows, throwIfAborted } from './shared/rows.js';

/**
 * imbalanced-learn's stopping tests after a pass: true when a class that is not the original
 * minority has fewer rows than the original minority had (unless `allowMinority`), or when a
 * class present at the start is gone.
 */
export function shouldStop(
  labels: Int32Array,
  kept: Int32Array,
  original: Int32Array,
  minority: number,
  allowMinority: boolean,
): boolean {
  return shouldStopCounts(classCounts(labels, original.length, kept), original, minority, allowMinority);
}

/** {@link shouldStop} from the class counts of the kept rows (the distributed rounds keep counts, not rows). */
export function shouldStopCounts(counts: ArrayLike<number>, original: ArrayLike<number>, minority: number, allowMinority: boolean): boolean {
  for (let c = 0; c < counts.length; c++) {
    if (original[c] > 0 && counts[c] === 0) return true;
    if (!allowMinority && c !== minority && counts[c] > 0 && counts[c] < original[minority]) return true;
  }
  return false;
}

/** Runs RENN on all rows; returns the kept rows (ascending) and the passes made. */
export async function renn(
  data: Dataset,
  k: number,
  kind: KindSel,
  maxIter: number,
  cleanMask: Uint8Array,
  ctx: SamplerContext,
  reresolve = false,
): Promise<{ rows: Int32Array; iterations: number }> {
  const nClasses = data.classNames.length;
  const original = classCounts(data.labels, nClasses);
  const minority = minorityClass(data.labels, nClasses);
  let rows = allRows(data.nRows);
  let iter = 0;
  while (iter < maxIter) {
    throwIfAborted(ctx);
    iter++;
    const mask = reresolve ? notMinorityMask(data.labels, nClasses, rows) : cleanMask;
    const kept = await ennOnRows(data, rows, k, kind, mask, ctx, 'renn');
    const converged = kept.length === rows.length;
    rows = kept;
    if (converged || shouldStop(data.labels, kept, original, minority, false)) break;
  }
  return { rows, iterations: iter };
}

/** `renn`: repeated ENN (options.nNeighbors 3, options.variant kind_sel, options.maxIter 100, options.classes). */
export const rennDefinition = defineSampler({
  ...CLEANING,
  name: 'renn',
  summary: 'repeated edited nearest neighbours: ENN until nothing changes (at most maxIter passes)',
  bind: (options) => ({
    ...ennOptions('renn', options),
    maxIter: intOption('renn', 'maxIter', options.maxIter, 100),
  }),
  async run(data, plan, _rng, ctx, { k, kind, maxIter, classes }) {
    const mask = cleanClassMask(data, plan, classes);
    const { rows } = await renn(data, k, kind, maxIter, mask, ctx, cleansAllButMinority(data, mask, classes));
    return { indices: rows, synthetic: null, plan };
  },
});
