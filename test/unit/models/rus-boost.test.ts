import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { averagePrecision } from '../../../src/metrics/index.js';
import { FittedStumpEnsemble } from '../../../src/models/easy-ensemble.js';
import { loadModel } from '../../../src/models/io.js';
import { binnedBinaryTrain } from '../../../src/models/random-forest.js';
import { createModel } from '../../../src/models/registry.js';
import { createRusBoost, rusBoostStumps } from '../../../src/models/rus-boost.js';
import { GiniWorkspace } from '../../../src/models/tree/gini-grower.js';
import type { Dataset } from '../../../src/types.js';

/** ~5% positives shifted on two of four features. */
function shifted(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const cols: number[][] = Array.from({ length: 4 }, () => []);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.nextFloat() < 0.05 ? 1 : 0;
    cols.forEach((c, j) => c.push(rng.nextNormal() + (j < 2 ? 1.5 * y : 0)));
    labels.push(y ? 'pos' : 'neg');
  }
  return makeDataset({ features: Object.fromEntries(cols.map((c, j) => [`f${j}`, c])), labels });
}

describe('rus-boost', () => {
  const train = shifted(1200, 1);
  const test = shifted(1200, 2);
  const pos = train.classNames.indexOf('pos');
  const y = Uint8Array.from(test.labels, (l) => (l === pos ? 1 : 0));

  it('learns the rare class, one boost of at most 50 stumps, saves and loads back scoring identically', async () => {
    const m = await createModel('rus-boost').fit(train, createRng(3), { positive: pos });
    expect(m).toBeInstanceOf(FittedStumpEnsemble);
    const boosts = (m as FittedStumpEnsemble).boosts;
    expect(boosts).toHaveLength(1);
    expect(boosts[0].length).toBeGreaterThan(1);
    expect(boosts[0].length).toBeLessThanOrEqual(50);
    const s = await m.predictProba(test);
    expect(averagePrecision(y, s)).toBeGreaterThan(0.3);
    const loaded = loadModel(JSON.stringify(m.toJSON()));
    expect(loaded.name).toBe('rus-boost');
    expect(await loaded.predictProba(test)).toEqual(s);
  });

  it('deterministic per seed, different across seeds; nEstimators caps the rounds', async () => {
    const fit = async (seed: number) => (await createRusBoost({ nEstimators: 7 }).fit(train, createRng(seed), { positive: pos })).predictProba(test);
    const a = await fit(1);
    expect(await fit(1)).toEqual(a);
    expect(await fit(2)).not.toEqual(a);
    const m = (await createRusBoost({ nEstimators: 7 }).fit(train, createRng(1), { positive: pos })) as FittedStumpEnsemble;
    expect(m.boosts[0].length).toBeLessThanOrEqual(7);
  });

  it('each stump is fitted on a balanced under-sample but weighs every row', () => {
    const { y: yt, bins, binned } = binnedBinaryTrain('rus-boost', train, pos, createRng(1));
    const seen: Int32Array[] = [];
    const rowsPos = Int32Array.from(Array.from(yt.keys()).filter((i) => yt[i] === 1));
    const sub = Int32Array.from([...rowsPos, ...Array.from(yt.keys()).filter((i) => yt[i] === 0).slice(0, rowsPos.length)]).sort();
    const weights: Float64Array[] = [];
    rusBoostStumps(binned, new GiniWorkspace(train.nRows, bins.length), yt, 3, 1, (r) => {
      seen.push(sub);
      return sub;
    }, createRng(2), train.features, (_, w) => weights.push(Float64Array.from(w)));
    expect(seen).toHaveLength(3);
    // Rows outside the under-sample were re-weighted too (not left at 1/n).
    const outside = Array.from(yt.keys()).filter((i) => !sub.includes(i));
    expect(outside.some((i) => Math.abs(weights[0][i] - 1 / train.nRows) > 1e-12)).toBe(true);
    expect(weights[0].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('rejects bad options with a usage error', () => {
    expect(() => createRusBoost({ nEstimators: 0 })).toThrow(UsageError);
    expect(() => createRusBoost({ learningRate: -1 })).toThrow(/learningRate/);
  });
});
