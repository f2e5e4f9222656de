import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { DataError } from '../../../src/core/errors.js';
import { loadModel } from '../../../src/models/io.js';
import { createModel, modelNames } from '../../../src/models/registry.js';
import { blobs, RARE } from './problems.js';

const bad = (json: unknown, message: RegExp): void => {
  let error: unknown;
  try {
    loadModel(json);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DataError);
  expect(error).toMatchObject({ code: 'REBALANCE_BAD_MODEL' });
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain('\n');
};

describe('loadModel', () => {
  const train = blobs(60, 3, 1);

  it('round-trips every registered model through JSON text', async () => {
    for (const name of modelNames) {
      const options = name === 'mlp' ? { hidden: [4], epochs: 2, tfBackend: 'cpu' as const } : { nEstimators: 5 };
      const m = await createModel(name, options).fit(train, createRng(1), { positive: RARE });
      const text = JSON.stringify(m.toJSON());
      const back = loadModel(text);
      expect(back.name).toBe(name);
      expect(JSON.stringify(back.toJSON())).toBe(text);
      expect(await back.predictProba(train)).toEqual(await m.predictProba(train));
    }
  });

  it('rejects malformed files with DataError REBALANCE_BAD_MODEL and a one-line reason', async () => {
    const m = await createModel('logistic').fit(train, createRng(1), { positive: RARE });
    const good = JSON.parse(JSON.stringify(m.toJSON())) as Record<string, unknown>;
    bad('{"format": ', /not valid JSON/);
    bad(null, /expected a JSON object, found null/);
    bad([1, 2], /expected a JSON object/);
    bad({ ...good, format: 'pickle' }, /expected format 'rebalance-model'/);
    bad({ ...good, version: 2 }, /expected version 1, found the number 2/);
    bad({ ...good, version: '1' }, /expected version 1/);
    bad({ ...good, model: 'svm' }, /expected model to be one of logistic, mlp, knn, isolation-forest/);
    bad({ ...good, model: '__proto__' }, /expected model to be one of/);
    bad({ ...good, featureNames: 'x0' }, /array of strings at 'featureNames'/);
    bad({ ...good, coef: [1, 2] }, /expected 3 numbers at 'coef', found 2/);
    bad({ ...good, coef: [1, '2', 3] }, /finite number at 'coef\[1\]'/);
    bad({ ...good, coef: [1, null, 3] }, /finite number at 'coef\[1\]', found null/);
    bad({ ...good, intercept: 'NaN' }, /finite number at 'intercept'/);
    bad({ ...good, std: [1, 0, 1] }, /positive values at 'std'/);
    bad({ ...good, classWeight: 'heavy' }, /'classWeight' to be one of/);
  });

  it('checks model-specific structure (mlp layer shapes, knn sizes)', async () => {
    const mlp = JSON.parse(
      JSON.stringify((await createModel('mlp', { hidden: [4], epochs: 1, tfBackend: 'cpu' }).fit(train, createRng(1), { positive: RARE })).toJSON()),
    );
    bad({ ...mlp, sizes: [3, 4, 2] }, /expected 'sizes'/);
    bad({ ...mlp, layers: mlp.layers.slice(1) }, /expected 2 layers/);
    const l0 = { ...mlp.layers[0], weights: mlp.layers[0].weights.slice(1) };
    bad({ ...mlp, layers: [l0, mlp.layers[1]] }, /expected 12 numbers at 'weights'/);
    const knn = JSON.parse(JSON.stringify((await createModel('knn').fit(train, createRng(1), { positive: RARE })).toJSON()));
    bad({ ...knn, k: 1000 }, /'k' <= 60/);
    bad({ ...knn, labels: [...knn.labels.slice(1), 2] }, /integer in \[0, 1\] at 'labels\[59\]'/);
    bad({ ...knn, points: knn.points.slice(3) }, /expected 180 numbers at 'points'/);
  });
});
