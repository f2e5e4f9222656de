/**
 * The library's high-level entry points (the CLI is a thin layer over these): assembled from the
 * layers below and re-exported by index.ts.
 */
import { DataError } from './core/errors.js';
import type { Rng } from './core/rng.js';
import { materialize } from './dataset/materialize.js';
import { createNaiveBackend } from './neighbors/naive.js';
import { getSampler } from './samplers/registry.js';
import { fitResample } from './samplers/template.js';
import type { Dataset, KnnBackend, Resampled, SamplerOptions, SamplingStrategy } from './types.js';

export { readTable } from './pipeline/read-table.js';

export interface ResampleOptions {
  /** Default: the method's default ('auto'). */
  readonly strategy?: SamplingStrategy;
  readonly options?: SamplerOptions;
  /** Required: the only source of randomness. */
  readonly rng: Rng;
  /**
   * kNN backend (default: the cpu backend when available, else the float64 reference; the
   * default one stops its searches when `signal` fires; give your own its signal yourself).
   */
  readonly knn?: KnnBackend;
  readonly scale?: 'none' | 'standard' | 'minmax';
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Resamples an in-memory Dataset. Returns the resampled Dataset (kept rows in input order, then
 * added rows grouped by class) and the raw sampler result (indices, synthetic block, plan).
 * @example const { data: balanced } = await resample(data, 'smote', { rng: createRng(42) });
 */
export async function resample(data: Dataset, method: string, opts: ResampleOptions): Promise<{ data: Dataset; result: Resampled }> {
  if (!opts || !opts.rng) throw new DataError('REBALANCE_NO_RNG', 'resample needs an explicit rng (createRng(seed)): rebalance has no hidden randomness');
  const def = getSampler(method);
  let knn = opts.knn;
  let owned = false;
  if (!knn) {
    knn = def.needs.knn ? await defaultKnn(opts.signal) : createNaiveBackend();
    owned = true;
  }
  try {
    const result = await fitResample(def, data, { strategy: opts.strategy, options: opts.options }, {
      rng: opts.rng,
      knn,
      scale: opts.scale,
      log: opts.log ?? (() => undefined),
      signal: opts.signal,
      totalRows: data.nRows,
    });
    return { data: materialize(data, result), result };
  } finally {
    if (owned) await knn.dispose();
  }
}

/** The cpu kNN backend when it loads, else the float64 reference. */
async function defaultKnn(signal: AbortSignal | undefined): Promise<KnnBackend> {
  try {
    const { createCpuBackend } = await import('./neighbors/cpu.js');
    return createCpuBackend({ signal });
  } catch {
    return createNaiveBackend();
  }
}
