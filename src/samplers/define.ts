/**
 * The one way a sampler file declares itself: metadata plus a `run` function; `create` binds the
 * options (after an optional early check, so bad options fail before any data is read).
 */
import type { Rng } from '../core/rng.js';
import type { Dataset, Resampled, SamplerContext, SamplerDefinition, SamplerNeeds, SamplerOptions, SamplerScope, SamplingKind, SamplingPlan, SamplingStrategy } from '../types.js';

export interface SamplerSpec<P = undefined> {
  readonly name: string;
  readonly kind: SamplingKind;
  readonly scope: SamplerScope;
  readonly needs: SamplerNeeds;
  readonly summary: string;
  readonly defaultStrategy?: SamplingStrategy;
  /** Validates options when the sampler is created (throws UsageError). */
  check?(options: SamplerOptions): void;
  /** Validates options when the sampler is created and returns what `run` needs of them. */
  bind?(options: SamplerOptions): P;
  run(data: Dataset, plan: SamplingPlan, rng: Rng, ctx: SamplerContext, options: SamplerOptions, params: P): Promise<Resampled>;
}

export function defineSampler<P = undefined>(spec: SamplerSpec<P>): SamplerDefinition {
  const { run, check, bind, ...meta } = spec;
  return {
    ...meta,
    create(options: SamplerOptions) {
      check?.(options);
      const params = (bind ? bind(options) : undefined) as P;
      return {
        name: meta.name,
        kind: meta.kind,
        scope: meta.scope,
        fitResample: (data, plan, rng, ctx) => run(data, plan, rng, ctx, options, params),
      };
    },
  };
}
