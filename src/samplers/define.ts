/**
 * The one way a sampler file declares itself: metadata, a REQUIRED `bind` that validates the
 * options it reads (every bad one a UsageError REBALANCE_BAD_OPTION naming it, see
 * shared/options.ts) and returns them typed, and a `run` that sees only the bound parameters.
 * `create` binds, so bad options fail before any data is read.
 */
import type { Rng } from '../core/rng.js';
import type { Dataset, Resampled, SamplerContext, SamplerDefinition, SamplerNeeds, SamplerOptions, SamplingPlan } from '../types.js';

/** A method's metadata (as SamplerDefinition states it) plus its bind and run steps. */
export interface SamplerSpec<P> extends Omit<SamplerDefinition, 'create'> {
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

/** Needs of the methods that measure numeric distances and only keep, drop or repeat input rows. */
const KEEPS_ROWS: SamplerNeeds = { knn: true, features: 'numeric', syntheticCells: false };

/** Metadata of the neighbourhood cleaning methods (spread into a spec): remove rows by a rule, every row's features. */
export const CLEANING = { kind: 'clean', scope: 'all', needs: KEEPS_ROWS, defaultStrategy: 'auto' } as const;

/** Metadata of the under-samplers to a count that look at every row's features (NearMiss, IHT). */
export const UNDER_BY_FEATURES = { kind: 'under', scope: 'all', needs: KEEPS_ROWS, defaultStrategy: 'auto' } as const;

/**
 * Metadata of the SMOTE family: over-samplers writing synthetic rows, on the target classes'
 * rows or on every row, refusing categorical features unless `features` is 'any'.
 */
export function smoteFamily(scope: 'targets' | 'all', features: SamplerNeeds['features'] = 'numeric') {
  return { kind: 'over', scope, needs: { knn: true, features, syntheticCells: true }, defaultStrategy: 'auto' } as const;
}
