/**
 * Shared pieces of the cleaning / prototype-selection under-samplers (Tomek links, ENN family,
 * NearMiss, CNN, OSS, NCR, IHT, cluster centroids): which classes a run may touch, the minority
 * class as imbalanced-learn picks it, neighbour queries through the kNN backend, exact float64
 * distances for rankings, and the typed errors these methods raise.
 */
import { DataError, InterruptedError, UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { fitScaler, packForKnn, type Scaler } from '../dataset/pack.js';
import type { Dataset, SamplerContext, SamplerOptions, SamplingPlan } from '../types.js';

/**
 * The classes a cleaning run may remove rows from, as a mask over class codes.
 * `options.classes` (class names) wins over the plan; otherwise the plan's target classes.
 * Why both: the CLI resolves count strategies into plans, while library users and
 * `--classes` name the classes to clean directly (imbalanced-learn's list strategy).
 *
 * @throws DataError REBALANCE_UNKNOWN_CLASS when a named class is not in the data.
 */
export function cleanClassMask(data: Dataset, plan: SamplingPlan, options: SamplerOptions): Uint8Array {
  const mask = new Uint8Array(data.classNames.length);
  if (options.classes && options.classes.length > 0) {
    for (const name of options.classes) {
      const code = data.classNames.indexOf(name);
      if (code < 0) {
        throw new DataError(
          'REBALANCE_UNKNOWN_CLASS',
          `class '${name}' to clean is not in the data (classes: ${data.classNames.join(', ')}); name one of those`,
        );
      }
      mask[code] = 1;
    }
    return mask;
  }
  for (const code of plan.targets.keys()) {
    if (code >= 0 && code < mask.length) mask[code] = 1;
  }
  return mask;
}

/** Rows per class code over `rows` (or every row). */
export function countClasses(labels: Int32Array, nClasses: number, rows?: ArrayLike<number>): Int32Array {
  const counts = new Int32Array(nClasses);
  if (rows) for (let i = 0; i < rows.length; i++) counts[labels[rows[i]]]++;
  else for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/**
 * The minority class as imbalanced-learn picks it (`min(Counter(y), key=...)`): the smallest
 * count, ties to the class whose first row comes first in the data. Absent classes are skipped.
 */
export function minorityClass(labels: Int32Array, nClasses: number, rows?: ArrayLike<number>): number {
  const counts = countClasses(labels, nClasses, rows);
  const first = new Int32Array(nClasses).fill(-1);
  const n = rows ? rows.length : labels.length;
  for (let i = 0; i < n; i++) {
    const c = labels[rows ? rows[i] : i];
    if (first[c] < 0) first[c] = i;
  }
  let best = -1;
  for (let c = 0; c < nClasses; c++) {
    if (counts[c] === 0) continue;
    if (best < 0 || counts[c] < counts[best] || (counts[c] === counts[best] && first[c] < first[best])) best = c;
  }
  return best;
}

/** Dataset rows of class `c` among `rows` (or all rows), ascending. */
export function rowsOfClass(labels: Int32Array, c: number, rows?: ArrayLike<number>): Int32Array {
  const n = rows ? rows.length : labels.length;
  let m = 0;
  for (let i = 0; i < n; i++) if (labels[rows ? rows[i] : i] === c) m++;
  const out = new Int32Array(m);
  m = 0;
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    if (labels[r] === c) out[m++] = r;
  }
  return out;
}

/** 0..n-1 as an Int32Array. */
export function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Throws InterruptedError when the run's signal was aborted (checked between phases). */
export function throwIfAborted(ctx: SamplerContext): void {
  if (ctx.signal?.aborted) throw new InterruptedError();
}

/** Validates a positive integer option, with the default when absent. */
export function intOption(value: number | undefined, fallback: number, name: string, method: string, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) {
    throw new UsageError('REBALANCE_BAD_OPTION', `${method}: ${name} must be an integer >= ${min}, got ${v}; pass e.g. ${fallback}`);
  }
  return v;
}

/**
 * How a neighbour-label vote ('mode') breaks ties, as scikit-learn's `_mode` (scipy.stats.mode)
 * does for the label column pandas would read: numeric labels -> the smallest label (numpy.unique
 * order, our class code order); string labels (object arrays, counted by collections.Counter) ->
 * the tied label met first in neighbour order (nearest first).
 */
export type ModeTie = 'lowest' | 'first';

/** The tie rule for `classNames`: 'lowest' when every class name is a number, else 'first'. */
export function modeTieFor(classNames: readonly string[]): ModeTie {
  return classNames.every((s) => s.trim() !== '' && Number.isFinite(Number(s))) ? 'lowest' : 'first';
}

/**
 * The most common label among the k neighbour positions nn[base..base+k) (labels by position),
 * ties broken by `tie`. `votes` is a scratch array of nClasses entries.
 */
export function neighbourMode(
  labels: Int32Array,
  nn: Int32Array,
  base: number,
  k: number,
  tie: ModeTie,
  votes: Int32Array,
): number {
  votes.fill(0);
  let max = 0;
  for (let t = 0; t < k; t++) {
    const v = ++votes[labels[nn[base + t]]];
    if (v > max) max = v;
  }
  if (tie === 'first') {
    for (let t = 0; t < k; t++) {
      const c = labels[nn[base + t]];
      if (votes[c] === max) return c;
    }
  }
  let mode = 0;
  for (let c = 1; c < votes.length; c++) if (votes[c] > votes[mode]) mode = c;
  return mode;
}

/** ENN-style kind_sel: 'all' (every neighbour agrees) or 'mode' (majority vote). */
export type KindSel = 'all' | 'mode';

/** Parses options.variant as kind_sel (default 'all'). */
export function kindSelOption(variant: string | undefined, method: string): KindSel {
  const v = variant ?? 'all';
  if (v !== 'all' && v !== 'mode') {
    throw new UsageError('REBALANCE_BAD_OPTION', `${method}: variant (kind_sel) must be 'all' or 'mode', got '${v}'; pass --variant all or --variant mode`);
  }
  return v;
}

/**
 * Neighbours of each of `rows` among the others (self excluded by row id, ties to the lower
 * position), through the context's kNN backend. Returns positions into `rows`, n x k row-major.
 *
 * @throws DataError REBALANCE_TOO_FEW_ROWS when fewer than k + 1 rows are given.
 */
export async function selfNeighbors(
  data: Dataset,
  rows: Int32Array,
  k: number,
  ctx: SamplerContext,
  method: string,
): Promise<Int32Array> {
  if (rows.length < k + 1) {
    throw new DataError(
      'REBALANCE_TOO_FEW_ROWS',
      `${method} needs at least ${k + 1} rows for ${k} neighbours, found ${rows.length}; use fewer neighbours (-k) or more data`,
    );
  }
  throwIfAborted(ctx);
  const dim = data.features.length;
  const index = await ctx.knn.build(packForKnn(data, ctx.scale, rows), dim);
  try {
    return (await index.querySelf(k)).indices;
  } finally {
    index.dispose();
  }
}

/**
 * Neighbours of `queryRows` among `indexRows` (a plain query: a row present in both sets is its
 * own neighbour at distance 0, as scikit-learn's `kneighbors(X)` on other data). Returns
 * positions into `indexRows`, queries x k row-major. Queries go in blocks of `block` rows so a
 * large k never needs more than block x k memory; `each` receives each block's result.
 */
export async function queryNeighbors(
  data: Dataset,
  indexRows: Int32Array,
  queryRows: Int32Array,
  k: number,
  ctx: SamplerContext,
  each: (first: number, count: number, indices: Int32Array) => void,
  block = 1 << 20,
): Promise<void> {
  throwIfAborted(ctx);
  const dim = data.features.length;
  const scaler = ctx.scale && ctx.scale !== 'none' ? fitScaler(data, ctx.scale) : undefined;
  const index = await ctx.knn.build(packRows(data, indexRows, scaler), dim);
  try {
    const step = Math.max(1, Math.floor(block / Math.max(1, k)));
    for (let first = 0; first < queryRows.length; first += step) {
      throwIfAborted(ctx);
      const count = Math.min(step, queryRows.length - first);
      const res = await index.query(packRows(data, queryRows.subarray(first, first + count), scaler), k);
      each(first, count, res.indices);
    }
  } finally {
    index.dispose();
  }
}

function packRows(data: Dataset, rows: Int32Array, scaler: Scaler | undefined): Float32Array {
  const d = data.features.length;
  const out = new Float32Array(rows.length * d);
  for (let c = 0; c < d; c++) {
    const col = data.features[c];
    const shift = scaler ? scaler.shift[c] : 0;
    const mult = scaler ? scaler.mult[c] : 1;
    for (let r = 0; r < rows.length; r++) out[r * d + c] = (col[rows[r]] - shift) * mult;
  }
  return out;
}

/**
 * Exact float64 Euclidean distances between Dataset rows, on the same scaling the kNN search
 * used. Rankings by summed distances (NearMiss) use these rather than the backend's float32
 * distances, so near-equal sums order as scikit-learn orders them.
 */
export class ExactDistance {
  private readonly mult: Float64Array;
  constructor(
    private readonly data: Dataset,
    scale: SamplerContext['scale'],
  ) {
    this.mult = fitScaler(data, scale ?? 'none').mult;
  }

  /** Distance between Dataset rows a and b. */
  between(a: number, b: number): number {
    const f = this.data.features;
    let s = 0;
    for (let j = 0; j < f.length; j++) {
      const t = (f[j][a] - f[j][b]) * this.mult[j];
      s += t * t;
    }
    return Math.sqrt(s);
  }
}

/** Number of set entries of a 0/1 mask. */
export function countMask(mask: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < mask.length; i++) m += mask[i];
  return m;
}

/** rows[i] for every i with keep[i] = 1, in order. */
export function filterRows(rows: Int32Array, keep: Uint8Array): Int32Array {
  const out = new Int32Array(countMask(keep));
  let m = 0;
  for (let i = 0; i < rows.length; i++) if (keep[i]) out[m++] = rows[i];
  return out;
}

/**
 * Mask of every class present among `rows` except the minority as imbalanced-learn's strategy
 * resolution picks it (`_count_class_sample`: classes in sorted order, ties to the lower code).
 * This is what 'auto' / 'not minority' resolve to for cleaning methods.
 */
export function notMinorityMask(labels: Int32Array, nClasses: number, rows?: ArrayLike<number>): Uint8Array {
  const counts = countClasses(labels, nClasses, rows);
  let minority = -1;
  for (let c = 0; c < nClasses; c++) if (counts[c] > 0 && (minority < 0 || counts[c] < counts[minority])) minority = c;
  const mask = new Uint8Array(nClasses);
  for (let c = 0; c < nClasses; c++) if (counts[c] > 0 && c !== minority) mask[c] = 1;
  return mask;
}

/**
 * True when the classes to clean are "every class but the minority" of the whole data (the
 * plan 'auto' and 'not minority' give) and no explicit class list was passed. Iterated methods
 * (RENN, AllKNN) then re-resolve that rule on each pass's rows as imbalanced-learn re-resolves
 * its string strategy, which matters once a cleaned class has become the smallest.
 */
export function cleansAllButMinority(data: Dataset, mask: Uint8Array, options: SamplerOptions): boolean {
  if (options.classes && options.classes.length > 0) return false;
  const auto = notMinorityMask(data.labels, data.classNames.length);
  for (let c = 0; c < auto.length; c++) if (auto[c] !== mask[c]) return false;
  return true;
}

/** Indices i with keep[i] = 1, ascending (the `indices` of a Resampled). */
export function maskToRows(keep: Uint8Array): Int32Array {
  const out = new Int32Array(countMask(keep));
  let m = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) out[m++] = i;
  return out;
}

/**
 * The per-class loop of the seeded condensation methods (condensed-nn, one-sided-selection): for
 * each class in `mask` with rows, in class-code order, draws the position of a seed row from
 * `rng.fork('<method>/<class name>')` and asks `condense` which of the class's rows to keep; the
 * class's other rows are dropped. Rows of other classes are kept. Returns the keep mask.
 */
export async function condenseEachClass(
  data: Dataset,
  mask: Uint8Array,
  rng: Rng,
  method: string,
  ctx: SamplerContext,
  condense: (c: number, classRows: Int32Array, seedPos: number) => Promise<Iterable<number>>,
): Promise<Uint8Array> {
  const keep = new Uint8Array(data.nRows).fill(1);
  for (let c = 0; c < data.classNames.length; c++) {
    if (!mask[c]) continue;
    const classRows = rowsOfClass(data.labels, c);
    if (classRows.length === 0) continue;
    throwIfAborted(ctx);
    const seedPos = rng.fork(`${method}/${data.classNames[c]}`).nextInt(classRows.length);
    const kept = await condense(c, classRows, seedPos);
    for (const r of classRows) keep[r] = 0;
    for (const r of kept) keep[r] = 1;
  }
  return keep;
}
