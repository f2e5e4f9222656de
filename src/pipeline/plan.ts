/**
 * The plan and the bound sampler of a job, in one place: the plan resolved from the class counts
 * (a strategy, or the classes to clean), the sampler bound to its options, the feature kinds
 * checked against what the method declares: the steps of the fit-resample template of samplers/
 * (template.ts), which the library's resample runs as one call.
 */
import { checkFeatureKinds, planFor, prepareSampler } from '../samplers/template.js';
import type {
  FeatureKind,
  Sampler,
  SamplerDefinition,
  SamplerNeeds,
  SamplerOptions,
  SamplingPlan,
  SamplingStrategy,
  StreamingSampler,
} from '../types.js';

export interface SamplerRequest {
  /** Default: the method's default ('auto'). */
  readonly strategy?: SamplingStrategy;
  readonly options?: SamplerOptions;
}

export interface JobSampler {
  readonly plan: SamplingPlan;
  readonly sampler: Sampler;
  /** What the bound sampler needs (its options may change what the definition declares). */
  readonly needs: SamplerNeeds;
}

/** Resolves the plan, binds the sampler, checks the feature kinds (usage and data errors name the fix). */
export function planJob(
  def: SamplerDefinition,
  counts: ArrayLike<number>,
  classNames: readonly string[],
  features: { readonly names: readonly string[]; readonly kinds: readonly FeatureKind[] },
  request: SamplerRequest,
): JobSampler {
  const sampler = prepareSampler(def, request.options);
  const plan = planFor(def, counts, classNames, request);
  checkFeatureKinds(def, features.names, features.kinds);
  return { plan, sampler, needs: sampler.needs ?? def.needs };
}

/** True for a sampler that streams (scope 'stream' with a selectStream). */
export function isStreaming(sampler: Sampler): sampler is StreamingSampler {
  return sampler.scope === 'stream' && typeof (sampler as Partial<StreamingSampler>).selectStream === 'function';
}
