import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { averagePrecision } from '../../../src/metrics/index.js';
import { createEasyEnsemble, FittedStumpEnsemble } from '../../../src/models/easy-ensemble.js';
import { loadModel } from '../../../src/models/io.js';
import {
  balancedSubset,
  createBalancedRandomForest,
  createRandomForest,
  featuresPerNode,
  FittedForest,
} from '../../../src/models/random-forest.js';
import { createModel } from '../../../src/models/registry.js';
import type { Dataset } from '../../../src/types.js';

/** ~10% positives inside a disc of radius 0.8 around (1, 1), four noise features. */
function disc(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const cols: number[][] = Array.from({ length: 6 }, () => []);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = cols.map(() => rng.nextNormal());
    v.forEach((x, j) => cols[j].push(x));
    labels.push((v[0] - 1) ** 2 + (v[1] - 1) ** 2 < 0.64 ? 'pos' : 'neg');
  }
  return makeDataset({ features: Object.fromEntries(cols.map((c, j) => [`f${j}`, c])), labels });
}

const target = (d: Dataset, positive: number): Uint8Array => Uint8Array.from(d.labels, (l) => (l === positive ? 1 : 0));

describe('random forests and easy-ensemble', () => {
  const train = disc(1500, 1);
  const test = disc(1500, 2);
  const pos = train.classNames.indexOf('pos');

  for (const name of ['random-forest', 'balanced-random-forest', 'easy-ensemble'] as const) {
    it(`${name}: learns a nonlinear rare region, saves and loads back scoring identically`, async () => {
      const m = await createModel(name, { nEstimators: name === 'easy-ensemble' ? 4 : 30 }).fit(train, createRng(3), { positive: pos });
      const s = await m.predictProba(test);
      for (const v of s) expect(v >= 0 && v <= 1).toBe(true);
      expect(averagePrecision(target(test, pos), s)).toBeGreaterThan(name === 'easy-ensemble' ? 0.5 : 0.7);
      const loaded = loadModel(JSON.stringify(m.toJSON()));
      expect(loaded.name).toBe(name);
      expect(await loaded.predictProba(test)).toEqual(s);
    });

    it(`${name}: deterministic per seed, different across seeds`, async () => {
      const fit = async (seed: number) => (await createModel(name, { nEstimators: 3 }).fit(train, createRng(seed), { positive: pos })).predictProba(test);
      const a = await fit(1);
      expect(await fit(1)).toEqual(a);
      expect(await fit(2)).not.toEqual(a);
    });
  }

  it('random-forest: trees are fully grown (pure leaves on their bootstrap), sqrt(d) features per node', async () => {
    const m = (await createRandomForest({ nEstimators: 5 }).fit(train, createRng(1), { positive: pos })) as FittedForest;
    expect(m.trees).toHaveLength(5);
    for (const t of m.trees) {
      for (let i = 0; i < t.feature.length; i++) if (t.feature[i] < 0) expect(t.value[i] === 0 || t.value[i] === 1).toBe(true);
    }
    expect(featuresPerNode(undefined, 6)).toBe(2);
    expect(featuresPerNode('sqrt', 64)).toBe(8);
    expect(featuresPerNode('all', 6)).toBe(6);
    expect(featuresPerNode(10, 6)).toBe(6);
    // A single full-data tree (no bootstrap is not offered, but maxDepth 1 gives a stump).
    const stump = (await createRandomForest({ nEstimators: 1, maxDepth: 1, maxFeatures: 'all' }).fit(train, createRng(1), { positive: pos })) as FittedForest;
    expect(stump.trees[0].feature.length).toBe(3);
  });

  it('balancedSubset keeps every row of the smaller class and as many distinct rows of the larger one', () => {
    const pos = Int32Array.from([1, 5, 9]);
    const neg = Int32Array.from([0, 2, 3, 4, 6, 7, 8, 10]);
    const s = balancedSubset(pos, neg, createRng(4));
    expect(s).toHaveLength(6);
    expect(new Set(s).size).toBe(6);
    for (const p of pos) expect(Array.from(s)).toContain(p);
    expect(Array.from(s)).toEqual(Array.from(s).sort((a, b) => a - b));
  });

  it("balanced-random-forest trees see as many positive as negative rows (leaf shares near 0.5 at the root's children)", async () => {
    const m = (await createBalancedRandomForest({ nEstimators: 20, maxDepth: 1, maxFeatures: 'all' }).fit(train, createRng(1), { positive: pos })) as FittedForest;
    const rf = (await createRandomForest({ nEstimators: 20, maxDepth: 1, maxFeatures: 'all' }).fit(train, createRng(1), { positive: pos })) as FittedForest;
    const mean = async (f: FittedForest) => (await f.predictProba(train)).reduce((a, b) => a + b, 0) / train.nRows;
    expect(await mean(m)).toBeGreaterThan(0.3);
    expect(await mean(rf)).toBeLessThan(0.2);
  });

  it('easy-ensemble: 10 AdaBoosts of at most 50 stumps by default', async () => {
    const m = (await createEasyEnsemble().fit(train, createRng(1), { positive: pos })) as FittedStumpEnsemble;
    expect(m.boosts).toHaveLength(10);
    for (const b of m.boosts) {
      expect(b.length).toBeLessThanOrEqual(50);
      for (const s of b) expect(s.feature.length).toBeLessThanOrEqual(3);
    }
  });

  it('accept NaN features (a learned side per split) and reject bad options', async () => {
    const withNaN = { ...train, features: train.features.map((c, j) => (j === 2 ? Float64Array.from(c, (v, i) => (i % 7 ? v : NaN)) : c)) };
    const m = await createRandomForest({ nEstimators: 3 }).fit(withNaN, createRng(1), { positive: pos });
    expect((await m.predictProba(withNaN)).every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(() => createRandomForest({ nEstimators: 0 })).toThrow(UsageError);
    expect(() => createBalancedRandomForest({ maxFeatures: 0 })).toThrow(/maxFeatures/);
    expect(() => createEasyEnsemble({ learningRate: 0 })).toThrow(/learningRate/);
  });

  it('a gini stump learns the side of missing values and honours minSamplesLeaf', async () => {
    const a: number[] = [];
    const labels: string[] = [];
    for (let i = 0; i < 200; i++) {
      const p = i % 5 === 0;
      labels.push(p ? 'pos' : 'neg');
      a.push(p ? NaN : i);
    }
    const d = makeDataset({ features: { a }, labels });
    const positive = d.classNames.indexOf('pos');
    const m = (await createRandomForest({ nEstimators: 1, maxDepth: 1, maxFeatures: 'all' }).fit(d, createRng(1), { positive })) as FittedForest;
    const s = await m.predictProba(makeDataset({ features: { a: [NaN, 3] }, labels: ['pos', 'neg'] }));
    expect(s[0]).toBe(1);
    expect(s[1]).toBe(0);
    // Leaves of at least 150 rows: no split of 200 rows can give both sides 150, so one leaf.
    const big = (await createRandomForest({ nEstimators: 1, minSamplesLeaf: 150 }).fit(d, createRng(1), { positive })) as FittedForest;
    expect(big.trees[0].feature.length).toBe(1);
  });

  it('refuses tampered model files', async () => {
    const m = await createRandomForest({ nEstimators: 2 }).fit(train, createRng(1), { positive: pos });
    const json = JSON.parse(JSON.stringify(m.toJSON())) as { trees: { value: number[]; feature: number[] }[] };
    const leaf = json.trees[0].feature.indexOf(-1);
    json.trees[0].value[leaf] = 2;
    expect(() => loadModel(json)).toThrow(/leaf values in \[0, 1\]/);
    const e = await createEasyEnsemble({ nEstimators: 1, maxIter: 2 }).fit(train, createRng(1), { positive: pos });
    const ej = JSON.parse(JSON.stringify(e.toJSON())) as { boosts: unknown[] };
    ej.boosts = [];
    expect(() => loadModel(ej)).toThrow(/at least one boost/);
  });
});
