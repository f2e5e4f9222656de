import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { rocAuc } from '../../../src/metrics/index.js';
import { loadModel } from '../../../src/models/io.js';
import { averagePathLength, createIsolationForest, FittedIsolationForest } from '../../../src/models/isolation-forest.js';

/** 5% outliers (label 'rare') far from a standard normal cloud. */
function outliers(n: number, seed: number) {
  const rng = createRng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const out = rng.nextFloat() < 0.05;
    labels.push(out ? 'rare' : 'common');
    a.push(rng.nextNormal() + (out ? 6 : 0));
    b.push(rng.nextNormal() * (out ? 4 : 1));
  }
  return makeDataset({ features: { a, b }, labels });
}

describe('isolation-forest', () => {
  const data = outliers(1000, 3);
  const y = Uint8Array.from(data.labels, (l) => l);

  it('finds the rare outliers without labels (ROC-AUC > 0.95)', async () => {
    const m = await createIsolationForest().fit(data, createRng(5), { positive: 1 });
    const s = await m.predictProba(data);
    expect(rocAuc(y, s)).toBeGreaterThan(0.95);
    for (const v of s) expect(v > 0 && v <= 1).toBe(true);
  });

  it('ignores the labels', async () => {
    const shuffled = { ...data, labels: data.labels.map((l) => 1 - l) as unknown as Int32Array };
    const a = await createIsolationForest().fit(data, createRng(5), { positive: 1 });
    const b = await createIsolationForest().fit(shuffled, createRng(5), { positive: 0 });
    expect(await b.predictProba(data)).toEqual(await a.predictProba(data));
  });

  it('is deterministic per seed and differs across seeds', async () => {
    const a = await (await createIsolationForest().fit(data, createRng(5), { positive: 1 })).predictProba(data);
    const b = await (await createIsolationForest().fit(data, createRng(5), { positive: 1 })).predictProba(data);
    const c = await (await createIsolationForest().fit(data, createRng(6), { positive: 1 })).predictProba(data);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('uses 100 trees of min(256, n) rows, depth <= ceil(log2(256))', async () => {
    const m = (await createIsolationForest().fit(data, createRng(5), { positive: 1 })) as FittedIsolationForest;
    expect(m.trees).toHaveLength(100);
    expect(m.maxSamples).toBe(256);
    for (const t of m.trees) expect(t.size[0]).toBe(256);
  });

  it('c(n) matches scikit-learn _average_path_length', () => {
    // _average_path_length([1, 2, 3, 256]) in scikit-learn 1.2.1
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(3)).toBeCloseTo(1.207392357589623, 12);
    expect(averagePathLength(256)).toBeCloseTo(10.244770920119917, 12);
  });

  it('saves and loads to identical scores; rejects cyclic trees', async () => {
    const m = await createIsolationForest({ nEstimators: 10 }).fit(data, createRng(5), { positive: 1 });
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    expect(await loadModel(json).predictProba(data)).toEqual(await m.predictProba(data));
    json.trees[0].left[0] = 0;
    expect(() => loadModel(json)).toThrow(expect.objectContaining({ code: 'REBALANCE_BAD_MODEL' }));
  });
});
