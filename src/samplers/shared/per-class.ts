/**
 * The per-class loops of the samplers: ONE loop for the SMOTE-family over-samplers (which class,
 * its rows, its random stream `<method>/<class name>`, the synthetic block, the rows each class
 * really got) and one for the seeded condensation methods (condensed-nn, one-sided-selection).
 */
import type { Rng } from '../../core/rng.js';
import type { Dataset, Resampled, SamplerContext, SamplingPlan } from '../../types.js';
import { rowsOfClass, throwIfAborted } from './rows.js';
import { allocateSynthetic, overResult, overTargets, type SyntheticBuilder } from './smote-draws.js';

/** One class an over-sampler grows. */
export interface OverClass {
  readonly code: number;
  readonly name: string;
  /** Rows the plan adds (to - from). */
  readonly add: number;
  /** Dataset rows of the class, ascending. */
  readonly rows: Int32Array;
  /** The class's random stream: `rng.fork('<method>/<class name>')`. */
  readonly stream: Rng;
}

/** What an over-sampler plugs into {@link overEachClass}. */
export interface OverEachClass<P, S> {
  readonly method: string;
  /** Feature columns of the synthetic block (default every feature; 0 when values are deferred). */
  readonly nFeatures?: number;
  /** Work shared by the classes, done once and only when some class grows (e.g. neighbours over all rows). */
  prepare?(): Promise<P>;
  /**
   * The rows a class will get and what `fill` needs, for every class before any row is made, so
   * the block is allocated once (ADASYN's rounded counts, KMeans-SMOTE's per-cluster counts).
   * Default: the plan's `add`.
   */
  size?(cls: OverClass, shared: P): Promise<{ n: number; state: S }> | { n: number; state: S };
  /** Appends the class's synthetic rows to `out` (as many as `size` said, or fewer by the method's documented rule). */
  fill(cls: OverClass, out: SyntheticBuilder, shared: P, state: S): Promise<void> | void;
}

/**
 * Runs an over-sampler class by class, in class-code order, over the classes the plan grows; the
 * returned plan states the rows each class really got where a method's rule differs from the plan.
 */
export async function overEachClass<P = undefined, S = undefined>(
  data: Dataset,
  plan: SamplingPlan,
  rng: Rng,
  ctx: SamplerContext,
  spec: OverEachClass<P, S>,
): Promise<Resampled> {
  const nFeatures = spec.nFeatures ?? data.features.length;
  const targets = overTargets(plan);
  if (targets.length === 0) return overResult(data, plan, allocateSynthetic(nFeatures, 0));
  const shared = (spec.prepare ? await spec.prepare() : undefined) as P;
  const classes: { cls: OverClass; n: number; state: S }[] = [];
  for (const { code, add } of targets) {
    const name = data.classNames[code];
    const cls: OverClass = { code, name, add, rows: rowsOfClass(data.labels, code), stream: rng.fork(`${spec.method}/${name}`) };
    const sized = spec.size ? await spec.size(cls, shared) : { n: add, state: undefined as S };
    classes.push({ cls, ...sized });
  }
  const out = allocateSynthetic(nFeatures, classes.reduce((s, c) => s + c.n, 0));
  const added = new Map<number, number>();
  for (const { cls, state } of classes) {
    throwIfAborted(ctx);
    const at = out.offset;
    await spec.fill(cls, out, shared, state);
    added.set(cls.code, out.offset - at);
  }
  return overResult(data, plan, out, added);
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
