/**
 * Model names the CLI and the evaluation loop accept, and the one factory that builds them.
 */
import { UsageError } from '../core/errors.js';
import type { Classifier, KnnBackend } from '../types.js';
import { createEasyEnsemble } from './easy-ensemble.js';
import { createGbdt } from './gbdt.js';
import { createIsolationForest } from './isolation-forest.js';
import { createBalancedRandomForest, createRandomForest, type RandomForestOptions } from './random-forest.js';
import { createKnn, type KnnWeights } from './knn.js';
import { createLogistic } from './logistic.js';
import { createRusBoost } from './rus-boost.js';
import { createMlp, type MlpEngineName } from './mlp.js';
import type { MlpActivation } from './mlp-params.js';

/** Options of every model; each model reads the fields it documents. */
export interface ModelOptions {
  /** logistic, mlp, gbdt, random-forest: 'balanced' weighs classes by n / (2 n_class). */
  readonly classWeight?: 'balanced' | 'none';
  /** logistic: inverse regularisation strength (default 1). */
  readonly C?: number;
  /** mlp: hidden layer sizes (default [64, 32]). */
  readonly hidden?: readonly number[];
  /** mlp: 'prelu' (default) or 'relu'. */
  readonly activation?: MlpActivation;
  /** mlp: maximum epochs (default 200). */
  readonly epochs?: number;
  readonly batchSize?: number;
  /** mlp: step size; gbdt: shrinkage of each tree (default 0.1); easy-ensemble, rus-boost: AdaBoost learning rate (default 1). */
  readonly learningRate?: number;
  readonly patience?: number;
  readonly validationFraction?: number;
  /** mlp: tfjs backend (default 'wasm'). */
  readonly tfBackend?: MlpEngineName;
  /** knn: neighbours (default 5) and their weighting (default 'uniform'). */
  readonly k?: number;
  readonly weights?: KnnWeights;
  /** knn: neighbour search engine (default: the naive reference backend). */
  readonly knn?: KnnBackend;
  /**
   * isolation-forest, random forests: trees (default 100); easy-ensemble: AdaBoosts (default 10); rus-boost: boosting rounds (default 50).
   * isolation-forest: rows per tree (default 256).
   */
  readonly nEstimators?: number;
  readonly maxSamples?: number;
  /** gbdt: boosting iterations at most (default 100); easy-ensemble: stumps per AdaBoost (default 50). */
  readonly maxIter?: number;
  /** gbdt: leaves per tree at most (default 31). */
  readonly maxLeafNodes?: number;
  /** random forests: features per node, 'sqrt' (default), 'all' or a count. */
  readonly maxFeatures?: 'sqrt' | 'all' | number;
  /** gbdt, random forests: depth per tree at most (default: none). */
  readonly maxDepth?: number;
  /** gbdt: training rows per leaf at least (default 20); random forests (default 1). */
  readonly minSamplesLeaf?: number;
  /** gbdt: L2 penalty on leaf values (default 0). */
  readonly l2Regularization?: number;
  /**
   * gbdt: 'auto' (on above 10,000 rows; default), true or false. mlp: stop on a held-out
   * validation split (true, the default, also for 'auto') or train on every row (false).
   */
  readonly earlyStopping?: 'auto' | boolean;
  /** gbdt: weight multiplier of positive rows (default 1). */
  readonly scalePosWeight?: number;
  /** One-line notices for stderr. */
  readonly log?: (message: string) => void;
}

const forestOptions = (o: ModelOptions): RandomForestOptions => ({
  nEstimators: o.nEstimators,
  maxFeatures: o.maxFeatures,
  maxDepth: o.maxDepth,
  minSamplesLeaf: o.minSamplesLeaf,
  classWeight: o.classWeight,
});

const factories: Readonly<Record<string, (o: ModelOptions) => Classifier>> = {
  logistic: (o) => createLogistic({ C: o.C, classWeight: o.classWeight }),
  mlp: (o) =>
    createMlp({
      hidden: o.hidden,
      activation: o.activation,
      classWeight: o.classWeight,
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      patience: o.patience,
      validationFraction: o.validationFraction,
      earlyStopping: o.earlyStopping === 'auto' ? undefined : o.earlyStopping,
      tfBackend: o.tfBackend,
      log: o.log,
    }),
  knn: (o) => createKnn({ k: o.k, weights: o.weights, knn: o.knn }),
  'isolation-forest': (o) => createIsolationForest({ nEstimators: o.nEstimators, maxSamples: o.maxSamples }),
  gbdt: (o) =>
    createGbdt({
      maxIter: o.maxIter,
      learningRate: o.learningRate,
      maxLeafNodes: o.maxLeafNodes,
      maxDepth: o.maxDepth,
      minSamplesLeaf: o.minSamplesLeaf,
      l2Regularization: o.l2Regularization,
      earlyStopping: o.earlyStopping,
      classWeight: o.classWeight,
      scalePosWeight: o.scalePosWeight,
    }),
  'random-forest': (o) => createRandomForest(forestOptions(o)),
  'balanced-random-forest': (o) => createBalancedRandomForest(forestOptions(o)),
  'easy-ensemble': (o) => createEasyEnsemble({ nEstimators: o.nEstimators, maxIter: o.maxIter, learningRate: o.learningRate }),
  'rus-boost': (o) => createRusBoost({ nEstimators: o.nEstimators, learningRate: o.learningRate }),
};

/** Models that honour `classWeight` ('balanced' class weights): evaluate's class-weight setup runs them. */
export const CLASS_WEIGHTED_MODELS: readonly string[] = Object.freeze(['logistic', 'mlp', 'gbdt', 'random-forest']);

/** Every model name, in the order reports list them. */
export const modelNames: readonly string[] = Object.freeze(Object.keys(factories));

/** Builds the named model; UsageError REBALANCE_UNKNOWN_MODEL (listing valid names) otherwise. */
export function createModel(name: string, options: ModelOptions = {}): Classifier {
  if (!Object.hasOwn(factories, name)) {
    throw new UsageError(
      'REBALANCE_UNKNOWN_MODEL',
      `unknown model '${name}'; expected one of ${modelNames.join(', ')}`,
    );
  }
  return factories[name](options);
}
