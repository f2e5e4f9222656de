/**
 * --scale for the distributed kNN: the scaler a single-machine run fits on every row
 * (dataset/pack.ts fitScaler), from the partitions, bit for bit.
 *   minmax    min and max per feature are exact under any merge: each partition's (map), merged (reduce).
 *   standard  fitScaler sums in row order (mean = sum / n, then the sum of squared deviations);
 *             float addition is not associative, so the sums run as a chain over the partitions in
 *             order, each step continuing the previous one's running sums: one chain for the sums,
 *             a second for the squared deviations (2 x partitions steps, one after the other, each
 *             reading one partition's features).
 * The points step then packs (x - shift) * mult as packFeatures does.
 */
import { DataError, UsageError } from '../core/errors.js';
import type { Scaler } from '../dataset/pack.js';
import { DatasetBuilder } from '../pipeline/collect.js';
import { eachRow } from '../pipeline/passes.js';
import type { Dataset } from '../types.js';
import type { DistPlan } from './plan.js';
import { openPlanned, type PartitionStep } from './partition.js';

export type DistScale = 'standard' | 'minmax';

/** The state the moments steps pass on (and the scaler once `phase` is 'done'). */
export interface ScaleState {
  readonly kind: 'rebalance-dist-scale';
  readonly scale: DistScale;
  /** standard: 'sum' (running sums), 'square' (running sums of squared deviations from mean), 'done'. minmax: 'minmax' per partition, 'done' merged. */
  readonly phase: 'sum' | 'square' | 'minmax' | 'done';
  /** The next partition index the chain expects (standard). */
  readonly next: number;
  readonly sum?: readonly number[];
  readonly mean?: readonly number[];
  readonly square?: readonly number[];
  readonly min?: readonly number[];
  readonly max?: readonly number[];
  readonly shift?: readonly number[];
  readonly mult?: readonly number[];
}

export function checkScaleState(value: unknown, file: string): ScaleState {
  const v = value as Partial<ScaleState>;
  if (!v || v.kind !== 'rebalance-dist-scale') throw new DataError('REBALANCE_BAD_DIST_FILE', `${file} is not a dist scale file; give the file 'rebalance dist moments' or 'scaler' wrote`);
  return v as ScaleState;
}

async function partitionData(step: PartitionStep): Promise<Dataset> {
  const p = await openPlanned(step);
  try {
    const builder = new DatasetBuilder(p.profile, () => true);
    await eachRow({ source: p.source, profile: p.profile, signal: step.read?.signal }, (cells, r, code) => builder.add(cells, r, code));
    return builder.finish();
  } finally {
    await p.source.close();
  }
}

/**
 * The moments step of one partition. minmax: its min and max (a map). standard: continues the
 * chain from `prev` (none: the first partition's first phase), in fitScaler's operation order.
 */
export async function partitionMoments(step: PartitionStep, scale: DistScale, prev: ScaleState | null): Promise<ScaleState> {
  const plan = step.plan;
  checkScalable(plan);
  const data = await partitionData(step);
  const d = data.features.length;
  if (scale === 'minmax') {
    // A partition without rows gives empty lists (JSON has no Infinity).
    if (data.nRows === 0) return { kind: 'rebalance-dist-scale', scale, phase: 'minmax', next: step.index + 1, min: [], max: [] };
    const min = new Array<number>(d).fill(Infinity);
    const max = new Array<number>(d).fill(-Infinity);
    for (let j = 0; j < d; j++) {
      const col = data.features[j];
      for (let r = 0; r < data.nRows; r++) {
        if (col[r] < min[j]) min[j] = col[r];
        if (col[r] > max[j]) max[j] = col[r];
      }
    }
    return { kind: 'rebalance-dist-scale', scale, phase: 'minmax', next: step.index + 1, min, max };
  }
  const phase = prev ? prev.phase : 'sum';
  const expected = prev ? prev.next : 0;
  if (prev && prev.scale !== 'standard') throw new DataError('REBALANCE_PLAN_MISMATCH', '--carry holds a minmax state; the standard chain carries its own states');
  if (phase === 'done' || phase === 'minmax' || step.index !== expected) {
    throw new DataError('REBALANCE_PLAN_MISMATCH', `--carry expects partition ${expected} next (phase ${phase}), this is partition ${step.index}; run the chain over the partitions in order, twice (sums, then squares)`);
  }
  if (phase === 'sum') {
    const sum = prev?.sum ? [...prev.sum] : new Array<number>(d).fill(0);
    for (let j = 0; j < d; j++) {
      const col = data.features[j];
      let s = sum[j];
      for (let r = 0; r < data.nRows; r++) s += col[r];
      sum[j] = s;
    }
    const last = step.index === plan.partitions.length - 1;
    const n = plan.totalRows;
    // After the last partition: mean = sum / n as fitScaler divides; the squares chain starts over at partition 0.
    return last
      ? { kind: 'rebalance-dist-scale', scale, phase: 'square', next: 0, sum, mean: sum.map((s) => s / (n || 1)), square: new Array<number>(d).fill(0) }
      : { kind: 'rebalance-dist-scale', scale, phase: 'sum', next: step.index + 1, sum };
  }
  const mean = prev!.mean!;
  const square = [...prev!.square!];
  for (let j = 0; j < d; j++) {
    const col = data.features[j];
    let v = square[j];
    for (let r = 0; r < data.nRows; r++) {
      const t = col[r] - mean[j];
      v += t * t;
    }
    square[j] = v;
  }
  if (step.index < plan.partitions.length - 1) return { ...prev!, next: step.index + 1, square };
  const n = plan.totalRows;
  const mult = square.map((v) => {
    const std = Math.sqrt(v / (n || 1));
    return std > 0 ? 1 / std : 1;
  });
  return { kind: 'rebalance-dist-scale', scale, phase: 'done', next: plan.partitions.length, mean, square, shift: [...mean], mult };
}

/** The scaler reduce: minmax states of every partition merged; a finished standard chain passed through. */
export function mergeScale(plan: DistPlan, states: readonly ScaleState[]): ScaleState {
  if (states.length === 0) throw new DataError('REBALANCE_NO_INPUT', 'no moments files given; pass the files the moments step wrote');
  const first = states[0];
  if (first.scale === 'standard') {
    const done = states.find((s) => s.phase === 'done');
    if (!done || states.length !== 1) throw new DataError('REBALANCE_PLAN_MISMATCH', 'standard scaling: pass the last file of the moments chain (after both passes), alone');
    return done;
  }
  if (states.length !== plan.partitions.length || states.some((s) => s.scale !== 'minmax' || s.phase !== 'minmax')) {
    throw new DataError('REBALANCE_PLAN_MISMATCH', `minmax scaling: pass the moments files of all ${plan.partitions.length} partitions`);
  }
  const d = Math.max(...states.map((s) => s.min!.length));
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  for (const s of states) {
    for (let j = 0; j < s.min!.length; j++) {
      if (s.min![j] < min[j]) min[j] = s.min![j];
      if (s.max![j] > max[j]) max[j] = s.max![j];
    }
  }
  const n = plan.totalRows;
  // fitScaler: shift = lo (0 without rows), mult = 1 / (hi - lo) when hi > lo, else 1.
  const shift = min.map((lo) => (n ? lo : 0));
  const mult = min.map((lo, j) => (max[j] > lo ? 1 / (max[j] - lo) : 1));
  return { kind: 'rebalance-dist-scale', scale: 'minmax', phase: 'done', next: plan.partitions.length, min, max, shift, mult };
}

/**
 * Where the whole table's scaler is the one a single-machine run fits: the cleaning methods, and
 * borderline-smote / adasyn (every row is in their data on one machine). smote-tomek / smote-enn
 * would need the synthetic rows in it too.
 */
export function scalable(plan: DistPlan): boolean {
  return plan.route === 'clean' || (plan.neighbours !== undefined && plan.clean === undefined);
}

export function checkScalable(plan: DistPlan): void {
  if (!scalable(plan)) {
    throw new UsageError('REBALANCE_DIST_UNSUPPORTED', `--scale is supported by the distributed cleaning methods, borderline-smote and adasyn only, not ${plan.method} (its scaler would also cover rows the synth step makes or holds); drop --scale or run 'rebalance resample' on one machine`);
  }
}

/** The scaler of a finished state, for the points step. */
export function scalerOf(state: ScaleState, file: string): Scaler {
  if (state.phase !== 'done' || !state.shift || !state.mult) throw new DataError('REBALANCE_PLAN_MISMATCH', `${file} is not a finished scaler; pass the file 'rebalance dist scaler' wrote`);
  return { shift: Float64Array.from(state.shift), mult: Float64Array.from(state.mult) };
}
