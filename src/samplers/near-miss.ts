/**
 * NearMiss (imbalanced-learn `NearMiss`, Mani & Zhang 2003): under-samples each target class to
 * its planned count by distance to the minority class (the smallest class, first seen on ties).
 * - version 1: keep the rows whose k nearest minority rows are closest on average;
 * - version 2: keep the rows whose k farthest minority rows are closest on average;
 * - version 3: shortlist, for every minority row, its nNeighborsVer3 nearest rows of the class,
 *   then keep the shortlisted rows whose k nearest minority rows are farthest on average
 *   (may keep fewer rows than planned, as imbalanced-learn: a notice is logged).
 * Sums use exact float64 distances of the neighbours the backend found; equal sums keep the
 * lower row first (Python's stable sort). k = nNeighbors (default 3).
 */
import { DataError } from '../core/errors.js';
import type { Dataset, SamplerContext } from '../types.js';
import { UNDER_BY_FEATURES, defineSampler } from './define.js';
import { minorityClass } from './shared/classes.js';
import { ExactDistance, queryNeighbors } from './shared/neighbours.js';
import { enumOption, intOption } from './shared/options.js';
import { maskToRows, rowsOfClass, throwIfAborted } from './shared/rows.js';

/**
 * Positions 0..n-1 ordered by `score` (ascending, or descending when `farthest`), equal scores in
 * position order; the first `count` of them.
 */
export function selectByScore(score: Float64Array, count: number, farthest: boolean): Int32Array {
  const order = Array.from({ length: score.length }, (_, i) => i);
  order.sort((a, b) => (farthest ? score[b] - score[a] : score[a] - score[b]) || a - b);
  return Int32Array.from(order.slice(0, Math.min(count, order.length)));
}

/** The single machine's size checks (also the distributed plan's, so both fail alike). */
export function needRows(have: number, k: number, what: string, option: string): void {
  if (have < k) {
    throw new DataError(
      'REBALANCE_CLASS_TOO_SMALL',
      `near-miss needs ${k} neighbours in ${what} but it has ${have} rows; lower ${option} to at most ${have}`,
    );
  }
}

/**
 * Sum of exact distances from each of `queryRows` to the last `sumLast` of its k neighbours
 * among `minority` (k nearest; k = minority size gives "all, farthest last"). The distributed
 * near-miss (src/distributed/near-miss.ts) scores each partition's rows with this same function.
 */
export async function neighbourSums(
  data: Dataset,
  minority: Int32Array,
  queryRows: Int32Array,
  k: number,
  sumLast: number,
  dist: ExactDistance,
  ctx: SamplerContext,
): Promise<Float64Array> {
  const sums = new Float64Array(queryRows.length);
  await queryNeighbors(data, minority, queryRows, k, ctx, (first, count, idx) => {
    for (let q = 0; q < count; q++) {
      let s = 0;
      for (let t = k - sumLast; t < k; t++) s += dist.between(queryRows[first + q], minority[idx[q * k + t]]);
      sums[first + q] = s;
    }
  });
  return sums;
}

/** Kept rows of one target class (ascending) for the given version. */
export async function nearMissClass(
  data: Dataset,
  minority: Int32Array,
  classRows: Int32Array,
  keepCount: number,
  version: number,
  k: number,
  kVer3: number,
  dist: ExactDistance,
  ctx: SamplerContext,
): Promise<Int32Array> {
  let chosen: Int32Array;
  if (version === 1) {
    needRows(minority.length, k, 'the minority class', 'nNeighbors');
    chosen = selectByScore(await neighbourSums(data, minority, classRows, k, k, dist, ctx), keepCount, false);
    chosen = chosen.map((p) => classRows[p]);
  } else if (version === 2) {
    needRows(minority.length, k, 'the minority class', 'nNeighbors');
    const sums = await neighbourSums(data, minority, classRows, minority.length, k, dist, ctx);
    chosen = selectByScore(sums, keepCount, false).map((p) => classRows[p]);
  } else {
    needRows(classRows.length, kVer3, 'each target class', 'nNeighborsVer3');
    needRows(minority.length, k, 'the minority class', 'nNeighbors');
    const short = new Uint8Array(classRows.length);
    await queryNeighbors(data, classRows, minority, kVer3, ctx, (_f, count, idx) => {
      for (let i = 0; i < count * kVer3; i++) short[idx[i]] = 1;
    });
    let m = 0;
    for (let p = 0; p < short.length; p++) m += short[p];
    const shortRows = new Int32Array(m);
    m = 0;
    for (let p = 0; p < short.length; p++) if (short[p]) shortRows[m++] = classRows[p];
    const sums = await neighbourSums(data, minority, shortRows, k, k, dist, ctx);
    chosen = selectByScore(sums, keepCount, true).map((p) => shortRows[p]);
    if (chosen.length < keepCount) {
      ctx.log(
        `near-miss: version 3 shortlisted ${chosen.length} rows of class '${data.classNames[data.labels[classRows[0]]]}', fewer than the ${keepCount} planned; all of them are kept`,
      );
    }
  }
  return chosen.sort();
}

/** `near-miss`: options.version 1|2|3, options.nNeighbors (3), options.nNeighborsVer3 (3). */
export const nearMissDefinition = defineSampler({
  ...UNDER_BY_FEATURES,
  name: 'near-miss',
  summary: 'NearMiss 1/2/3: keep the rows of each larger class closest to (or, v3, farthest among those near) the minority',
  bind: (options) => ({
    version: enumOption('near-miss', 'version', options.version, 1, [1, 2, 3]),
    k: intOption('near-miss', 'nNeighbors', options.nNeighbors, 3),
    kVer3: intOption('near-miss', 'nNeighborsVer3', options.nNeighborsVer3, 3),
  }),
  async run(data, plan, _rng, ctx, { version, k, kVer3 }) {
    const nClasses = data.classNames.length;
    const minority = rowsOfClass(data.labels, minorityClass(data.labels, nClasses));
    const dist = new ExactDistance(data, ctx.scale);
    const keep = new Uint8Array(data.nRows).fill(1);
    for (let c = 0; c < nClasses; c++) {
      const target = plan.targets.get(c);
      if (!target) continue;
      throwIfAborted(ctx);
      const classRows = rowsOfClass(data.labels, c);
      if (classRows.length === 0) continue;
      const kept = await nearMissClass(data, minority, classRows, target.to, version, k, kVer3, dist, ctx);
      for (const r of classRows) keep[r] = 0;
      for (const r of kept) keep[r] = 1;
    }
    const indices = maskToRows(keep);
    return { indices, synthetic: null, plan };
  },
});
