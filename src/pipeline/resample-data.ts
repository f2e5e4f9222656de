/**
 * Resampling an in-memory Dataset with a registered method: the training folds of `evaluate` and
 * the training table of `train`. Kept rows in input order, then added rows grouped by class.
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classCounts } from '../dataset/make.js';
import { materialize } from '../dataset/materialize.js';
import { getSampler } from '../samplers/registry.js';
import type { Dataset, KnnBackend, SamplerOptions, SamplingStrategy } from '../types.js';
import { planJob } from './plan.js';

export interface ResampleDataOptions {
  /** Default: the method's default ('auto'). */
  readonly strategy?: SamplingStrategy;
  readonly options?: SamplerOptions;
  /** The sampler forks `sampler/<name>` from it. */
  readonly rng: Rng;
  /** Used by methods that search neighbours; the caller owns it. */
  readonly knn: KnnBackend;
  readonly scale?: 'none' | 'standard' | 'minmax';
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
}

export async function resampleData(data: Dataset, method: string, opts: ResampleDataOptions): Promise<Dataset> {
  const def = getSampler(method);
  const counts = classCounts(data.labels, data.classNames.length);
  const present = data.classNames.filter((_, c) => counts[c] > 0);
  if (present.length < 2) {
    throw new DataError('REBALANCE_ONE_CLASS', `the data has ${present.length === 1 ? `a single class ('${present[0]}')` : 'no rows'}; rebalancing needs at least two classes`);
  }
  const features = { names: data.featureNames, kinds: data.featureKinds };
  const { plan, sampler } = planJob(def, counts, data.classNames, features, { strategy: opts.strategy, options: opts.options });
  const result = await sampler.fitResample(data, plan, opts.rng.fork(`sampler/${def.name}`), {
    knn: opts.knn,
    scale: opts.scale,
    log: opts.log ?? (() => undefined),
    signal: opts.signal,
    totalRows: data.nRows,
  });
  return materialize(data, result);
}
