/**
 * Rare-class models: every one implements Classifier/FittedClassifier, scores the positive
 * class in [0, 1], and saves to / loads from versioned JSON.
 */
export { createModel, modelNames, type ModelOptions } from './registry.js';
export { loadModel, type LoadModelOptions } from './io.js';
export { setupTf, TF_BACKENDS, type TfBackendName, type TfSetup } from './tf-backend.js';
export { createLogistic, FittedLogistic, fitLogisticNewton, type LogisticOptions } from './logistic.js';
export { createMlp, FittedMlp, type MlpOptions, type MlpTrainingInfo } from './mlp.js';
export { heStd, initMlpParams, mlpForward, PRELU_INIT, type MlpActivation, type MlpParams } from './mlp-params.js';
export { createKnn, FittedKnn, neighborScores, type KnnOptions, type KnnWeights } from './knn.js';
export {
  averagePathLength,
  createIsolationForest,
  FittedIsolationForest,
  type IsolationForestOptions,
} from './isolation-forest.js';
export { createGbdt, FittedGbdt, type GbdtOptions } from './gbdt.js';
export {
  createBalancedRandomForest,
  createRandomForest,
  FittedForest,
  type ForestName,
  type RandomForestOptions,
} from './random-forest.js';
export { createEasyEnsemble, FittedStumpEnsemble, type BoostedStumpsOptions } from './easy-ensemble.js';
export { MODEL_FORMAT, MODEL_VERSION } from './json.js';
export { createRusBoost, type RusBoostOptions } from './rus-boost.js';
