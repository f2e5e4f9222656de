import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { rocAuc } from '../../../src/metrics/index.js';
import { loadModel } from '../../../src/models/io.js';
import { createKnn, neighborScores } from '../../../src/models/knn.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { blobs, RARE, truth } from './problems.js';

describe('knn', () => {
  const train = blobs(300, 4, 11);
  const test = blobs(200, 4, 12);

  it('learns a separable problem with both weightings (held-out ROC-AUC > 0.95)', async () => {
    for (const weights of ['uniform', 'distance'] as const) {
      const m = await createKnn({ weights, k: 7 }).fit(train, createRng(1), { positive: RARE });
      expect(rocAuc(truth(test), await m.predictProba(test))).toBeGreaterThan(0.95);
      m.dispose();
    }
  });

  it('scores are the (1/distance weighted) positive share; zero distances take over', () => {
    const y = Uint8Array.from([1, 0, 1, 0]);
    const indices = Int32Array.from([0, 1, 2, 3, 1, 0]);
    const distances = Float32Array.from([1, 2, 4, 0, 1, 0]);
    expect(Array.from(neighborScores(indices, distances, 3, y, 'uniform'))).toEqual([Math.fround(2 / 3), Math.fround(1 / 3)]);
    const w = neighborScores(indices, distances, 3, y, 'distance');
    expect(w[0]).toBeCloseTo((1 + 0.25) / (1 + 0.5 + 0.25), 6);
    // row 2 has neighbours 3 (d=0, negative), 1, 0 (d=0, positive): only the two exact matches count
    expect(w[1]).toBeCloseTo(0.5, 6);
  });

  it('scores a training row with itself among its neighbours; k = 1 recovers the labels', async () => {
    const m = await createKnn({ k: 1 }).fit(train, createRng(1), { positive: RARE });
    expect(Array.from(await m.predictProba(train))).toEqual(Array.from(truth(train)));
  });

  it('uses the backend it is given, saves and loads to identical scores', async () => {
    let builds = 0;
    const naive = createNaiveBackend();
    const counting = { ...naive, build: (p: Float32Array, d: number) => (builds++, naive.build(p, d)) };
    const m = await createKnn({ knn: counting }).fit(train, createRng(1), { positive: RARE });
    const scores = await m.predictProba(test);
    await m.predictProba(test);
    expect(builds).toBe(1);
    const back = loadModel(JSON.parse(JSON.stringify(m.toJSON())));
    expect(await back.predictProba(test)).toEqual(scores);
  });

  it('rejects a bad k', () => {
    expect(() => createKnn({ k: 0 })).toThrow(expect.objectContaining({ code: 'REBALANCE_BAD_OPTION' }));
    const tiny = makeDataset({ features: { a: [0, 1] }, labels: ['a', 'b'] });
    return expect(createKnn({ k: 5 }).fit(tiny, createRng(1), { positive: 1 }).then((m) => m.predictProba(tiny))).resolves.toHaveLength(2);
  });
});
