/**
 * Sampling strategies: from a user's `SamplingStrategy` and the class counts of the whole input
 * to a `SamplingPlan` (per class code: `from` -> `to`).
 *
 * Semantics are imbalanced-learn 0.10's `check_sampling_strategy`
 * (imblearn/utils/_validation.py), entry by entry: `SAMPLING_TARGET_KIND` below is a name-keyed
 * table of small pure functions that return exactly imblearn's dict (class code -> imblearn value),
 * so parity tests can compare the two sides one to one. imblearn's values are asymmetric
 * (over-sampling: rows to ADD; under-sampling: rows to KEEP; cleaning: the minority count, whose
 * only meaning is "this class is targeted"); `resolveStrategy` removes the asymmetry by stating
 * `from` and `to` per class.
 *
 * Classes are the class codes whose count is > 0, visited in ascending code order. Class codes
 * follow numpy.unique's order (see dataset/make.ts sortClassNames), so imblearn's tie rule
 * (`max(target_stats, key=target_stats.get)` keeps the FIRST key with the largest count in sorted
 * order; likewise `min`) becomes "the lowest class code among the tied classes".
 *
 * Errors: a strategy that can never be valid (unknown name, ratio outside (0, 1], negative or
 * fractional count) is a UsageError `REBALANCE_BAD_STRATEGY`; a strategy impossible for these
 * counts (unknown class, wrong direction, ratio on multi-class, 'majority' for over-sampling...)
 * is a DataError `REBALANCE_STRATEGY`; fewer than two classes is a DataError `REBALANCE_ONE_CLASS`.
 * imblearn raises a ValueError in every one of these cases, and only in these.
 */
import { DataError, UsageError } from '../core/errors.js';
import type { SamplingKind, SamplingPlan, SamplingStrategy } from '../types.js';

/** The named strategies (imblearn's string forms). */
export type NamedStrategy = 'auto' | 'minority' | 'majority' | 'not minority' | 'not majority' | 'all';

/** The names of `SAMPLING_TARGET_KIND`, in imblearn's order. */
export const STRATEGY_NAMES: readonly NamedStrategy[] = [
  'minority',
  'majority',
  'not minority',
  'not majority',
  'all',
  'auto',
];

/**
 * imblearn's `target_stats` (np.unique(y, return_counts=True)) as parallel arrays:
 * the present class codes ascending and their counts.
 */
export interface TargetStats {
  readonly codes: readonly number[];
  readonly counts: readonly number[];
  readonly classNames: readonly string[];
}

/** imblearn's resolved dict: class code -> imblearn value (add / keep / minority count). */
export type ImblearnTargets = Map<number, number>;

type TargetFn = (stats: TargetStats, kind: SamplingKind) => ImblearnTargets;

const maxOf = (s: TargetStats): number => Math.max(...s.counts);
const minOf = (s: TargetStats): number => Math.min(...s.counts);

/** Python's `max(d, key=d.get)`: the first key (lowest code) among those with the largest count. */
function majorityCode(s: TargetStats): number {
  let best = 0;
  for (let i = 1; i < s.counts.length; i++) if (s.counts[i] > s.counts[best]) best = i;
  return s.codes[best];
}

/** Python's `min(d, key=d.get)`: the first key (lowest code) among those with the smallest count. */
function minorityCode(s: TargetStats): number {
  let best = 0;
  for (let i = 1; i < s.counts.length; i++) if (s.counts[i] < s.counts[best]) best = i;
  return s.codes[best];
}

/** Over-sampling: every class in `keep` gets (majority count - own count) rows to add. */
function addUpToMajority(s: TargetStats, keep: (code: number) => boolean): ImblearnTargets {
  const nMaj = maxOf(s);
  const out: ImblearnTargets = new Map();
  s.codes.forEach((c, i) => {
    if (keep(c)) out.set(c, nMaj - s.counts[i]);
  });
  return out;
}

/** Under/clean-sampling: every class in `keep` is asked for the minority count. */
function keepMinorityCount(s: TargetStats, keep: (code: number) => boolean): ImblearnTargets {
  const nMin = minOf(s);
  const out: ImblearnTargets = new Map();
  for (const c of s.codes) if (keep(c)) out.set(c, nMin);
  return out;
}

function strategyError(message: string): DataError {
  return new DataError('REBALANCE_STRATEGY', message);
}

/** imblearn `_sampling_strategy_all`. */
function samplingAll(s: TargetStats, kind: SamplingKind): ImblearnTargets {
  return kind === 'over' ? addUpToMajority(s, () => true) : keepMinorityCount(s, () => true);
}

/** imblearn `_sampling_strategy_majority`. */
function samplingMajority(s: TargetStats, kind: SamplingKind): ImblearnTargets {
  if (kind === 'over') {
    throw strategyError(
      "strategy 'majority' cannot be used with an over-sampler (it would add rows to the largest class); use 'auto', 'not majority', 'minority' or per-class counts",
    );
  }
  const maj = majorityCode(s);
  return keepMinorityCount(s, (c) => c === maj);
}

/** imblearn `_sampling_strategy_not_majority`. */
function samplingNotMajority(s: TargetStats, kind: SamplingKind): ImblearnTargets {
  const maj = majorityCode(s);
  return kind === 'over' ? addUpToMajority(s, (c) => c !== maj) : keepMinorityCount(s, (c) => c !== maj);
}

/** imblearn `_sampling_strategy_not_minority`. */
function samplingNotMinority(s: TargetStats, kind: SamplingKind): ImblearnTargets {
  const min = minorityCode(s);
  return kind === 'over' ? addUpToMajority(s, (c) => c !== min) : keepMinorityCount(s, (c) => c !== min);
}

/** imblearn `_sampling_strategy_minority`. */
function samplingMinority(s: TargetStats, kind: SamplingKind): ImblearnTargets {
  if (kind !== 'over') {
    throw strategyError(
      `strategy 'minority' cannot be used with an ${kind === 'under' ? 'under' : 'cleaning'}-sampler (it would remove rows from the smallest class); use 'auto', 'not minority', 'majority' or ${kind === 'under' ? 'per-class counts' : 'a list of classes'}`,
    );
  }
  const min = minorityCode(s);
  return addUpToMajority(s, (c) => c === min);
}

/** imblearn `_sampling_strategy_auto`: 'not majority' when over-sampling, else 'not minority'. */
function samplingAuto(s: TargetStats, kind: SamplingKind): ImblearnTargets {
  return kind === 'over' ? samplingNotMajority(s, kind) : samplingNotMinority(s, kind);
}

/** imblearn's `SAMPLING_TARGET_KIND`, entry by entry. Values are imblearn's (add / keep / minority count). */
export const SAMPLING_TARGET_KIND: Readonly<Record<NamedStrategy, TargetFn>> = {
  minority: samplingMinority,
  majority: samplingMajority,
  'not minority': samplingNotMinority,
  'not majority': samplingNotMajority,
  all: samplingAll,
  auto: samplingAuto,
};

/** imblearn `_sampling_strategy_dict`: record keys are class names, values final counts. */
function samplingDict(wanted: Readonly<Record<string, number>>, s: TargetStats, kind: SamplingKind): ImblearnTargets {
  const present = new Map<string, number>(); // class name -> index into s.codes
  s.codes.forEach((c, i) => present.set(s.classNames[c], i));
  const entries = Object.entries(wanted);
  const unknown = entries.map(([name]) => name).filter((name) => !present.has(name));
  if (unknown.length > 0) {
    const known = s.codes.map((c) => `'${s.classNames[c]}'`).join(', ');
    throw strategyError(
      `strategy names class${unknown.length > 1 ? 'es' : ''} ${unknown.map((n) => `'${n}'`).join(', ')} not present in the data; the classes are ${known}`,
    );
  }
  for (const [name, n] of entries) {
    if (!Number.isInteger(n) || n < 0) {
      throw new UsageError(
        'REBALANCE_BAD_STRATEGY',
        `strategy count for class '${name}' must be a non-negative integer, got ${n}; give the number of rows the class should have after resampling`,
      );
    }
  }
  const out: ImblearnTargets = new Map();
  if (kind === 'over') {
    for (const [name, n] of entries) {
      const i = present.get(name)!;
      const had = s.counts[i];
      if (n < had) {
        throw strategyError(
          `over-sampling can only add rows: class '${name}' has ${had} rows and ${n} are asked; ask for at least ${had} or use an under-sampler`,
        );
      }
      out.set(s.codes[i], n - had);
    }
  } else if (kind === 'under') {
    for (const [name, n] of entries) {
      const i = present.get(name)!;
      const had = s.counts[i];
      if (n > had) {
        throw strategyError(
          `under-sampling can only remove rows: class '${name}' has ${had} rows and ${n} are asked; ask for at most ${had} or use an over-sampler`,
        );
      }
      out.set(s.codes[i], n);
    }
  } else {
    throw strategyError(
      'per-class counts cannot be used with a cleaning method (it removes rows by a rule, not to a count); give the classes to clean instead',
    );
  }
  return out;
}

/** imblearn `_sampling_strategy_float` (after check_sampling_strategy's range check). */
function samplingFloat(alpha: number, s: TargetStats, kind: SamplingKind): ImblearnTargets {
  if (s.codes.length !== 2) {
    throw strategyError(
      `a ratio strategy needs exactly 2 classes, found ${s.codes.length}; use per-class counts (e.g. 'a=100,b=200') for multi-class data`,
    );
  }
  const out: ImblearnTargets = new Map();
  if (kind === 'over') {
    const nMaj = maxOf(s);
    const maj = majorityCode(s);
    s.codes.forEach((c, i) => {
      if (c !== maj) out.set(c, Math.trunc(nMaj * alpha - s.counts[i]));
    });
    for (const [c, add] of out) {
      if (add <= 0) {
        const had = s.counts[s.codes.indexOf(c)];
        throw strategyError(
          `ratio ${alpha} asks for ${Math.trunc(nMaj * alpha)} rows of class '${s.classNames[c]}' (ratio x ${nMaj} majority rows) but it already has ${had}; over-sampling must add rows: increase the ratio above ${had / nMaj}`,
        );
      }
    }
  } else if (kind === 'under') {
    const nMin = minOf(s);
    const min = minorityCode(s);
    s.codes.forEach((c) => {
      if (c !== min) out.set(c, Math.trunc(nMin / alpha));
    });
    for (const [c, keep] of out) {
      const had = s.counts[s.codes.indexOf(c)];
      if (keep > had) {
        throw strategyError(
          `ratio ${alpha} asks to keep ${keep} rows of class '${s.classNames[c]}' (${nMin} minority rows / ratio) but it has only ${had}; under-sampling cannot add rows: increase the ratio to at least ${nMin / had}`,
        );
      }
    }
  } else {
    throw strategyError('a ratio strategy cannot be used with a cleaning method; use a named strategy or a list of classes');
  }
  return out;
}

/** Builds imblearn's target_stats from counts indexed by class code (classes with count 0 are absent). */
export function targetStats(counts: ArrayLike<number>, classNames: readonly string[]): TargetStats {
  if (counts.length !== classNames.length) {
    throw new RangeError(`counts has ${counts.length} entries but there are ${classNames.length} class names`);
  }
  const codes: number[] = [];
  const cs: number[] = [];
  for (let c = 0; c < counts.length; c++) {
    if (counts[c] > 0) {
      codes.push(c);
      cs.push(counts[c]);
    }
  }
  if (codes.length < 2) {
    throw new DataError(
      'REBALANCE_ONE_CLASS',
      `resampling needs at least 2 classes in the label column, found ${codes.length}${codes.length === 1 ? ` ('${classNames[codes[0]]}')` : ''}; check the label column`,
    );
  }
  return { codes, counts: cs, classNames };
}

function isNamed(s: string): s is NamedStrategy {
  return (STRATEGY_NAMES as readonly string[]).includes(s);
}

/**
 * imblearn's `check_sampling_strategy` result for `strategy`: class code -> imblearn's value
 * (over: rows to add; under: rows to keep; clean: the minority count), ascending code order.
 * Exposed for parity tests and for callers that need imblearn's exact dict; use `resolveStrategy`.
 */
export function samplingTargets(
  strategy: SamplingStrategy,
  counts: ArrayLike<number>,
  kind: SamplingKind,
  classNames: readonly string[],
): ImblearnTargets {
  const stats = targetStats(counts, classNames);
  if (typeof strategy === 'string') {
    if (!isNamed(strategy)) {
      throw new UsageError(
        'REBALANCE_BAD_STRATEGY',
        `unknown strategy '${strategy}'; expected one of ${STRATEGY_NAMES.map((n) => `'${n}'`).join(', ')}, a ratio in (0, 1] or per-class counts`,
      );
    }
    return SAMPLING_TARGET_KIND[strategy](stats, kind);
  }
  if (typeof strategy === 'number') {
    if (!(strategy > 0 && strategy <= 1)) {
      throw new UsageError(
        'REBALANCE_BAD_STRATEGY',
        `a ratio strategy must be in (0, 1], got ${strategy}; it is minority/majority after resampling (e.g. 0.5)`,
      );
    }
    return samplingFloat(strategy, stats, kind);
  }
  if (strategy !== null && typeof strategy === 'object') return samplingDict(strategy, stats, kind);
  throw new UsageError('REBALANCE_BAD_STRATEGY', `strategy must be a name, a ratio or per-class counts, got ${String(strategy)}`);
}

/**
 * Resolves `strategy` against the class counts of the whole input (indexed by class code) into a
 * plan stating `from` and `to` for each class imblearn would target (and only those):
 * over-sampling `to = from + added`, under-sampling `to = kept`, cleaning `to = from` (cleaning
 * removes rows by a rule, not to a count). Pure; throws UsageError/DataError as documented above.
 */
export function resolveStrategy(
  strategy: SamplingStrategy,
  counts: ArrayLike<number>,
  kind: SamplingKind,
  classNames: readonly string[],
): SamplingPlan {
  return toPlan(samplingTargets(strategy, counts, kind, classNames), counts, kind);
}

/** Turns imblearn's asymmetric values into `from`/`to` per class. */
export function toPlan(targets: ImblearnTargets, counts: ArrayLike<number>, kind: SamplingKind): SamplingPlan {
  const out = new Map<number, { from: number; to: number }>();
  for (const c of [...targets.keys()].sort((a, b) => a - b)) {
    const from = counts[c];
    const v = targets.get(c)!;
    out.set(c, { from, to: kind === 'over' ? from + v : kind === 'under' ? v : from });
  }
  return { kind, targets: out };
}

/**
 * imblearn `_sampling_strategy_list` (cleaning methods only: the classes to clean, by name) as a
 * 'clean' plan. Over/under-samplers get a DataError like imblearn's ValueError.
 */
export function resolveClassList(
  classes: readonly string[],
  counts: ArrayLike<number>,
  kind: SamplingKind,
  classNames: readonly string[],
): SamplingPlan {
  const stats = targetStats(counts, classNames);
  if (kind !== 'clean') {
    throw strategyError(`a list of classes can only be used with a cleaning method; give per-class counts to an ${kind}-sampler`);
  }
  const targets: ImblearnTargets = new Map();
  const nMin = minOf(stats);
  const unknown: string[] = [];
  for (const name of classes) {
    const c = classNames.indexOf(name);
    if (c < 0 || !(counts[c] > 0)) unknown.push(name);
    else targets.set(c, nMin);
  }
  if (unknown.length > 0) {
    throw strategyError(
      `classes to clean ${unknown.map((n) => `'${n}'`).join(', ')} not present in the data; the classes are ${stats.codes.map((c) => `'${classNames[c]}'`).join(', ')}`,
    );
  }
  return toPlan(targets, counts, 'clean');
}
