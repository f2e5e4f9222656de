/**
 * The evaluate job: read the table, cross-validate samplers x models (only training folds are
 * resampled), and hand back the result for reports. Wires the registry samplers and models into
 * the pure evaluation engine (src/evaluate).
 */
import { DataError, RebalanceError, UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classCounts } from '../dataset/make.js';
import type { ReadOptions } from '../io/source.js';
import type { ScanOptions } from '../dataset/scan.js';
import { CLASS_WEIGHT, evaluate, NO_RESAMPLING, type EvaluationResult, type RankMetric } from '../evaluate/index.js';
import { CLASS_WEIGHTED_MODELS, createModel, type ModelOptions } from '../models/registry.js';
import { mlpThreads } from '../models/mlp-wasm.js';
import type { Dataset, KnnBackend, SamplerOptions, SamplingStrategy } from '../types.js';
import { readTable } from './read-table.js';
import { resampleData } from './resample-data.js';

export interface EvaluateJob {
  readonly input?: string;
  readonly read?: ReadOptions;
  readonly scan?: ScanOptions;
  /** Sampler names; default: defaultSamplers() for the table's feature kinds. */
  readonly samplers?: readonly string[];
  readonly models: readonly string[];
  /** The metric rows are ranked by and the verdict is on (default pr_auc). */
  readonly rankBy?: RankMetric;
  /**
   * Long option names of the calling command (e.g. `--samplers`): error hints that name
   * `-m <method>` or options it lacks are rewritten to say what to pass instead (evaluateHint).
   */
  readonly hintOptions?: readonly string[];
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

/**
 * The samplers compared when none are named: no resampling, random under- and over-sampling,
 * and the SMOTE that fits the feature kinds (smote on numeric features, smote-nc when some are
 * categorical, smoten when all are). Only 'none' when every model is isolation-forest.
 */
export function defaultSamplers(data: Pick<Dataset, 'featureKinds'>, models: readonly string[] = []): string[] {
  if (models.length > 0 && models.every((m) => m === UNSUPERVISED)) return [NO_RESAMPLING];
  const cats = data.featureKinds.filter((k) => k === 'categorical').length;
  const smote = cats === 0 ? 'smote' : cats === data.featureKinds.length ? 'smoten' : 'smote-nc';
  return [NO_RESAMPLING, 'random-under', 'random-over', smote];
}

/** The model that never sees labels: resampling its training rows is meaningless. */
const UNSUPERVISED = 'isolation-forest';

/**
 * Refuses isolation-forest next to a sampler other than 'none': it learns what is normal from
 * unlabelled rows, so over-sampling the rare class teaches it that fraud is normal and
 * under-sampling throws away its reference; the numbers would be artefacts.
 * @throws UsageError REBALANCE_BAD_EVALUATE_OPTION
 */
export function checkUnsupervisedPairs(samplers: readonly string[], models: readonly string[]): void {
  const resampled = samplers.filter((s) => s !== NO_RESAMPLING && s !== CLASS_WEIGHT);
  if (models.includes(UNSUPERVISED) && resampled.length > 0) {
    throw new UsageError(
      'REBALANCE_BAD_EVALUATE_OPTION',
      `isolation-forest never sees labels, so resampling its training rows (${resampled.join(', ')}) only changes what it learns as normal and its scores mean nothing; ` +
        `evaluate it with --samplers none, in a run of its own if other models need samplers`,
    );
  }
}

/**
 * Rewrites an error hint for a command that is not `resample`: `-m <method>` becomes
 * `--samplers <method>`, and options the command lacks are said to be `resample`'s.
 */
export function evaluateHint(message: string, known: readonly string[]): string {
  let out = message.replace(/(^|[\s(])-m ([a-z0-9-]+)/g, '$1--samplers $2');
  const foreign = [...new Set([...out.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]))].filter((o) => !known.includes(o));
  if (foreign.length > 0) {
    out += ` (${foreign.join(', ')} ${foreign.length === 1 ? 'is an option' : 'are options'} of 'rebalance resample', not of this command)`;
  }
  return out;
}

function rewriteHint(e: unknown, known: readonly string[] | undefined): unknown {
  if (known && e instanceof RebalanceError) e.message = evaluateHint(e.message, known);
  return e;
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
  if (job.samplers) checkUnsupervisedPairs(job.samplers, job.models);
  try {
    return await evaluateTable(job);
  } catch (e) {
    throw rewriteHint(e, job.hintOptions);
  }
}

async function evaluateTable(job: EvaluateJob): Promise<{ result: EvaluationResult; data: Dataset }> {
  const data = await readTable(job.input, { ...job.read, ...job.scan });
  const samplers = job.samplers ?? defaultSamplers(data, job.models);
  if (!job.samplers) checkUnsupervisedPairs(samplers, job.models);
  const positive = positiveClass(data, job.positive);
  const k = job.samplerOptions?.kNeighbors ?? 5;
  if (samplers.includes(CLASS_WEIGHT) && job.modelOptions?.classWeight === 'balanced') {
    job.log(`--class-weight balanced weighs every setup already, so '${CLASS_WEIGHT}' only repeats '${NO_RESAMPLING}'; drop --class-weight to compare weights with resampling`);
  }
  const result = await evaluate(data, {
    samplers,
    rankBy: job.rankBy,
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
    createModel: (name, setup) => createModel(name, { ...job.modelOptions, ...setup, knn: job.knn, log: job.log }),
    takesClassWeight: (name) => CLASS_WEIGHTED_MODELS.includes(name),
    onProgress: job.onProgress,
    warn: job.log,
    signal: job.signal,
    concurrency: unitConcurrency(job, data),
  });
  // Failed cells keep their error's message: say it in this command's options too.
  const known = job.hintOptions;
  const failed = known ? result.failed.map((f) => ({ ...f, message: evaluateHint(f.message, known) })) : result.failed;
  return { result: { ...result, failed }, data };
}
