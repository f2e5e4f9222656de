/**
 * The plan and the bound sampler of a job, in one place: the plan resolved from the class counts
 * (a strategy, or the classes to clean), the sampler bound to its options, the feature kinds
 * checked against what the method declares: the steps of the fit-resample template of samplers/
 * (template.ts), which the library's resample runs as one call.
 */
import { totalmem } from 'node:os';
import { UsageError } from '../core/errors.js';
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
  checkPlanLimits(plan, counts, features.names.length, isStreaming(sampler));
  return { plan, sampler, needs: sampler.needs ?? def.needs };
}

/** The most rows an output table can have (Arrow / row indices are 32-bit). */
export const MAX_OUTPUT_ROWS = 2 ** 31 - 1;

/**
 * Bytes an added row may hold in memory before it is written. Samplers return their generated rows
 * as one block (types.ts SyntheticBlock: source, neighbour, label and step per row = 20 bytes, or
 * 8 bytes per feature when not lazy) and the writer streams that block; random over-sampling holds
 * the index of each copy (4 bytes) and its class. Counted generously: the bound is a guard, not a
 * prediction.
 */
export function addedRowBytes(features: number, streaming: boolean): number {
  return streaming ? 8 : 24 + 8 * features;
}

/**
 * The memory the added rows of a job may take: REBALANCE_MEMORY_LIMIT_MB when set, else half of
 * the machine's memory (or of the process's cgroup limit when lower).
 */
export function addedRowsMemoryLimit(): number {
  const env = Number(process.env.REBALANCE_MEMORY_LIMIT_MB);
  if (Number.isFinite(env) && env > 0) return env * 1024 * 1024;
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() ?? 0 : 0;
  const total = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return total / 2;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * Refuses a plan before any work when its output could not be written: more rows than a table can
 * hold, or more added rows than the memory bound allows (usage errors: the fix is a smaller
 * --strategy target or ratio).
 */
export function checkPlanLimits(plan: SamplingPlan, counts: ArrayLike<number>, features: number, streaming: boolean): void {
  let rows = 0;
  let added = 0;
  for (let c = 0; c < counts.length; c++) {
    const t = plan.targets.get(c);
    const to = t ? t.to : counts[c];
    rows += to;
    if (t && t.to > t.from) added += t.to - t.from;
  }
  if (rows > MAX_OUTPUT_ROWS) {
    throw new UsageError(
      'REBALANCE_TOO_MANY_OUTPUT_ROWS',
      `the strategy asks for ${fmt(rows)} output rows, more than the ${fmt(MAX_OUTPUT_ROWS)} a table can hold; lower the --strategy targets or ratio`,
    );
  }
  const bytes = added * addedRowBytes(features, streaming);
  const limit = addedRowsMemoryLimit();
  if (bytes > limit) {
    throw new UsageError(
      'REBALANCE_TOO_MUCH_MEMORY',
      `the strategy adds ${fmt(added)} rows, about ${fmt(bytes / 2 ** 20)} MB in memory before they are written, more than the ${fmt(limit / 2 ** 20)} MB allowed ` +
        `(half the memory, or REBALANCE_MEMORY_LIMIT_MB); lower the --strategy targets or ratio, or raise REBALANCE_MEMORY_LIMIT_MB`,
    );
  }
}

/** True for a sampler that streams (scope 'stream' with a selectStream). */
export function isStreaming(sampler: Sampler): sampler is StreamingSampler {
  return sampler.scope === 'stream' && typeof (sampler as Partial<StreamingSampler>).selectStream === 'function';
}
