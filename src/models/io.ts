/**
 * Loading saved models. A model file is the JSON of `FittedClassifier.toJSON()`: a versioned
 * envelope ({ format: 'rebalance-model', version, model, featureNames }) plus the model's own
 * fields. It is treated as untrusted data: parsed with JSON.parse only (never evaluated),
 * every field type-checked, every numeric array checked element by element, sizes cross-checked.
 */
import type { FittedClassifier, KnnBackend } from '../types.js';
import { stumpEnsembleFromJSON } from './easy-ensemble.js';
import { gbdtFromJSON } from './gbdt.js';
import { isolationForestFromJSON } from './isolation-forest.js';
import { badModel, describe, isObject, MODEL_FORMAT, MODEL_VERSION, readStrings, type JsonObject } from './json.js';
import { forestFromJSON } from './random-forest.js';
import { knnFromJSON } from './knn.js';
import { logisticFromJSON } from './logistic.js';
import { mlpFromJSON } from './mlp.js';
import { checkModelNumbers } from './validate.js';

export interface LoadModelOptions {
  /** Neighbour engine for a loaded kNN model (default: the naive reference backend). */
  readonly knn?: KnnBackend;
}

const readers: Readonly<Record<string, (obj: JsonObject, options: LoadModelOptions) => FittedClassifier>> = {
  logistic: (obj) => logisticFromJSON(obj),
  mlp: (obj) => mlpFromJSON(obj),
  knn: (obj, options) => knnFromJSON(obj, options.knn),
  'isolation-forest': (obj) => isolationForestFromJSON(obj),
  gbdt: (obj) => gbdtFromJSON(obj),
  'random-forest': (obj) => forestFromJSON('random-forest', obj),
  'balanced-random-forest': (obj) => forestFromJSON('balanced-random-forest', obj),
  'easy-ensemble': (obj) => stumpEnsembleFromJSON('easy-ensemble', obj),
  'rus-boost': (obj) => stumpEnsembleFromJSON('rus-boost', obj),
};

/**
 * Turns a saved model (the parsed object, or its JSON text) back into a FittedClassifier that
 * scores exactly like the one saved. Throws DataError REBALANCE_BAD_MODEL on anything else.
 */
export function loadModel(json: unknown, options: LoadModelOptions = {}): FittedClassifier {
  let value = json;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch (e) {
      badModel(`not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (!isObject(value)) badModel(`expected a JSON object, found ${describe(value)}`);
  if (value.format !== MODEL_FORMAT) badModel(`expected format '${MODEL_FORMAT}', found ${describe(value.format)}`);
  if (value.version !== MODEL_VERSION) {
    badModel(`expected version ${MODEL_VERSION}, found ${describe(value.version)} (saved by another rebalance version)`);
  }
  const model = value.model;
  if (typeof model !== 'string' || !Object.hasOwn(readers, model)) {
    badModel(`expected model to be one of ${Object.keys(readers).join(', ')}, found ${describe(model)}`);
  }
  readStrings(value, 'featureNames');
  checkModelNumbers(value);
  return readers[model](value, options);
}
