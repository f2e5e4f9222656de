/**
 * Neighbour searches the samplers share, all through the context's kNN backend: same-class
 * neighbours, neighbours over every row, self neighbours of a row subset, blocked queries of one
 * set against another; the neighbour counts k / m (with --k-auto); exact float64 distances; the
 * neighbour-label vote. The typed errors for too few rows live here.
 */
import { DataError } from '../../core/errors.js';
import { fitScaler, packFeatures, packForKnn, type Scaler } from '../../dataset/pack.js';
import type { Dataset, KnnResult, SamplerContext } from '../../types.js';
import { mapIndices, throwIfAborted } from './rows.js';

/**
 * The neighbour count to use for a class of `size` rows when `k` same-class neighbours are
 * requested. A class with <= k rows fails with REBALANCE_CLASS_TOO_SMALL unless `kAuto`, which
 * clamps k to size - 1 and says so through `log`. A class of one row always fails.
 */
export function resolveK(
  method: string,
  className: string,
  size: number,
  k: number,
  kAuto: boolean | undefined,
  log: (m: string) => void,
  what = 'k',
): number {
  if (size > k) return k;
  if (kAuto && size >= 2) {
    log(`${method}: class '${className}' has ${size} rows, using ${what}=${size - 1} instead of ${k} (--k-auto)`);
    return size - 1;
  }
  const fix = size >= 2 ? `use -k ${size - 1} or fewer, or --k-auto` : 'add rows of this class or leave it out of the strategy';
  throw new DataError(
    'REBALANCE_CLASS_TOO_SMALL',
    `${method} needs more than ${what}=${k} rows in class '${className}' (itself plus ${k} neighbours), found ${size}; ${fix}`,
  );
}

/**
 * A neighbour count over all rows (`what`: m_neighbors, n_neighbors): with --k-auto, clamped to
 * the rows available (and said on the log).
 */
export function resolveM(method: string, nRows: number, m: number, kAuto: boolean | undefined, log: (m: string) => void, what = 'm'): number {
  if (kAuto && nRows <= m && nRows >= 2) {
    log(`${method}: the input has ${nRows} rows, using ${what}=${nRows - 1} instead of ${m} (--k-auto)`);
    return nRows - 1;
  }
  return m;
}

/** Rows packed for a search on the context's scaling: ctx.scaler when given (fitted on the whole input elsewhere), else fitted on `data`. */
export function packScaled(data: Dataset, ctx: SamplerContext, rows?: Int32Array): Float32Array {
  return ctx.scaler && ctx.scale && ctx.scale !== 'none' ? packFeatures(data, rows, undefined, ctx.scaler) : packForKnn(data, ctx.scale, rows);
}

/**
 * Neighbours of each of `rows` among `rows` (self excluded by id), as Dataset row indices
 * (row-major rows.length x k). Builds, queries and disposes one index.
 */
export async function sameClassNeighbors(data: Dataset, rows: Int32Array, k: number, ctx: SamplerContext): Promise<Int32Array> {
  const idx = await ctx.knn.build(packScaled(data, ctx, rows), data.features.length);
  let res: KnnResult;
  try {
    res = await idx.querySelf(k);
  } finally {
    idx.dispose();
  }
  return mapIndices(res.indices, rows);
}

/**
 * The classes of the m nearest neighbours of every row among all rows of the input (self
 * excluded by id), row-major nRows x m, for the methods that look across classes (Borderline,
 * ADASYN, SVM-SMOTE): searched on `data`, or taken from `ctx.allRowsNeighbours` when the
 * neighbours were found elsewhere (the distributed kNN; `data` then holds only some classes and
 * ctx.totalRows counts the whole input).
 * @throws DataError REBALANCE_TOO_FEW_ROWS when there are not m other rows.
 */
export async function allRowsNeighbourLabels(data: Dataset, m: number, ctx: SamplerContext, method: string, flag: string): Promise<Int32Array> {
  const nRows = ctx.totalRows ?? data.nRows;
  if (nRows <= m) {
    throw new DataError(
      'REBALANCE_TOO_FEW_ROWS',
      `${method} looks at the ${m} nearest rows of each row but the input has ${nRows} rows; use ${flag} ${Math.max(1, nRows - 1)} or fewer`,
    );
  }
  const given = ctx.allRowsNeighbours;
  if (given) {
    if (given.m !== m || given.labels.length !== data.nRows * m) {
      throw new Error(`internal: ${method} got ${given.labels.length / Math.max(1, data.nRows)} neighbours per row from outside, needs ${m} for each of ${data.nRows} rows`);
    }
    return given.labels;
  }
  const idx = await ctx.knn.build(packScaled(data, ctx), data.features.length);
  let nn: Int32Array;
  try {
    nn = (await idx.querySelf(m)).indices;
  } finally {
    idx.dispose();
  }
  // Neighbour positions -> their classes, in place.
  for (let i = 0; i < nn.length; i++) nn[i] = data.labels[nn[i]];
  return nn;
}

/**
 * For each of `rows`, how many of its m neighbours belong to a class other than `target`, from
 * the neighbour classes of every Dataset row (row-major, {@link allRowsNeighbourLabels}).
 */
export function countOtherClass(nnLabels: Int32Array, m: number, rows: ArrayLike<number>, target: number): Int32Array {
  const out = new Int32Array(rows.length);
  for (let t = 0; t < rows.length; t++) {
    const base = rows[t] * m;
    let c = 0;
    for (let j = 0; j < m; j++) if (nnLabels[base + j] !== target) c++;
    out[t] = c;
  }
  return out;
}

/**
 * Neighbours of each of `rows` among the others (self excluded by row id, ties to the lower
 * position), through the context's kNN backend. Returns positions into `rows`, n x k row-major.
 *
 * @throws DataError REBALANCE_TOO_FEW_ROWS when fewer than k + 1 rows are given.
 */
export async function selfNeighbors(data: Dataset, rows: Int32Array, k: number, ctx: SamplerContext, method: string): Promise<Int32Array> {
  if (rows.length < k + 1) {
    throw new DataError(
      'REBALANCE_TOO_FEW_ROWS',
      `${method} needs at least ${k + 1} rows for ${k} neighbours, found ${rows.length}; use fewer neighbours (-k) or more data`,
    );
  }
  throwIfAborted(ctx);
  const index = await ctx.knn.build(packForKnn(data, ctx.scale, rows), data.features.length);
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
export function neighbourMode(labels: Int32Array, nn: Int32Array, base: number, k: number, tie: ModeTie, votes: Int32Array): number {
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
