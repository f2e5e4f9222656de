/**
 * The SMOTE family's draws and interpolation, split as imbalanced-learn splits them: random draws
 * (`drawSmote`: which base row, which of its neighbours, which step) apart from the pure,
 * deterministic kernel (`interpolate`: s = x_i + u * (x_nn - x_i) in float64 on the Dataset's
 * feature columns, never on packed Float32 values), and the synthetic block they fill. Parity
 * tests feed imblearn's exact rows/cols/steps into `interpolate` and compare values.
 */
import type { Rng } from '../../core/rng.js';
import type { Dataset, Resampled, SamplingPlan, SyntheticBlock } from '../../types.js';
import { allRows } from './rows.js';

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

/**
 * Appends rows of class `label` to the builder at its offset: their source and neighbour rows,
 * and, with `data`, their values interpolated at `steps` (without: the caller fills or defers the
 * values). Advances the offset.
 */
export function appendRows(
  b: SyntheticBuilder,
  label: number,
  source: Int32Array,
  neighbor: Int32Array,
  interpolateFrom?: { readonly data: Dataset; readonly steps: Float64Array },
): void {
  const at = b.offset;
  if (interpolateFrom) interpolate(interpolateFrom.data.features, source, neighbor, interpolateFrom.steps, b.block.features as Float64Array[], at);
  b.block.labels.fill(label, at, at + source.length);
  b.block.sourceRow.set(source, at);
  b.block.neighborRow.set(neighbor, at);
  b.offset += source.length;
}

/** Interpolates rows into the builder at its offset and advances it. */
export function appendInterpolated(b: SyntheticBuilder, data: Dataset, label: number, source: Int32Array, neighbor: Int32Array, steps: Float64Array): void {
  appendRows(b, label, source, neighbor, { data, steps });
}

/**
 * Draws `n` rows from `baseRows` and their neighbour table (nBase x k Dataset rows), steps scaled
 * by `stepSize`, and interpolates them into the builder. Returns the draws.
 */
export function drawAndAppend(
  b: SyntheticBuilder,
  data: Dataset,
  label: number,
  baseRows: Int32Array,
  table: Int32Array,
  k: number,
  n: number,
  rng: Rng,
  stepSize = 1,
): SmoteDraws {
  const d = drawSmote(baseRows.length, k, n, rng, stepSize);
  const { source, neighbor } = resolveDraws(d, baseRows, table, k);
  appendInterpolated(b, data, label, source, neighbor, d.steps);
  return d;
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
 * Wraps a filled block into an over-sampler's Resampled (every input row kept). When a method
 * generated a different number of rows than planned for a class (imblearn's ADASYN rounding, a
 * Borderline class with no danger rows), `added` gives the real counts and the returned plan
 * states them; each method documents its rule, and the contract tests check it against the plan
 * resolved from the request.
 */
export function overResult(data: Dataset, plan: SamplingPlan, b: SyntheticBuilder, added?: ReadonlyMap<number, number>): Resampled {
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
