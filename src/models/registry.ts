/**
 * Model names the CLI and the evaluation loop accept, and the one factory that builds them.
 */
import { UsageError } from '../core/errors.js';
import type { Classifier, KnnBackend } from '../types.js';
import { createIsolationForest } from './isolation-forest.js';
import { createKnn, type KnnWeights } from './knn.js';
import { createLogistic } from './logistic.js';
import { createMlp, type MlpEngineName } from './mlp.js';
import type { MlpActivation } from './mlp-params.js';

/** Options of every model; each model reads the fields it documents. */
export interface ModelOptions {
  /** logistic, mlp: 'balanced' weighs classes by n / (2 n_class). */
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
  /** isolation-forest: trees (default 100) and rows per tree (default 256). */
  readonly nEstimators?: number;
  readonly maxSamples?: number;
  /** One-line notices for stderr. */
  readonly log?: (message: string) => void;
  /** mlp: early stopping on a held-out validation split (default true; see MlpOptions.earlyStopping). */
  readonly earlyStopping?: boolean;
}

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
      earlyStopping: o.earlyStopping,
      tfBackend: o.tfBackend,
      log: o.log,
    }),
  knn: (o) => createKnn({ k: o.k, weights: o.weights, knn: o.knn }),
  'isolation-forest': (o) => createIsolationForest({ nEstimators: o.nEstimators, maxSamples: o.maxSamples }),
};

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
