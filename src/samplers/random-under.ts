/**
 * Random under-sampling (imbalanced-learn's RandomUnderSampler), with or without replacement.
 *
 * The decision is a per-row function (`createUnderSelector`) so the in-memory sampler and the
 * streaming pass (`selectStream`, a StreamingSampler) produce identical output: call it once per
 * input row, in input order, with the row's class code; it answers how many times to write the row. Memory: O(classes) without
 * replacement (selection sampling), O(rows kept) with replacement.
 *
 * Random streams: class `c` draws from `rng.fork('random-under/' + c)` only, so one class's draws
 * never shift another's and the output never depends on chunk/batch size.
 */
import { DataError, UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classCounts } from '../dataset/make.js';
import type { Dataset, Resampled, SamplerContext, SamplerDefinition, SamplerOptions, SamplingPlan, StreamingSampler, StreamSelection } from '../types.js';

/** The fork label of class `code`'s stream. */
export const underForkLabel = (code: number): string => `random-under/${code}`;

/** Per-class state of the selector. */
interface ClassState {
  /** Rows of the class not yet seen. */
  left: number;
  /** Rows still to keep (without replacement). */
  needed: number;
  rng: Rng;
  /** With replacement: sorted class-local positions drawn, and a cursor into them. */
  drawn: Int32Array | null;
  cursor: number;
  /** Class-local position of the next row. */
  pos: number;
}

/** Checks that `plan` is an under-sampling plan consistent with `counts`. */
export function checkUnderPlan(plan: SamplingPlan, counts: ArrayLike<number>): void {
  if (plan.kind !== 'under') {
    throw new UsageError('REBALANCE_PLAN_KIND', `random under-sampling needs an 'under' plan, got a '${plan.kind}' plan; resolve the strategy with kind 'under'`);
  }
  for (const [code, { from, to }] of plan.targets) {
    if (!(code >= 0 && code < counts.length) || counts[code] !== from) {
      throw new DataError(
        'REBALANCE_PLAN_MISMATCH',
        `the plan says class code ${code} has ${from} rows but the data has ${code < counts.length ? counts[code] : 0}; resolve the plan from the counts of this input`,
      );
    }
    if (!Number.isInteger(to) || to < 0 || to > from) {
      throw new DataError('REBALANCE_PLAN_MISMATCH', `under-sampling class code ${code} from ${from} to ${to} rows is impossible; the target must be an integer in [0, ${from}]`);
    }
  }
}

/**
 * Returns the per-row decision of random under-sampling: call it once per input row, in input
 * order, with the row's class code; it returns how many times that row is written (0 or 1 without
 * replacement, 0..n with replacement). Classes not in the plan return 1.
 *
 * Without replacement: selection sampling (Knuth's algorithm S): keep a row with probability
 * still-needed / still-left, one `nextInt(left)` draw per row while both are undecided. Exactly
 * `to` rows are kept, in input order, in O(1) memory per class.
 * With replacement: the `to` class-local positions (0..from-1) are drawn up front, uniformly with
 * replacement (as numpy's choice(range(from), to, replace=True)), sorted, then counted per row.
 *
 * Throws a DataError when a class receives more rows than `counts` said.
 */
export function createUnderSelector(
  plan: SamplingPlan,
  counts: ArrayLike<number>,
  rng: Rng,
  replacement: boolean,
): (label: number) => number {
  checkUnderPlan(plan, counts);
  const states: (ClassState | undefined)[] = new Array(counts.length);
  for (const [code, { from, to }] of plan.targets) {
    const classRng = rng.fork(underForkLabel(code));
    let drawn: Int32Array | null = null;
    if (replacement) {
      drawn = new Int32Array(to);
      for (let i = 0; i < to; i++) drawn[i] = classRng.nextInt(from);
      drawn.sort();
    }
    states[code] = { left: from, needed: to, rng: classRng, drawn, cursor: 0, pos: 0 };
  }
  return (label: number): number => {
    const s = states[label];
    if (s === undefined) return 1;
    if (s.left <= 0) {
      throw new DataError(
        'REBALANCE_PLAN_MISMATCH',
        `class code ${label} has more rows than the ${counts[label]} counted; the input changed between the counting pass and the sampling pass`,
      );
    }
    if (s.drawn !== null) {
      const p = s.pos++;
      s.left--;
      let k = 0;
      while (s.cursor < s.drawn.length && s.drawn[s.cursor] === p) {
        s.cursor++;
        k++;
      }
      return k;
    }
    let keep: boolean;
    if (s.needed === 0) keep = false;
    else if (s.needed >= s.left) keep = true;
    else keep = s.rng.nextInt(s.left) < s.needed;
    s.left--;
    if (keep) s.needed--;
    return keep ? 1 : 0;
  };
}

/**
 * Random under-sampling of an in-memory Dataset: the rows the selector writes, ascending (a row
 * drawn k times with replacement appears k times in a row). Same output as streaming the rows.
 */
export function randomUnderSample(data: Dataset, plan: SamplingPlan, rng: Rng, replacement: boolean): Resampled {
  const counts = classCounts(data.labels, data.classNames.length);
  const select = createUnderSelector(plan, counts, rng, replacement);
  let total = 0;
  for (let c = 0; c < counts.length; c++) total += plan.targets.get(c)?.to ?? counts[c];
  const indices = new Int32Array(total);
  let w = 0;
  for (let i = 0; i < data.nRows; i++) {
    const k = select(data.labels[i]);
    for (let j = 0; j < k; j++) indices[w++] = i;
  }
  return { indices, synthetic: null, plan };
}

/** The streaming pass of random under-sampling: each row written as the selector says; no copies. */
export function underStreamSelection(plan: SamplingPlan, counts: ArrayLike<number>, rng: Rng, replacement: boolean): StreamSelection {
  const select = createUnderSelector(plan, counts, rng, replacement);
  return { write: select, hold: () => false, copies: () => new Int32Array(0) };
}

/** Creates the sampler (it streams); reads `options.replacement` (default false). */
function create(options: SamplerOptions): StreamingSampler {
  const replacement = options.replacement ?? false;
  if (typeof replacement !== 'boolean') {
    throw new UsageError('REBALANCE_BAD_OPTION', `random-under 'replacement' must be true or false, got ${String(replacement)}`);
  }
  return {
    name: 'random-under',
    kind: 'under',
    scope: 'stream',
    async fitResample(data: Dataset, plan: SamplingPlan, rng: Rng, ctx: SamplerContext): Promise<Resampled> {
      ctx.signal?.throwIfAborted();
      return randomUnderSample(data, plan, rng, replacement);
    },
    selectStream: (plan, counts, rng) => underStreamSelection(plan, counts, rng, replacement),
  };
}

/** RandomUnderSampler: keeps a random subset of each targeted class (labels only, streams). */
export const randomUnderDefinition: SamplerDefinition = {
  name: 'random-under',
  kind: 'under',
  scope: 'stream',
  needs: { knn: false, features: 'any', syntheticCells: false },
  summary: 'Randomly drop rows of the larger classes (optionally with replacement); streams, labels only.',
  defaultStrategy: 'auto',
  create,
};
