/**
 * The evaluate job: read the table, cross-validate samplers x models (only training folds are
 * resampled), and hand back the result for reports. Wires the registry samplers and models into
 * the pure evaluation engine (src/evaluate).
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classCounts } from '../dataset/make.js';
import type { ReadOptions } from '../io/source.js';
import type { ScanOptions } from '../dataset/scan.js';
import { evaluate, type EvaluationResult } from '../evaluate/index.js';
import { createModel, type ModelOptions } from '../models/registry.js';
import { mlpThreads } from '../models/mlp-wasm.js';
import type { Dataset, KnnBackend, SamplerOptions, SamplingStrategy } from '../types.js';
import { readTable } from './read-table.js';
import { resampleData } from './resample-data.js';

export interface EvaluateJob {
  readonly input?: string;
  readonly read?: ReadOptions;
  readonly scan?: ScanOptions;
  readonly samplers: readonly string[];
  readonly models: readonly string[];
  readonly folds: number;
  readonly repeats: number;
  /** Positive (rare) class name; default: the smallest class. */
  readonly positive?: string;
  readonly threshold: 'default' | 'best-f1' | number;
  readonly strategy?: SamplingStrategy;
  readonly samplerOptions?: SamplerOptions;
  readonly modelOptions?: ModelOptions;
  readonly rng: Rng;
  readonly seed: number;
  readonly knn: KnnBackend;
  readonly scale?: 'none' | 'standard' | 'minmax';
  readonly onProgress?: (done: number, total: number, label: string) => void;
  readonly log: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** The positive class: the named one, else the smallest class (ties: the first in class order). */
export function positiveClass(data: Dataset, name: string | undefined): number {
  if (name !== undefined) {
    const c = data.classNames.indexOf(name);
    if (c < 0) {
      throw new DataError('REBALANCE_BAD_POSITIVE', `--positive '${name}' is not a class; classes are: ${data.classNames.join(', ')}`);
    }
    return c;
  }
  const counts = classCounts(data.labels, data.classNames.length);
  let best = 0;
  counts.forEach((n, c) => {
    if (n < counts[best]) best = c;
  });
  return best;
}

/** Memory the (fold, sampler) units in flight may hold together: resampled folds, MLP copies. */
const UNITS_MEMORY_BUDGET = 1 << 30;

/**
 * How many (fold, sampler) units evaluate runs at once. MLP fits on the default engine run in
 * worker threads: keep twice as many units in flight as workers, so resampling and the other
 * models on this thread overlap the workers' training (bench/evaluate.mjs: 36.0 s vs 42.7 s with
 * as many units as workers, 2 cores). Each unit holds about three float64 copies of the data
 * (training fold, resampled fold up to twice its size), so big tables get fewer units.
 */
export function unitConcurrency(job: Pick<EvaluateJob, 'models' | 'modelOptions'>, data: Pick<Dataset, 'nRows' | 'featureNames'>): number {
  if (!job.models.includes('mlp') || (job.modelOptions?.tfBackend ?? 'simd') !== 'simd') return 1;
  const perUnit = data.nRows * Math.max(1, data.featureNames.length) * 8 * 3;
  return Math.max(1, Math.min(mlpThreads() * 2, Math.floor(UNITS_MEMORY_BUDGET / perUnit)));
}

export async function runEvaluate(job: EvaluateJob): Promise<{ result: EvaluationResult; data: Dataset }> {
  const data = await readTable(job.input, { ...job.read, ...job.scan });
  const positive = positiveClass(data, job.positive);
  const k = job.samplerOptions?.kNeighbors ?? 5;
  const result = await evaluate(data, {
    samplers: job.samplers,
    models: job.models,
    folds: job.folds,
    repeats: job.repeats,
    positive,
    threshold: job.threshold,
    rng: job.rng,
    seed: job.seed,
    k,
    resample: (train, samplerName, rng) =>
      resampleData(train, samplerName, {
        rng,
        strategy: job.strategy,
        options: job.samplerOptions,
        knn: job.knn,
        scale: job.scale,
        log: job.log,
        signal: job.signal,
      }),
    createModel: (name) => createModel(name, { ...job.modelOptions, knn: job.knn, log: job.log }),
    onProgress: job.onProgress,
    warn: job.log,
    signal: job.signal,
    concurrency: unitConcurrency(job, data),
  });
  return { result, data };
}
