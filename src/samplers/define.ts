/**
 * The one way a sampler file declares itself: metadata, a REQUIRED `bind` that validates the
 * options it reads (every bad one a UsageError REBALANCE_BAD_OPTION naming it, see
 * shared/options.ts) and returns them typed, and a `run` that sees only the bound parameters.
 * `create` binds, so bad options fail before any data is read.
 */
import type { Rng } from '../core/rng.js';
import type { Dataset, Resampled, SamplerContext, SamplerDefinition, SamplerNeeds, SamplerOptions, SamplingKind, SamplingPlan, SamplingStrategy, SamplerScope } from '../types.js';

export interface SamplerSpec<P> {
  readonly name: string;
  readonly kind: SamplingKind;
  readonly scope: SamplerScope;
  readonly needs: SamplerNeeds;
  readonly summary: string;
  readonly defaultStrategy?: SamplingStrategy;
  /** Validates the options this method reads (UsageError REBALANCE_BAD_OPTION) and returns them typed. */
  bind(options: SamplerOptions): P;
  /** Resamples with the bound parameters; never reads raw options. */
  run(data: Dataset, plan: SamplingPlan, rng: Rng, ctx: SamplerContext, params: P): Promise<Resampled>;
}

export function defineSampler<P>(spec: SamplerSpec<P>): SamplerDefinition {
  const { run, bind, ...meta } = spec;
  return {
    ...meta,
    create(options: SamplerOptions) {
      const params = bind(options ?? {});
      return {
        name: meta.name,
        kind: meta.kind,
        scope: meta.scope,
        fitResample: async (data, plan, rng, ctx) => run(data, plan, rng, ctx, params),
      };
    },
  };
}
