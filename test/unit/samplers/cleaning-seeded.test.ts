/**
 * Seeded cleaning / prototype methods (CNN, OSS, IHT, cluster centroids) on literal data whose
 * outcome was worked out by hand for every possible seed row; the seed row itself is recomputed
 * through the same `rng.fork` the sampler documents.
 */
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { clusterCentroidsDefinition } from '../../../src/samplers/cluster-centroids.js';
import { condensedNnDefinition } from '../../../src/samplers/condensed-nn.js';
import {
  instanceHardnessThresholdDefinition,
  percentileLinear,
  stratifiedFolds,
} from '../../../src/samplers/instance-hardness-threshold.js';
import { FIRST_SAMPLERS, smoteEnnDefinition, smoteTomekDefinition } from '../../../src/samplers/combine.js';
import { oneSidedSelectionDefinition } from '../../../src/samplers/one-sided-selection.js';
import { smoteDefinition } from '../../../src/samplers/smote.js';
import type { Dataset, SamplingPlan } from '../../../src/types.js';

const ctx = { knn: createNaiveBackend(), log: () => {} };

function plan(data: Dataset, cls: string, kind: 'clean' | 'under', to?: number): SamplingPlan {
  const c = data.classNames.indexOf(cls);
  const from = data.labels.filter((l) => l === c).length;
  return { kind, targets: new Map([[c, { from, to: to ?? from }]]) };
}

// r0 0, r1 1, r2 2, r3 9, r4 9.2 (maj) | r5 10, r6 11 (min)
const L = makeDataset({ features: { x: [0, 1, 2, 9, 9.2, 10, 11] }, labels: ['maj', 'maj', 'maj', 'maj', 'maj', 'min', 'min'] });
const MAJ = [0, 1, 2, 3, 4];

describe('condensed-nn', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`keeps the seed plus the rows the growing store misclassifies (seed ${seed})`, async () => {
      const rng = createRng(seed);
      const s = MAJ[rng.fork('condensed-nn/maj').nextInt(5)];
      const res = await condensedNnDefinition.create({}).fitResample(L, plan(L, 'maj', 'clean'), rng, ctx);
      // s in 0..2: r3 (9) is nearest to r5 (min): added; r4 is then nearest r3 (0.2): not added.
      // s = 3 or 4: every other maj row's nearest store row is s: nothing added.
      const expected = s < 3 ? [s, 3, 5, 6] : [s, 5, 6];
      expect([...res.indices]).toEqual(expected);
    });
  }
  it('is deterministic for a seed and fails clearly when the store is smaller than k', async () => {
    const a = await condensedNnDefinition.create({}).fitResample(L, plan(L, 'maj', 'clean'), createRng(9), ctx);
    const b = await condensedNnDefinition.create({}).fitResample(L, plan(L, 'maj', 'clean'), createRng(9), ctx);
    expect([...a.indices]).toEqual([...b.indices]);
    const err = await condensedNnDefinition
      .create({ nNeighbors: 4 })
      .fitResample(L, plan(L, 'maj', 'clean'), createRng(9), ctx)
      .catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe('REBALANCE_CLASS_TOO_SMALL');
  });
});

describe('one-sided-selection', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`keeps the seed and 1-NN misclassified rows, then drops Tomek links (seed ${seed})`, async () => {
      const rng = createRng(seed);
      const s = MAJ[rng.fork('one-sided-selection/maj').nextInt(5)];
      const res = await oneSidedSelectionDefinition.create({}).fitResample(L, plan(L, 'maj', 'clean'), rng, ctx);
      // s in 0..2: store {s, r5, r6}; r3 and r4 are nearest r5: kept; no Tomek link among
      // {s, 3, 4, 5, 6} (r3 <-> r4 share a class, r5's nearest r4 has nearest r3).
      // s = 3 (or 4): nothing else kept; then s and r5 are mutual nearest (r5: r3 at 1 ties r6,
      // lower row wins; r4 at 0.8): a link, s is removed.
      const expected = s < 3 ? [s, 3, 4, 5, 6] : [5, 6];
      expect([...res.indices]).toEqual(expected);
    });
  }
});

describe('instance-hardness-threshold', () => {
  it('percentileLinear matches numpy.percentile (linear)', () => {
    expect(percentileLinear(Float64Array.from([4, 1, 3, 2]), 50)).toBeCloseTo(2.5, 12);
    expect(percentileLinear(Float64Array.from([1, 2, 3, 4, 5]), 0)).toBe(1);
    expect(percentileLinear(Float64Array.from([1, 2, 3, 4, 5]), 100)).toBe(5);
    expect(percentileLinear(Float64Array.from([10, 20]), 25)).toBeCloseTo(12.5, 12);
  });
  it('stratified folds spread every class evenly', () => {
    const labels = Int32Array.from({ length: 53 }, (_, i) => (i < 41 ? 0 : 1));
    const fold = stratifiedFolds(labels, 2, 5, createRng(3));
    for (const c of [0, 1]) {
      const per = [0, 0, 0, 0, 0];
      labels.forEach((l, i) => {
        if (l === c) per[fold[i]]++;
      });
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
  });
  // 40 maj rows on [0, 3.9], 2 maj rows at 10 inside the 10 min rows on [9, 11]: the two are the
  // hardest maj rows for any sensible out-of-fold classifier.
  const xs = [...Array.from({ length: 40 }, (_, i) => i / 10), 10, 10, ...Array.from({ length: 10 }, (_, i) => 9 + i * 0.2)];
  const labels = [...Array(42).fill('maj'), ...Array(10).fill('min')];
  const H = makeDataset({ features: { x: xs, y: xs.map((v, i) => (i % 3) * 0.01 + v * 0.5) }, labels });
  it('removes the hardest rows of the target class and keeps the rest', async () => {
    const res = await instanceHardnessThresholdDefinition.create({}).fitResample(H, plan(H, 'maj', 'under', 40), createRng(5), ctx);
    const kept = new Set(res.indices);
    expect(kept.has(40)).toBe(false);
    expect(kept.has(41)).toBe(false);
    expect(res.indices.length).toBe(50);
    const again = await instanceHardnessThresholdDefinition.create({}).fitResample(H, plan(H, 'maj', 'under', 40), createRng(5), ctx);
    expect([...again.indices]).toEqual([...res.indices]);
  });
  it('needs two classes', async () => {
    const one = makeDataset({ features: { x: [1, 2, 3] }, labels: ['a', 'a', 'a'] });
    await expect(
      instanceHardnessThresholdDefinition.create({}).fitResample(one, plan(one, 'a', 'under', 1), createRng(1), ctx),
    ).rejects.toMatchObject({ code: 'REBALANCE_ONE_CLASS' });
  });
});

describe('cluster-centroids', () => {
  // maj: two tight groups {(0,0), (0,1), (1,0)} and {(10,10), (10,11), (11,10)}; min: (5,5), (6,5).
  const C = makeDataset({
    features: { a: [0, 0, 1, 10, 10, 11, 5, 6], b: [0, 1, 0, 10, 11, 10, 5, 5] },
    labels: ['maj', 'maj', 'maj', 'maj', 'maj', 'maj', 'min', 'min'],
  });
  it('soft voting returns the k-means centroids as synthetic rows', async () => {
    const res = await clusterCentroidsDefinition.create({}).fitResample(C, plan(C, 'maj', 'under', 2), createRng(2), ctx);
    expect([...res.indices]).toEqual([6, 7]);
    const s = res.synthetic!;
    expect(s.nRows).toBe(2);
    const pts = [0, 1].map((i) => [s.features[0][i], s.features[1][i]]).sort((p, q) => p[0] - q[0]);
    expect(pts[0][0]).toBeCloseTo(1 / 3, 12);
    expect(pts[0][1]).toBeCloseTo(1 / 3, 12);
    expect(pts[1][0]).toBeCloseTo(31 / 3, 12);
    expect(pts[1][1]).toBeCloseTo(31 / 3, 12);
    expect([...s.labels]).toEqual([0, 0]);
    expect([...s.sourceRow]).toEqual([-1, -1]);
    expect([...s.neighborRow]).toEqual([-1, -1]);
  });
  it('hard voting keeps the nearest real row of each centroid', async () => {
    // (1/3, 1/3) is nearest (0,0) = r0; (31/3, 31/3) is nearest (10,10) = r3.
    const res = await clusterCentroidsDefinition.create({ voting: 'hard' }).fitResample(C, plan(C, 'maj', 'under', 2), createRng(2), ctx);
    expect([...res.indices]).toEqual([0, 3, 6, 7]);
    expect(res.synthetic).toBeNull();
    expect(res.duplicates).toBeUndefined();
  });
  it('hard voting repeats a row nearest to several centroids in duplicates, keeping the count exact', async () => {
    // Rows 0-2 are copies at 0 (ties go to row 0), row 3 is at 10: every centroid's nearest row
    // is row 0 or row 3, so three centroids must share one (pigeonhole).
    const D = makeDataset({ features: { x: [0, 0, 0, 10, 50, 51] }, labels: ['a', 'a', 'a', 'a', 'b', 'b'] });
    const p: SamplingPlan = { kind: 'under', targets: new Map([[0, { from: 4, to: 3 }]]) };
    for (const seed of [1, 2, 3]) {
      const res = await clusterCentroidsDefinition.create({ voting: 'hard' }).fitResample(D, p, createRng(seed), ctx);
      const dups = [...(res.duplicates ?? [])];
      expect(dups.length).toBeGreaterThan(0);
      for (const r of dups) expect([0, 3]).toContain(r);
      expect([...res.indices].filter((r) => r < 4).length + dups.length).toBe(3);
      expect([...res.indices].slice(-2)).toEqual([4, 5]);
    }
  });
  it('rejects an unknown voting', () => {
    expect(() => clusterCentroidsDefinition.create({ voting: 'x' as never })).toThrow(UsageError);
  });
});

describe('smote-tomek / smote-enn', () => {
  it('rejects an unknown first over-sampler up front', () => {
    expect(() => smoteTomekDefinition.create({ first: 'nope' })).toThrow(UsageError);
    expect(() => smoteEnnDefinition.create({ first: 'nope' })).toThrow(UsageError);
  });
  it('every named first over-sampler is an over-sampler of that name', () => {
    for (const [name, def] of Object.entries(FIRST_SAMPLERS)) {
      expect(def.name).toBe(name);
      expect(def.kind).toBe('over');
    }
  });
  it('only removes rows from the over-sampler output', async () => {
    // maj 0..9, min 20, 21, 22, 30: SMOTE (k=2), then Tomek links on everything.
    const D = makeDataset({
      features: { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 30] },
      labels: [...Array(10).fill('maj'), 'min', 'min', 'min', 'min'],
    });
    const p: SamplingPlan = { kind: 'over', targets: new Map([[1, { from: 4, to: 10 }]]) };
    const opts = { first: 'smote', kNeighbors: 2 };
    const res = await smoteTomekDefinition.create(opts).fitResample(D, p, createRng(4), ctx);
    const plain = await smoteDefinition.create(opts).fitResample(D, p, createRng(4), ctx);
    expect(res.indices.length + (res.synthetic?.nRows ?? 0)).toBeLessThanOrEqual(20);
    // Every kept synthetic row is one of the plain run's rows (same seed, same draws).
    const plainRows = new Set(Array.from(plain.synthetic!.features[0]));
    for (const v of res.synthetic?.features[0] ?? []) expect(plainRows.has(v)).toBe(true);
    // The maj rows 0..8 are far from every minority row: never in a link.
    for (let r = 0; r < 9; r++) expect([...res.indices]).toContain(r);
  });
});
