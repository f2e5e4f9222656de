import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { rocAuc } from '../../../src/metrics/index.js';
import { loadModel } from '../../../src/models/io.js';
import { createLogistic, fitLogisticNewton } from '../../../src/models/logistic.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { blobs, RARE, truth } from './problems.js';

describe('logistic', () => {
  const train = blobs(400, 5, 1);
  const test = blobs(300, 5, 2);

  it('learns a separable problem (held-out ROC-AUC > 0.95)', async () => {
    const m = await createLogistic().fit(train, createRng(1), { positive: RARE });
    expect(rocAuc(truth(test), await m.predictProba(test))).toBeGreaterThan(0.95);
  });

  it('reaches the optimum: the gradient of the L2 objective vanishes', () => {
    const rng = createRng(4);
    const n = 200;
    const d = 3;
    const x = new Float64Array(n * d).map(() => rng.nextNormal());
    const y = Uint8Array.from({ length: n }, (_, i) => (x[i * d] + 0.5 * rng.nextNormal() > 0.3 ? 1 : 0));
    const s = new Float64Array(n).fill(1);
    const C = 0.7;
    const beta = fitLogisticNewton(x, y, s, d, C);
    const g = new Float64Array(d + 1);
    for (let j = 0; j < d; j++) g[j] = beta[j];
    for (let i = 0; i < n; i++) {
      let z = beta[d];
      for (let j = 0; j < d; j++) z += beta[j] * x[i * d + j];
      const r = C * (1 / (1 + Math.exp(-z)) - y[i]);
      for (let j = 0; j < d; j++) g[j] += r * x[i * d + j];
      g[d] += r;
    }
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-8);
  });

  it('balanced class weights raise the scores of the rare class', async () => {
    const plain = await createLogistic().fit(train, createRng(1), { positive: RARE });
    const balanced = await createLogistic({ classWeight: 'balanced' }).fit(train, createRng(1), { positive: RARE });
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(await balanced.predictProba(test))).toBeGreaterThan(mean(await plain.predictProba(test)));
  });

  it('saves and loads to identical scores', async () => {
    const m = await createLogistic().fit(train, createRng(1), { positive: RARE });
    const back = loadModel(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.name).toBe('logistic');
    expect(await back.predictProba(test)).toEqual(await m.predictProba(test));
  });

  it('needs both classes and matching feature columns', async () => {
    const one = makeDataset({ features: { a: [1, 2, 3] }, labels: ['x', 'x', 'x'] });
    await expect(createLogistic().fit(one, createRng(1), { positive: 0 })).rejects.toMatchObject({ code: 'REBALANCE_ONE_CLASS' });
    const m = await createLogistic().fit(train, createRng(1), { positive: RARE });
    await expect(m.predictProba(one)).rejects.toMatchObject({ code: 'REBALANCE_FEATURE_MISMATCH' });
  });
});
