/**
 * Shared machinery of the SMOTE family, split as imbalanced-learn splits it: random draws
 * (`drawSmote`: which base row, which of its neighbours, which step) apart from the pure,
 * deterministic kernel (`interpolate`: s = x_i + u * (x_nn - x_i) in float64 on the Dataset's
 * feature columns, never on packed Float32 values). Parity tests feed imblearn's exact
 * rows/cols/steps into `interpolate` and compare values.
 */
import { DataError, InterruptedError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { packForKnn } from '../dataset/pack.js';
import type { Dataset, KnnResult, Resampled, SamplerContext, SamplerOptions, SamplingPlan, SyntheticBlock } from '../types.js';

/** One random choice per synthetic row: base row (into the base set), neighbour column, step. */
export interface SmoteDraws {
  /** Index into the base rows (imblearn `rows`). */
  readonly rows: Int32Array;
  /** Column into the base row's neighbour list (imblearn `cols`). */
  readonly cols: Int32Array;
  /** Interpolation step, stepSize * U[0, 1) (imblearn `steps`). */
  readonly steps: Float64Array;
}

/**
 * Draws `nSamples` (row, neighbour column, step) triples as imblearn's `_make_samples` does:
 * a uniform flat index into the nBase x k neighbour table, then a uniform step scaled by
 * `stepSize`. Draws are made per synthetic row, in row order, from `rng` only.
 */
export function drawSmote(nBase: number, k: number, nSamples: number, rng: Rng, stepSize = 1): SmoteDraws {
  const rows = new Int32Array(nSamples);
  const cols = new Int32Array(nSamples);
  const steps = new Float64Array(nSamples);
  const total = nBase * k;
  for (let t = 0; t < nSamples; t++) {
    const flat = rng.nextInt(total);
    rows[t] = Math.floor(flat / k);
    cols[t] = flat - rows[t] * k;
    steps[t] = stepSize * rng.nextFloat();
  }
  return { rows, cols, steps };
}

/**
 * Maps draws to Dataset rows: source = baseRows[rows[t]], neighbour = neighborRows[rows[t] * k + cols[t]]
 * where `neighborRows` is the nBase x k neighbour table already expressed in Dataset row indices.
 */
export function resolveDraws(
  draws: SmoteDraws,
  baseRows: ArrayLike<number>,
  neighborRows: ArrayLike<number>,
  k: number,
): { source: Int32Array; neighbor: Int32Array } {
  const n = draws.rows.length;
  const source = new Int32Array(n);
  const neighbor = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    const r = draws.rows[t];
    source[t] = baseRows[r];
    neighbor[t] = neighborRows[r * k + draws.cols[t]];
  }
  return { source, neighbor };
}

/**
 * The deterministic SMOTE kernel: for every synthetic row t and feature j,
 * out[j][offset + t] = x[source[t]][j] + steps[t] * (x[neighbor[t]][j] - x[source[t]][j]),
 * evaluated in float64 in the same operation order as imblearn (`X[rows] + steps * diffs`), so
 * the same inputs give bit-identical values. `columns` are the Dataset's feature columns;
 * `out` defaults to fresh arrays of length source.length.
 */
export function interpolate(
  columns: readonly Float64Array[],
  source: ArrayLike<number>,
  neighbor: ArrayLike<number>,
  steps: ArrayLike<number>,
  out?: Float64Array[],
  offset = 0,
): Float64Array[] {
  const n = source.length;
  const res = out ?? columns.map(() => new Float64Array(n));
  for (let j = 0; j < columns.length; j++) {
    const col = columns[j];
    const dst = res[j];
    for (let t = 0; t < n; t++) {
      const x = col[source[t]];
      const diff = col[neighbor[t]] - x;
      dst[offset + t] = x + steps[t] * diff;
    }
  }
  return res;
}

/** A SyntheticBlock being filled class by class (arrays allocated once). */
export interface SyntheticBuilder {
  readonly block: SyntheticBlock;
  /** Next free row. */
  offset: number;
}

/** Allocates a block of `total` synthetic rows with `nFeatures` Float64 columns. */
export function allocateSynthetic(nFeatures: number, total: number): SyntheticBuilder {
  const block: SyntheticBlock = {
    nRows: total,
    features: Array.from({ length: nFeatures }, () => new Float64Array(total)),
    labels: new Int32Array(total),
    sourceRow: new Int32Array(total).fill(-1),
    neighborRow: new Int32Array(total).fill(-1),
  };
  return { block, offset: 0 };
}

/** Interpolates rows into the builder at its offset and advances it. */
export function appendInterpolated(
  b: SyntheticBuilder,
  data: Dataset,
  label: number,
  source: Int32Array,
  neighbor: Int32Array,
  steps: Float64Array,
): void {
  const at = b.offset;
  interpolate(data.features, source, neighbor, steps, b.block.features as Float64Array[], at);
  b.block.labels.fill(label, at, at + source.length);
  b.block.sourceRow.set(source, at);
  b.block.neighborRow.set(neighbor, at);
  b.offset += source.length;
}

/** Dataset rows of class `code`, ascending. */
export function rowsOfClass(labels: Int32Array, code: number): Int32Array {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === code) n++;
  const out = new Int32Array(n);
  let t = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === code) out[t++] = i;
  return out;
}

/** The classes to synthesize (to > from), by class code ascending, with the count to add. */
export function overTargets(plan: SamplingPlan): { code: number; add: number }[] {
  return [...plan.targets.entries()]
    .filter(([, t]) => t.to > t.from)
    .sort((a, b) => a[0] - b[0])
    .map(([code, t]) => ({ code, add: t.to - t.from }));
}

/** Rows to add in total over `targets`. */
export function totalToAdd(targets: readonly { add: number }[]): number {
  return targets.reduce((s, t) => s + t.add, 0);
}

/**
 * m_neighbors over all rows: with --k-auto, clamped to the rows available (and said on the log).
 */
export function resolveM(method: string, nRows: number, m: number, kAuto: boolean | undefined, log: (m: string) => void): number {
  if (kAuto && nRows <= m && nRows >= 2) {
    log(`${method}: the input has ${nRows} rows, using m=${nRows - 1} instead of ${m} (--k-auto)`);
    return nRows - 1;
  }
  return m;
}

/** Throws InterruptedError when the context's signal has fired. */
export function checkAbort(ctx: SamplerContext): void {
  if (ctx.signal?.aborted) throw new InterruptedError();
}

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
 * Neighbours of each of `rows` among `rows` (self excluded by id), as Dataset row indices
 * (row-major rows.length x k). Builds, queries and disposes one index.
 */
export async function sameClassNeighbors(
  data: Dataset,
  rows: Int32Array,
  k: number,
  ctx: SamplerContext,
  cols?: readonly number[],
): Promise<Int32Array> {
  const dim = cols ? cols.length : data.features.length;
  const idx = await ctx.knn.build(packForKnn(data, ctx.scale, rows, cols), dim);
  let res: KnnResult;
  try {
    res = await idx.querySelf(k);
  } finally {
    idx.dispose();
  }
  return mapIndices(res.indices, rows);
}

/** Replaces local indices (into `rows`) by Dataset rows, in a new array. */
export function mapIndices(local: Int32Array, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(local.length);
  for (let t = 0; t < local.length; t++) out[t] = rows[local[t]];
  return out;
}

/** Every Dataset row, ascending (over-samplers keep every input row). */
export function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * Wraps a filled block into a Resampled. When a method generated a different number of rows
 * than planned for a class (imblearn's ADASYN rounding, a Borderline class with no danger rows),
 * `added` gives the real counts and the returned plan states them, so counts equal the plan.
 */
export function finish(
  data: Dataset,
  plan: SamplingPlan,
  b: SyntheticBuilder,
  added?: ReadonlyMap<number, number>,
): Resampled {
  let outPlan = plan;
  if (added) {
    const targets = new Map(plan.targets);
    for (const [code, n] of added) {
      const t = plan.targets.get(code);
      if (t && t.from + n !== t.to) targets.set(code, { from: t.from, to: t.from + n });
    }
    outPlan = { kind: plan.kind, targets };
  }
  const block = b.offset === b.block.nRows ? b.block : truncate(b.block, b.offset);
  return { indices: allRows(data.nRows), synthetic: block.nRows > 0 ? block : null, plan: outPlan };
}

function truncate(s: SyntheticBlock, n: number): SyntheticBlock {
  return {
    nRows: n,
    features: s.features.map((c) => c.subarray(0, n)),
    labels: s.labels.subarray(0, n),
    sourceRow: s.sourceRow.subarray(0, n),
    neighborRow: s.neighborRow.subarray(0, n),
  };
}

/** Label of the random stream of one class: `<method>/<className>`. */
export function classStream(rng: Rng, method: string, className: string): Rng {
  return rng.fork(`${method}/${className}`);
}

/**
 * Beta(a, b) draw for integer a, b >= 1 as G_a / (G_a + G_b), each Gamma(n, 1) a sum of n
 * exponentials (-log(1 - U)). Borderline-2 and SVM-SMOTE split their rows with Beta(10, 10).
 */
export function betaDraw(rng: Rng, a: number, b: number): number {
  let ga = 0;
  for (let i = 0; i < a; i++) ga -= Math.log(1 - rng.nextFloat());
  let gb = 0;
  for (let i = 0; i < b; i++) gb -= Math.log(1 - rng.nextFloat());
  return ga / (ga + gb);
}

/**
 * The m nearest neighbours of every row among all rows (self excluded by id), row-major
 * nRows x m, for the methods that look across classes (Borderline, ADASYN, SVM-SMOTE).
 * @throws DataError REBALANCE_TOO_FEW_ROWS when there are not m other rows.
 */
export async function allRowsNeighbors(data: Dataset, m: number, ctx: SamplerContext, method: string, flag: string): Promise<Int32Array> {
  if (data.nRows <= m) {
    throw new DataError(
      'REBALANCE_TOO_FEW_ROWS',
      `${method} looks at the ${m} nearest rows of each row but the input has ${data.nRows} rows; use ${flag} ${Math.max(1, data.nRows - 1)} or fewer`,
    );
  }
  const idx = await ctx.knn.build(packForKnn(data, ctx.scale), data.features.length);
  try {
    return (await idx.querySelf(m)).indices;
  } finally {
    idx.dispose();
  }
}

/**
 * For each of `rows`, how many of its m neighbours (row-major table over all Dataset rows, as
 * returned by {@link allRowsNeighbors}) belong to a class other than `target`.
 */
export function countOtherClass(nnAll: Int32Array, m: number, labels: Int32Array, rows: ArrayLike<number>, target: number): Int32Array {
  const out = new Int32Array(rows.length);
  for (let t = 0; t < rows.length; t++) {
    const base = rows[t] * m;
    let c = 0;
    for (let j = 0; j < m; j++) if (labels[nnAll[base + j]] !== target) c++;
    out[t] = c;
  }
  return out;
}

/** The common start of the m-neighbour SMOTE variants (Borderline, SVM-SMOTE). */
export interface MNeighborStart {
  readonly targets: { code: number; add: number }[];
  readonly b: SyntheticBuilder;
  /** Rows actually added per class (may differ from the plan). */
  readonly added: Map<number, number>;
  readonly m: number;
  /** m nearest rows (all classes) of every row; null when nothing is to be added. */
  readonly nnAll: Int32Array | null;
}

/** Resolves m (--k-auto), allocates the synthetic block and, when needed, the all-rows neighbours. */
export async function startMNeighbors(method: string, data: Dataset, plan: SamplingPlan, options: SamplerOptions, ctx: SamplerContext): Promise<MNeighborStart> {
  const m = resolveM(method, data.nRows, options.mNeighbors ?? 10, options.kAuto, ctx.log);
  const targets = overTargets(plan);
  const b = allocateSynthetic(data.features.length, totalToAdd(targets));
  const nnAll = targets.length === 0 ? null : await allRowsNeighbors(data, m, ctx, method, '--m-neighbors');
  return { targets, b, added: new Map(), m, nnAll };
}
