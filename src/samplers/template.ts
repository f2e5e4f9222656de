/**
 * The fit-resample template: the one sequence every caller (library `resample`, the resample
 * job, tests) goes through to run a method, so options, plans, feature checks and random streams
 * are handled the same way everywhere:
 *
 *   prepareSampler  bind the options (UsageError REBALANCE_BAD_OPTION naming the option)
 *   planFor         at least two classes; the plan from `options.classes` (cleaning methods)
 *                   or the strategy (default: the method's), resolved once from the class counts
 *   checkFeatureKinds  categorical features refused where def.needs.features is 'numeric'
 *   samplerRng      rng.fork('sampler/<name>')
 *   runSampler      sampler.fitResample(data, plan, samplerRng, ctx)
 *
 * `fitResample` runs them all on an in-memory Dataset. The resample job, which counts classes
 * while streaming and may never hold a Dataset, calls the steps itself in the same order.
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classCounts } from '../dataset/make.js';
import type { Dataset, FeatureKind, Resampled, Sampler, SamplerContext, SamplerDefinition, SamplerOptions, SamplingPlan, SamplingStrategy } from '../types.js';
import { classesOption } from './shared/options.js';
import { resolveClassList, resolveStrategy } from './strategy.js';

/** What is asked of a method, independent of the data. */
export interface ResampleRequest {
  /** Default: the method's default strategy ('auto'). Ignored when options.classes names classes. */
  readonly strategy?: SamplingStrategy;
  /** The method's options (each method validates the ones it reads); options.classes: classes to clean. */
  readonly options?: SamplerOptions;
}

/** What a run needs besides the data: the caller's Rng (forked here) and the sampler context. */
export interface SamplerDeps extends SamplerContext {
  /** The caller's stream; the sampler gets rng.fork('sampler/<name>'). */
  readonly rng: Rng;
}

/** Binds `options` to the method: validates them (UsageError REBALANCE_BAD_OPTION) before any data is read. */
export function prepareSampler(def: SamplerDefinition, options: SamplerOptions = {}): Sampler {
  return def.create(options);
}

/**
 * The plan for `def` on data with these class counts (indexed by class code): refuses fewer than
 * two present classes (DataError REBALANCE_ONE_CLASS), then resolves `options.classes` (cleaning
 * methods) or the strategy against the counts.
 */
export function planFor(def: SamplerDefinition, counts: ArrayLike<number>, classNames: readonly string[], request: ResampleRequest = {}): SamplingPlan {
  const present = classNames.filter((_, c) => counts[c] > 0);
  if (present.length < 2) {
    throw new DataError('REBALANCE_ONE_CLASS', `the data has ${present.length === 1 ? `a single class ('${present[0]}')` : 'no rows'}; rebalancing needs at least two classes`);
  }
  const classes = classesOption(def.name, request.options?.classes);
  return classes && classes.length
    ? resolveClassList(classes, counts, def.kind, classNames)
    : resolveStrategy(request.strategy ?? def.defaultStrategy ?? 'auto', counts, def.kind, classNames);
}

/**
 * Refuses categorical features for methods that measure numeric distances (imbalanced-learn
 * refuses them too): interpolating or measuring category codes would silently make up data.
 */
export function checkFeatureKinds(def: SamplerDefinition, featureNames: readonly string[], featureKinds: readonly FeatureKind[]): void {
  if (def.needs.features === 'any') return;
  const cats = featureNames.filter((_, j) => featureKinds[j] === 'categorical');
  if (cats.length === 0) return;
  throw new DataError(
    'REBALANCE_CATEGORICAL_FEATURES',
    `method '${def.name}' needs numeric features, but ${cats.length === 1 ? 'column' : 'columns'} ${cats.map((c) => `'${c}'`).join(', ')} ${cats.length === 1 ? 'is' : 'are'} categorical; use -m smote-nc (mixed) or -m smoten (all categorical), or carry ${cats.length === 1 ? 'it' : 'them'} through with --passthrough`,
  );
}

/** The method's random stream: rng.fork('sampler/<name>'). */
export function samplerRng(def: { readonly name: string }, rng: Rng): Rng {
  return rng.fork(`sampler/${def.name}`);
}

/** Runs a bound sampler on `data` with a plan from {@link planFor}, on its own stream of deps.rng. */
export function runSampler(sampler: Sampler, data: Dataset, plan: SamplingPlan, deps: SamplerDeps): Promise<Resampled> {
  const { rng, ...ctx } = deps;
  return sampler.fitResample(data, plan, samplerRng(sampler, rng), ctx);
}

/**
 * The whole template on an in-memory Dataset: bind the options, resolve the plan from the
 * Dataset's class counts, check feature kinds, fork the Rng, run.
 */
export async function fitResample(def: SamplerDefinition, data: Dataset, request: ResampleRequest, deps: SamplerDeps): Promise<Resampled> {
  const sampler = prepareSampler(def, request.options);
  const plan = planFor(def, classCounts(data.labels, data.classNames.length), data.classNames, request);
  checkFeatureKinds(def, data.featureNames, data.featureKinds);
  return runSampler(sampler, data, plan, deps);
}
