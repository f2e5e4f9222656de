/**
 * The leakage-safe evaluation engine behind `rebalance evaluate`.
 *
 * For every (repeated) stratified fold: the training rows are resampled by each sampler, each
 * model is fitted on the resampled training rows, and scored on the test fold, which is never
 * resampled, never seen by a sampler and never used to pick a threshold. Resampling before
 * splitting leaks copies (or interpolations) of test rows into training and inflates every
 * metric; test/unit/evaluate/leakage.test.ts shows by how much.
 *
 * Randomness: folds come from `rng.fork('folds')` (repeat r: `.fork('repeat/' + r)`); sampler s
 * on fold i from `rng.fork('fold/<i>/sampler/<s>')`; model m on fold i from
 * `rng.fork('fold/<i>/model/<m>')`. Adding or removing a sampler or model therefore leaves the
 * numbers of the others unchanged, and every model sees the same stream whatever the sampler
 * (common random numbers: differences between samplers are not draw noise).
 */
import { DataError, InterruptedError, RebalanceError, UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classCounts, takeRows } from '../dataset/make.js';
import { bestF1Threshold, binaryMetrics, type BinaryMetrics } from '../metrics/index.js';
import type { Classifier, Dataset } from '../types.js';
import { pooledCurves } from './curves.js';
import { complementRows, repeatedStratifiedKFold } from './folds.js';
import {
  LEAKAGE_NOTE,
  METRIC_NAMES,
  RANK_METRICS,
  rankRows,
  summarize,
  type EvaluationResult,
  type FailedSetup,
  type MetricName,
  type RankMetric,
  type ResultRow,
  type SkippedSetup,
} from './result.js';
import { computeVerdict, DEFAULT_CONFIDENCE } from './verdict.js';

/** Resamples a training fold with the named sampler. The engine never passes 'none' here. */
export type ResampleFn = (train: Dataset, samplerName: string, rng: Rng) => Promise<Dataset>;

/** The sampler name meaning "train on the training fold as it is". */
export const NO_RESAMPLING = 'none';

/**
 * The setup "no resampling, the model trained with balanced class weights" (cost-sensitive
 * learning), listed among the samplers so it stands beside them on the same folds. The engine
 * never passes it to `resample`; models that take no class weights skip it.
 */
export const CLASS_WEIGHT = 'class-weight';

/** How a setup asks `createModel` to train differently from the caller's model options. */
export interface ModelSetup {
  /** 'balanced': weigh each class by n / (2 n_class) (the class-weight setup). */
  readonly classWeight: 'balanced';
}

/** The threshold of the 'default' rule. */
export const DEFAULT_THRESHOLD = 0.5;

export interface EvaluateOptions {
  /** Sampler names, 'none' for no resampling; each is resolved by `resample`. */
  readonly samplers: readonly string[];
  /** Model names, each built by `createModel`. */
  readonly models: readonly string[];
  readonly folds: number;
  readonly repeats: number;
  /** Class code scored as positive; every other class is negative. */
  readonly positive: number;
  /**
   * 'default': 0.5; 'best-f1': the threshold maximising F1 on the model's scores of the
   * original (un-resampled) training fold; a number in [0, 1]: that threshold.
   */
  readonly threshold: 'default' | 'best-f1' | number;
  readonly rng: Rng;
  /** Recorded in the result's settings (the Rng does not expose it). */
  readonly seed?: number;
  /** Neighbour count of the samplers (default 5): warns when a training fold has too few minority rows. */
  readonly k?: number;
  readonly resample: ResampleFn;
  /** Builds a model; `setup` is given for the class-weight setup only. */
  readonly createModel: (name: string, setup?: ModelSetup) => Classifier;
  /**
   * Whether the named model honours `setup.classWeight` (default: every model does). The
   * class-weight setup of a model that does not is skipped (`skipped` in the result, and a warning).
   */
  readonly takesClassWeight?: (model: string) => boolean;
  /** Called after every (fold, sampler, model) fit; `label` names it for a progress bar. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** One-line notices, unprefixed (the CLI writes them to stderr). */
  readonly warn: (message: string) => void;
  readonly signal?: AbortSignal;
  /** (fold, sampler) units run at once (default 1); results never depend on it. */
  readonly concurrency?: number;
  /** The metric rows are ranked by and the verdict is on (default 'pr_auc'). */
  readonly rankBy?: RankMetric;
  /** Two-sided confidence level of the verdict's intervals (default 0.95). */
  readonly confidence?: number;
}

/**
 * Runs `task` over `items` with at most `limit` in flight, in order of start; rejects with the
 * first failure once the tasks already running have settled (nothing new starts after it).
 */
export async function runLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}

/** binaryMetrics field for each reported metric. */
const FIELD: Readonly<Record<MetricName, keyof BinaryMetrics>> = {
  pr_auc: 'prAuc',
  roc_auc: 'rocAuc',
  f1: 'f1',
  recall: 'recall',
  precision: 'precision',
  specificity: 'specificity',
  gmean: 'gmean',
  balanced_accuracy: 'balancedAccuracy',
  mcc: 'mcc',
  iba: 'iba',
  precision_at_top20: 'precisionAtTop20',
  threshold: 'threshold',
};

function checkNames(kind: 'samplers' | 'models', names: readonly string[]): void {
  if (names.length === 0) {
    throw new UsageError('REBALANCE_BAD_EVALUATE_OPTION', `expected at least one name in --${kind}, got none; pass e.g. --${kind} ${kind === 'samplers' ? 'none,smote' : 'logistic'}`);
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      throw new UsageError('REBALANCE_BAD_EVALUATE_OPTION', `expected distinct names in --${kind}, found '${n}' twice; list each once`);
    }
    seen.add(n);
  }
}

function checkOptions(data: Dataset, o: EvaluateOptions): number {
  checkNames('samplers', o.samplers);
  checkNames('models', o.models);
  const t = o.threshold;
  if (t !== 'default' && t !== 'best-f1' && !(typeof t === 'number' && t >= 0 && t <= 1)) {
    throw new UsageError('REBALANCE_BAD_THRESHOLD', `expected --threshold to be 'default', 'best-f1' or a number in [0, 1], got '${String(t)}'`);
  }
  if (o.rankBy !== undefined && !RANK_METRICS.includes(o.rankBy)) {
    throw new UsageError('REBALANCE_BAD_EVALUATE_OPTION', `expected --rank-by to be one of ${RANK_METRICS.join(', ')}, got '${String(o.rankBy)}'`);
  }
  const c = o.confidence ?? DEFAULT_CONFIDENCE;
  if (!(c >= 0.5 && c < 1)) {
    throw new UsageError('REBALANCE_BAD_EVALUATE_OPTION', `expected the confidence level in [0.5, 1), got ${c}; pass e.g. 0.95`);
  }
  const k = o.k ?? 5;
  if (!Number.isInteger(k) || k < 1) {
    throw new UsageError('REBALANCE_BAD_K', `expected k to be an integer >= 1, got ${k}`);
  }
  const nClasses = data.classNames.length;
  if (!Number.isInteger(o.positive) || o.positive < 0 || o.positive >= nClasses) {
    throw new DataError('REBALANCE_BAD_POSITIVE', `expected the positive class to be one of ${data.classNames.join(', ')}, got class code ${o.positive}`);
  }
  return k;
}

/** Throws DataError when the data cannot be split into `folds` stratified folds, naming the class. */
function checkSplittable(data: Dataset, counts: Int32Array, folds: number, positive: number): void {
  let present = 0;
  for (let c = 0; c < counts.length; c++) {
    if (counts[c] > 0) present++;
    if (counts[c] > 0 && counts[c] < folds) {
      throw new DataError(
        'REBALANCE_TOO_FEW_ROWS',
        `expected at least ${folds} rows of class '${data.classNames[c]}' for ${folds} folds, found ${counts[c]}; use fewer --folds or gather more rows of that class`,
      );
    }
  }
  if (present < 2 || counts[positive] === 0) {
    throw new DataError(
      'REBALANCE_ONE_CLASS',
      `expected rows of the positive class '${data.classNames[positive]}' and of at least one other class, found ${present} class(es) with rows; check the label column`,
    );
  }
}

/** A resampled fold must keep the class codes and features, or `positive` would point elsewhere. */
function checkResampled(train: Dataset, out: Dataset, sampler: string): void {
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(train.classNames, out.classNames) || !same(train.featureNames, out.featureNames) || out.labels.length !== out.nRows) {
    throw new Error(`sampler '${sampler}' returned a Dataset with other classes or features than its training fold`);
  }
}

function binaryTruth(labels: Int32Array, positive: number): Uint8Array {
  const y = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) y[i] = labels[i] === positive ? 1 : 0;
  return y;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError('evaluation interrupted');
}

/** The smallest class (among classes with rows) over all training folds: its size, fold index and class code. */
function smallestTrainingClass(data: Dataset, counts: Int32Array, testFolds: readonly Int32Array[]): { rows: number; fold: number; cls: number } {
  let worst = { rows: Infinity, fold: -1, cls: -1 };
  for (let f = 0; f < testFolds.length; f++) {
    const testCounts = classCounts(takeLabels(data.labels, testFolds[f]), counts.length);
    for (let c = 0; c < counts.length; c++) {
      const train = counts[c] - testCounts[c];
      if (counts[c] > 0 && train < worst.rows) worst = { rows: train, fold: f, cls: c };
    }
  }
  return worst;
}

function takeLabels(labels: Int32Array, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = labels[rows[i]];
  return out;
}

/** Where a (sampler) or (sampler, model) first failed. */
interface Failure {
  readonly fold: number;
  readonly stage: 'sampler' | 'model';
  readonly error: RebalanceError;
}

/**
 * The errors a cell may fail with: RebalanceErrors about the data or the options of one setup
 * on one fold (kinds 'data' and 'usage'). Interruptions, io and unavailable backends concern
 * the whole run, and anything else is a bug: those abort.
 */
function cellError(e: unknown): RebalanceError | undefined {
  return e instanceof RebalanceError && (e.kind === 'data' || e.kind === 'usage') ? e : undefined;
}

/**
 * Cross-validates every (sampler, model) pair on `data`, resampling only the training folds.
 *
 * A sampler or model that throws a RebalanceError (other than an interruption) on a fold fails
 * its setup(s): they are skipped on the later folds and listed in `failed` with the first
 * failing fold and the error's one-line message; the rest of the grid runs. Which fold is
 * reported does not depend on the concurrency: a setup is only skipped on folds after one it
 * failed on, so every fold before its first failure runs.
 *
 * @returns the ranked result with its verdict (schemaVersion 2, see result.ts and docs/evaluate-schema.json)
 * @throws UsageError on bad options, DataError when the data cannot be split or has one class,
 *   InterruptedError when `signal` aborts; errors that are not RebalanceErrors (bugs) propagate unchanged
 */
export async function evaluate(data: Dataset, options: EvaluateOptions): Promise<EvaluationResult> {
  const k = checkOptions(data, options);
  const { samplers, models, folds, repeats, positive, rng, signal } = options;
  const rankBy = options.rankBy ?? 'pr_auc';
  const nClasses = data.classNames.length;
  const counts = classCounts(data.labels, nClasses);
  if (!Number.isInteger(folds) || folds < 2) {
    throw new UsageError('REBALANCE_BAD_FOLDS', `expected --folds to be an integer >= 2, got ${folds}; pass e.g. --folds 5`);
  }
  checkSplittable(data, counts, folds, positive);
  // Build each model once: bad model options are the caller's, not a fold's, and abort here.
  for (const m of models) options.createModel(m);
  const takesWeights = options.takesClassWeight ?? ((): boolean => true);
  const skipped: SkippedSetup[] = [];
  const skip = new Set<number>();
  const cw = samplers.indexOf(CLASS_WEIGHT);
  if (cw >= 0) {
    models.forEach((m, j) => {
      if (takesWeights(m)) return;
      skip.add(cw * models.length + j);
      skipped.push({ sampler: CLASS_WEIGHT, model: m, reason: `${m} takes no class weights` });
    });
    if (skipped.length) {
      options.warn(`${CLASS_WEIGHT} skipped for ${skipped.map((x) => x.model).join(', ')}: no class weights in ${skipped.length === 1 ? 'that model' : 'those models'} (only models with a class-weight option take part)`);
    }
  }
  const testFolds = repeatedStratifiedKFold(data.labels, nClasses, folds, rng.fork('folds'), repeats);
  const nFolds = testFolds.length;

  if (samplers.some((s) => s !== NO_RESAMPLING && s !== CLASS_WEIGHT)) {
    const worst = smallestTrainingClass(data, counts, testFolds);
    if (worst.rows <= k) {
      options.warn(
        `training fold ${(worst.fold % folds) + 1}/${folds} (repeat ${Math.floor(worst.fold / folds) + 1}) has only ${worst.rows} rows of class '${data.classNames[worst.cls]}', ` +
          `but samplers with k=${k} neighbours need at least ${k + 1}; lower -k or --folds, or expect sampler errors`,
      );
    }
  }

  const nCombos = samplers.length * models.length;
  const metricValues = Array.from({ length: nCombos }, () =>
    Object.fromEntries(METRIC_NAMES.map((m) => [m, new Float64Array(nFolds)])) as Record<MetricName, Float64Array>,
  );
  // Pooled out-of-fold scores: every row once per repeat, fold after fold.
  const pooledScores = Array.from({ length: nCombos }, () => new Float32Array(data.nRows * repeats));
  const pooledTruth = new Uint8Array(data.nRows * repeats);
  const total = nFolds * (nCombos - skip.size);
  let done = 0;
  // First failure (lowest fold) per sampler and per (sampler, model) combo.
  const samplerFailure = new Map<number, Failure>();
  const comboFailure = new Map<number, Failure>();
  const record = (map: Map<number, Failure>, key: number, f: Failure): void => {
    const old = map.get(key);
    if (!old || f.fold < old.fold) map.set(key, f);
  };

  // Each fold's rows, built when its first (fold, sampler) unit starts and dropped after its last.
  const offsets: number[] = [];
  for (let i = 0, o = 0; i < nFolds; i++) {
    offsets.push(o);
    o += testFolds[i].length;
  }
  interface FoldData {
    readonly train: Dataset;
    readonly test: Dataset;
    readonly yTest: Uint8Array;
    readonly yTrain: Uint8Array;
    left: number;
  }
  const foldData = new Map<number, FoldData>();
  const foldOf = (i: number): FoldData => {
    let f = foldData.get(i);
    if (!f) {
      const testRows = testFolds[i];
      const train = takeRows(data, complementRows(data.nRows, testRows));
      const test = takeRows(data, testRows);
      f = { train, test, yTest: binaryTruth(test.labels, positive), yTrain: binaryTruth(train.labels, positive), left: samplers.length };
      foldData.set(i, f);
      pooledTruth.set(f.yTest, offsets[i]);
    }
    return f;
  };

  /** One fold resampled by one sampler, then every model fitted on it and scored. */
  const unit = async (i: number, s: number): Promise<void> => {
    throwIfAborted(signal);
    const fold = foldOf(i);
    const { train, test, yTest, yTrain } = fold;
    const foldLabel = `repeat ${Math.floor(i / folds) + 1}/${repeats} fold ${(i % folds) + 1}/${folds}`;
    const sampler = samplers[s];
    let fitData: Dataset;
    const weighted = sampler === CLASS_WEIGHT;
    const live = models.filter((_, m) => !skip.has(s * models.length + m)).length;
    const skipUnit = (): void => {
      done += live;
      options.onProgress?.(done, total, `${foldLabel} ${sampler} (failed earlier)`);
    };
    if (samplerFailure.has(s)) {
      skipUnit();
      if (--fold.left === 0) foldData.delete(i);
      return;
    }
    try {
      fitData = sampler === NO_RESAMPLING || weighted ? train : await options.resample(train, sampler, rng.fork(`fold/${i}/sampler/${sampler}`));
    } catch (e) {
      const error = cellError(e);
      if (!error) throw e;
      record(samplerFailure, s, { fold: i, stage: 'sampler', error });
      skipUnit();
      if (--fold.left === 0) foldData.delete(i);
      return;
    }
    checkResampled(train, fitData, sampler);

    for (let m = 0; m < models.length; m++) {
      throwIfAborted(signal);
      const modelName = models[m];
      const combo = s * models.length + m;
      if (skip.has(combo)) continue;
      if (comboFailure.has(combo)) {
        done++;
        options.onProgress?.(done, total, `${foldLabel} ${sampler} + ${modelName} (failed earlier)`);
        continue;
      }
      let scores: Float32Array;
      let threshold: number;
      try {
        const fitted = await (weighted ? options.createModel(modelName, { classWeight: 'balanced' }) : options.createModel(modelName))
          .fit(fitData, rng.fork(`fold/${i}/model/${modelName}`), { positive, signal });
        try {
          scores = await fitted.predictProba(test);
          if (options.threshold === 'best-f1') {
            threshold = bestF1Threshold(yTrain, await fitted.predictProba(train));
          } else {
            threshold = options.threshold === 'default' ? DEFAULT_THRESHOLD : options.threshold;
          }
        } finally {
          fitted.dispose();
        }
      } catch (e) {
        const error = cellError(e);
        if (!error) throw e;
        record(comboFailure, combo, { fold: i, stage: 'model', error });
        done++;
        options.onProgress?.(done, total, `${foldLabel} ${sampler} + ${modelName} (failed)`);
        continue;
      }
      if (scores.length !== test.nRows) {
        throw new Error(`model '${modelName}' returned ${scores.length} scores for ${test.nRows} rows`);
      }
      const bm = binaryMetrics(yTest, scores, threshold);
      for (const name of METRIC_NAMES) metricValues[combo][name][i] = bm[FIELD[name]];
      pooledScores[combo].set(scores, offsets[i]);
      done++;
      options.onProgress?.(done, total, `${foldLabel} ${sampler} + ${modelName}`);
    }
    if (--fold.left === 0) foldData.delete(i);
  };

  // Units in fold-then-sampler order, up to `concurrency` at once (models whose fits run in
  // worker threads, like the MLP, then train in parallel). Results land in fixed slots, so the
  // numbers do not depend on the order units finish in.
  const units: [number, number][] = [];
  for (let i = 0; i < nFolds; i++) for (let s = 0; s < samplers.length; s++) units.push([i, s]);
  await runLimited(units, Math.max(1, Math.floor(options.concurrency ?? 1)), ([i, s]) => unit(i, s));

  const rows: Omit<ResultRow, 'rank'>[] = [];
  const failed: FailedSetup[] = [];
  for (let s = 0; s < samplers.length; s++) {
    for (let m = 0; m < models.length; m++) {
      const combo = s * models.length + m;
      if (skip.has(combo)) continue;
      const fs = samplerFailure.get(s);
      const fc = comboFailure.get(combo);
      const f = fs && fc ? (fc.fold < fs.fold ? fc : fs) : (fs ?? fc);
      if (f) {
        failed.push({
          sampler: samplers[s],
          model: models[m],
          fold: (f.fold % folds) + 1,
          repeat: Math.floor(f.fold / folds) + 1,
          stage: f.stage,
          code: f.error.code,
          message: f.error.message.replace(/\s*\n\s*/g, ' '),
        });
        continue;
      }
      const metrics = Object.fromEntries(
        METRIC_NAMES.map((name) => [name, summarize(metricValues[combo][name])]),
      ) as ResultRow['metrics'];
      rows.push({ sampler: samplers[s], model: models[m], metrics, pooled: pooledCurves(pooledTruth, pooledScores[combo]) });
    }
  }

  const results = rankRows(rows, rankBy);
  return {
    schemaVersion: 2,
    dataset: {
      rows: data.nRows,
      features: data.featureNames.length,
      classes: [...data.classNames],
      counts: Array.from(counts),
      positive: data.classNames[positive],
    },
    settings: {
      folds,
      repeats,
      seed: options.seed ?? null,
      threshold: options.threshold,
      k,
      samplers: [...samplers],
      models: [...models],
      rankBy,
    },
    results,
    failed,
    skipped,
    // Every fold's test part is 1/folds of the rows: nTest / nTrain = 1 / (folds - 1).
    verdict: computeVerdict(results, { metric: rankBy, testTrainRatio: 1 / (folds - 1), confidence: options.confidence }),
    note: LEAKAGE_NOTE,
  };
}
