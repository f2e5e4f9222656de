/**
 * Random over-sampling (imbalanced-learn's RandomOverSampler): plain bootstrap (extra copies of
 * existing rows) or smoothed bootstrap (`shrinkage`: each copy plus Gaussian noise scaled per
 * feature, imblearn's formula).
 *
 * Random draws are apart from the deterministic parts so in-memory and streaming runs agree:
 * - `drawOverSamples` draws, per over-sampled class, the class-local positions (0..from-1, the
 *   class's rows in input order) of the extra copies, from `rng.fork('random-over/' + code)`.
 *   It needs the counts only: the plain bootstrap streams (`overStreamSelection`: every input row
 *   flows through; the copies are written after the input rows, grouped by class code ascending,
 *   in draw order).
 * - `smoothedBootstrap` turns drawn positions into noisy rows. It needs the FEATURES of the
 *   over-sampled classes (per-feature standard deviation of the class) and the row count of the
 *   WHOLE input (imblearn's smoothing constant uses it), so with `shrinkage` the sampler's scope is
 *   'targets', not 'stream'. Noise comes from `rng.fork('random-over-shrinkage/' + code)`.
 */
import { DataError, UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classCounts } from '../dataset/make.js';
import type {
  Dataset,
  Resampled,
  Sampler,
  SamplerContext,
  SamplerDefinition,
  SamplerOptions,
  SamplingPlan,
  StreamingSampler,
  StreamSelection,
  SyntheticBlock,
} from '../types.js';

/** The fork label of class `code`'s position draws. */
export const overForkLabel = (code: number): string => `random-over/${code}`;
/** The fork label of class `code`'s smoothing noise. */
export const shrinkageForkLabel = (code: number): string => `random-over-shrinkage/${code}`;

/**
 * Checks that `plan` is an over-sampling plan consistent with `counts`. Only classes that gain
 * rows (to > from) must be present with `from` rows: a 'targets' Dataset holds just those.
 */
export function checkOverPlan(plan: SamplingPlan, counts: ArrayLike<number>): void {
  if (plan.kind !== 'over') {
    throw new UsageError('REBALANCE_PLAN_KIND', `random over-sampling needs an 'over' plan, got a '${plan.kind}' plan; resolve the strategy with kind 'over'`);
  }
  for (const [code, { from, to }] of plan.targets) {
    if (to > from && (!(code >= 0 && code < counts.length) || counts[code] !== from)) {
      throw new DataError(
        'REBALANCE_PLAN_MISMATCH',
        `the plan says class code ${code} has ${from} rows but the data has ${code < counts.length ? counts[code] : 0}; resolve the plan from the counts of this input`,
      );
    }
    if (!Number.isInteger(to) || to < from || (to > from && from === 0)) {
      throw new DataError('REBALANCE_PLAN_MISMATCH', `over-sampling class code ${code} from ${from} to ${to} rows is impossible; the target must be an integer >= ${from} and the class must have rows`);
    }
  }
}

/**
 * Per over-sampled class code (plan `to > from`, ascending), the class-local positions of the
 * `to - from` extra copies in output order: uniform with replacement over 0..from-1, drawn from
 * `rng.fork('random-over/' + code)` (imblearn: random_state.choice(class_rows, n, replace=True)).
 * Memory: the copies only. Pure given `rng`.
 */
export function drawOverSamples(plan: SamplingPlan, counts: ArrayLike<number>, rng: Rng): Map<number, Int32Array> {
  checkOverPlan(plan, counts);
  const out = new Map<number, Int32Array>();
  for (const code of [...plan.targets.keys()].sort((a, b) => a - b)) {
    const { from, to } = plan.targets.get(code)!;
    if (to <= from) continue;
    const classRng = rng.fork(overForkLabel(code));
    const positions = new Int32Array(to - from);
    for (let i = 0; i < positions.length; i++) positions[i] = classRng.nextInt(from);
    out.set(code, positions);
  }
  return out;
}

/**
 * imblearn's per-class shrinkage (`shrinkage_`): a number applies to every class of the plan; a
 * record (class name -> factor) must name every class of the plan (extra names are ignored, as in
 * imblearn). Factors must be finite and >= 0. `undefined` means plain bootstrap (null).
 */
export function resolveShrinkage(
  shrinkage: number | Readonly<Record<string, number>> | undefined,
  plan: SamplingPlan,
  classNames: readonly string[],
): Map<number, number> | null {
  if (shrinkage === undefined || shrinkage === null) return null;
  const check = (v: unknown, where: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new UsageError('REBALANCE_BAD_SHRINKAGE', `shrinkage${where} must be a number >= 0, got ${String(v)}; 0 means copies, larger values add more noise`);
    }
    return v;
  };
  const out = new Map<number, number>();
  if (typeof shrinkage === 'number') {
    check(shrinkage, '');
    for (const code of plan.targets.keys()) out.set(code, shrinkage);
    return out;
  }
  const missing = [...plan.targets.keys()].filter((c) => !Object.prototype.hasOwnProperty.call(shrinkage, classNames[c]));
  if (missing.length > 0) {
    throw new DataError(
      'REBALANCE_SHRINKAGE',
      `shrinkage needs a factor for every over-sampled class; missing ${missing.map((c) => `'${classNames[c]}'`).join(', ')}: add them or give one number for all classes`,
    );
  }
  for (const [name, v] of Object.entries(shrinkage)) check(v, ` for class '${name}'`);
  for (const code of plan.targets.keys()) out.set(code, shrinkage[classNames[code]]);
  return out;
}

/**
 * imblearn's smoothing constant (4 / ((d + 2) n))^(1 / (d + 4)) for n rows (of the whole input,
 * every class) and d features: the optimal Gaussian-kernel bandwidth factor (Silverman's rule).
 */
export function smoothingConstant(totalRows: number, nFeatures: number): number {
  return (4 / ((nFeatures + 2) * totalRows)) ** (1 / (nFeatures + 4));
}

/** Input of `smoothedBootstrap`. */
export interface SmoothedBootstrapInput {
  /** Feature columns (Dataset order) holding at least the class's rows. */
  readonly features: readonly ArrayLike<number>[];
  /** Dataset rows of the class in input order: class-local position p is row classRows[p]. */
  readonly classRows: ArrayLike<number>;
  /** Drawn class-local positions (from `drawOverSamples`), in output order. */
  readonly positions: Int32Array;
  /** The class's shrinkage factor (>= 0). */
  readonly shrinkage: number;
  /** Rows in the whole input (all classes), for the smoothing constant. */
  readonly totalRows: number;
  /** Class code written to `labels`. */
  readonly classCode: number;
  /** Columns that get no noise (categorical codes): copied from the source row. */
  readonly noNoise?: readonly boolean[];
}

/**
 * imblearn's smoothed bootstrap for one class: row i = x[classRows[positions[i]]] + z_i * h * c * s,
 * with z_i standard normal (drawn row by row, feature by feature, from `rng`), h the shrinkage,
 * c = smoothingConstant(totalRows, d) and s the class's per-feature population standard deviation.
 * Returns a SyntheticBlock with `sourceRow` = the copied Dataset row and `neighborRow` = -1.
 */
export function smoothedBootstrap(input: SmoothedBootstrapInput, rng: Rng): SyntheticBlock {
  const { features, classRows, positions, shrinkage, totalRows, classCode } = input;
  const d = features.length;
  const n = positions.length;
  const m = classRows.length;
  const c = smoothingConstant(totalRows, d);
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const col = features[j];
    let sum = 0;
    for (let i = 0; i < m; i++) sum += col[classRows[i]];
    const mean = sum / m;
    let ss = 0;
    for (let i = 0; i < m; i++) {
      const dv = col[classRows[i]] - mean;
      ss += dv * dv;
    }
    scale[j] = input.noNoise?.[j] ? 0 : shrinkage * c * Math.sqrt(ss / m);
  }
  const out = features.map(() => new Float64Array(n));
  const sourceRow = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = classRows[positions[i]];
    sourceRow[i] = row;
    for (let j = 0; j < d; j++) {
      const z = rng.nextNormal(); // drawn for every feature so the stream layout never depends on kinds
      out[j][i] = scale[j] === 0 ? features[j][row] : features[j][row] + z * scale[j];
    }
  }
  const labels = new Int32Array(n).fill(classCode);
  const neighborRow = new Int32Array(n).fill(-1);
  return { nRows: n, features: out, labels, sourceRow, neighborRow };
}

/** Rows of each class code in Dataset order. */
function rowsByClass(labels: Int32Array, counts: Int32Array): Int32Array[] {
  const rows = Array.from(counts, (n) => new Int32Array(n));
  const fill = new Int32Array(counts.length);
  for (let i = 0; i < labels.length; i++) rows[labels[i]][fill[labels[i]]++] = i;
  return rows;
}

/** Context accepted by the random over-sampler: `totalRows` when `data` is a subset (scope 'targets'). */
export interface RandomOverContext extends SamplerContext {
  /** Rows in the whole input; needed with shrinkage when `data` holds only the target classes. */
  readonly totalRows?: number;
}

/**
 * Random over-sampling of an in-memory Dataset. `indices` = every row (ascending). Plain
 * bootstrap: `duplicates` = the Dataset rows of the extra copies, grouped by class code ascending,
 * in draw order; `synthetic` = null. Smoothed (shrinkage given): the same rows, noisy, in
 * `synthetic` (sourceRow set); no `duplicates`. `totalRows` = rows of the whole input (defaults
 * to data.nRows; pass it when data holds only the target classes).
 */
export function randomOverSample(
  data: Dataset,
  plan: SamplingPlan,
  rng: Rng,
  shrinkage: number | Readonly<Record<string, number>> | undefined,
  totalRows: number = data.nRows,
): Resampled {
  const counts = classCounts(data.labels, data.classNames.length);
  const draws = drawOverSamples(plan, counts, rng);
  const factors = resolveShrinkage(shrinkage, plan, data.classNames);
  const byClass = rowsByClass(data.labels, counts);
  const indices = new Int32Array(data.nRows);
  for (let i = 0; i < indices.length; i++) indices[i] = i;
  let extra = 0;
  for (const p of draws.values()) extra += p.length;
  if (factors === null) {
    const duplicates = new Int32Array(extra);
    let w = 0;
    for (const [code, positions] of draws) {
      const rows = byClass[code];
      for (let i = 0; i < positions.length; i++) duplicates[w++] = rows[positions[i]];
    }
    return { indices, duplicates, synthetic: null, plan };
  }
  const noNoise = data.featureKinds.map((k) => k === 'categorical');
  const d = data.features.length;
  const features = Array.from({ length: d }, () => new Float64Array(extra));
  const labels = new Int32Array(extra);
  const sourceRow = new Int32Array(extra);
  const neighborRow = new Int32Array(extra).fill(-1);
  let w = 0;
  for (const [code, positions] of draws) {
    const block = smoothedBootstrap(
      { features: data.features, classRows: byClass[code], positions, shrinkage: factors.get(code)!, totalRows, classCode: code, noNoise },
      rng.fork(shrinkageForkLabel(code)),
    );
    for (let j = 0; j < d; j++) features[j].set(block.features[j], w);
    labels.set(block.labels, w);
    sourceRow.set(block.sourceRow, w);
    w += block.nRows;
  }
  return { indices, synthetic: { nRows: extra, features, labels, sourceRow, neighborRow }, plan };
}

/**
 * The streaming pass of the plain bootstrap: every row written once, in place; the rows at drawn
 * class-local positions are held; the copies follow the input, grouped by class code ascending,
 * in draw order (as `randomOverSample`'s duplicates).
 */
export function overStreamSelection(plan: SamplingPlan, counts: ArrayLike<number>, rng: Rng): StreamSelection {
  const draws = drawOverSamples(plan, counts, rng);
  // Per over-sampled class: drawn class-local position -> index among the held rows (-1 until seen).
  const wanted = new Map<number, Map<number, number>>();
  // Keys set one by one: a [position, -1] pair per draw would cost ~100 bytes per added row at once.
  for (const [code, positions] of draws) {
    const w = new Map<number, number>();
    for (let i = 0; i < positions.length; i++) w.set(positions[i], -1);
    wanted.set(code, w);
  }
  const seen = new Int32Array(counts.length);
  let held = 0;
  let last = false;
  return {
    write(code: number): number {
      const p = seen[code]++;
      const w = wanted.get(code);
      last = w !== undefined && w.has(p);
      if (last) w!.set(p, held++);
      return 1;
    },
    hold: () => last,
    copies(): Int32Array {
      let total = 0;
      for (const positions of draws.values()) total += positions.length;
      const out = new Int32Array(total);
      let k = 0;
      for (const [code, positions] of draws) {
        const w = wanted.get(code)!;
        for (let i = 0; i < positions.length; i++) {
          const h = w.get(positions[i])!;
          if (h < 0) {
            throw new DataError(
              'REBALANCE_PLAN_MISMATCH',
              `class code ${code} has fewer rows than the ${counts[code]} counted; the input changed between the counting pass and the sampling pass`,
            );
          }
          out[k++] = h;
        }
      }
      return out;
    },
  };
}

/**
 * Creates the sampler; reads `options.shrinkage`. Without it: the plain bootstrap, which streams
 * (scope 'stream'). With it: the smoothed bootstrap, which needs the over-sampled classes'
 * features (scope 'targets') and writes generated cells (needs.syntheticCells).
 */
function create(options: SamplerOptions): Sampler | StreamingSampler {
  const shrinkage = options.shrinkage;
  if (typeof shrinkage === 'number' && !(Number.isFinite(shrinkage) && shrinkage >= 0)) {
    throw new UsageError('REBALANCE_BAD_SHRINKAGE', `shrinkage must be a number >= 0, got ${shrinkage}; 0 means copies, larger values add more noise`);
  }
  const smoothed = shrinkage !== undefined && shrinkage !== null;
  const fitResample = async (data: Dataset, plan: SamplingPlan, rng: Rng, ctx: RandomOverContext): Promise<Resampled> => {
    ctx.signal?.throwIfAborted();
    let totalRows = ctx.totalRows;
    if (totalRows === undefined) {
      if (smoothed && data.rowIds !== undefined) {
        throw new RangeError('random-over with shrinkage on a subset Dataset needs ctx.totalRows (rows of the whole input)');
      }
      totalRows = data.nRows;
    }
    return randomOverSample(data, plan, rng, shrinkage, totalRows);
  };
  if (smoothed) {
    return { name: 'random-over', kind: 'over', scope: 'targets', needs: { ...randomOverDefinition.needs, syntheticCells: true }, fitResample };
  }
  return { name: 'random-over', kind: 'over', scope: 'stream', fitResample, selectStream: overStreamSelection };
}

/**
 * RandomOverSampler: duplicates random rows of the smaller classes (streams, labels only); with
 * `shrinkage`, a smoothed bootstrap that needs the over-sampled classes' features (scope 'targets').
 */
export const randomOverDefinition: SamplerDefinition = {
  name: 'random-over',
  kind: 'over',
  scope: 'stream',
  needs: { knn: false, features: 'any', syntheticCells: false },
  summary: 'Duplicate random rows of the smaller classes (streams); --shrinkage adds Gaussian noise (smoothed bootstrap).',
  defaultStrategy: 'auto',
  create,
};
