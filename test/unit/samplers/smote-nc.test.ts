import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { DataError } from '../../../src/core/errors.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { majorityCategory, median, medianStd, smoteNcDefinition } from '../../../src/samplers/smote-nc.js';
import { rowsOfClass } from '../../../src/samplers/shared/rows.js';
import type { Dataset } from '../../../src/types.js';
import { ctxWith, expectWellFormed, planFor } from './smote-helpers.js';

/**
 * Minority 'm': two groups far apart in x (near 0 with colour 0, near 100 with colour 1), six rows
 * each; majority 'M': 30 rows in between with colour 2.
 */
function mixed(): Dataset {
  const x: number[] = [];
  const y: number[] = [];
  const colour: number[] = [];
  const labels: string[] = [];
  for (let i = 0; i < 6; i++) {
    x.push(i * 0.5, 100 + i * 0.5);
    y.push(i % 3, (i * 2) % 5);
    colour.push(0, 1);
    labels.push('m', 'm');
  }
  for (let i = 0; i < 30; i++) {
    x.push(40 + i);
    y.push(i % 7);
    colour.push(2);
    labels.push('M');
  }
  return makeDataset({
    features: { x, y, colour },
    labels,
    featureKinds: { x: 'float', y: 'int', colour: 'categorical' },
    categories: { colour: ['red', 'green', 'blue'] },
  });
}

describe('median / medianStd', () => {
  it('median as numpy: mean of the middle two for even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('medianStd is the median of population stds (times the scale multipliers)', () => {
    const d = makeDataset({ features: { a: [0, 2, 0, 2], b: [0, 0, 4, 4], c: [1, 1, 1, 1] }, labels: [0, 0, 0, 0] });
    // stds: a 1, b 2, c 0 -> median 1
    expect(medianStd(d, [0, 1, 2, 3], [0, 1, 2])).toBe(1);
    expect(medianStd(d, [0, 1, 2, 3], [0, 1], [3, 1])).toBe(2.5);
  });
});

describe('majorityCategory', () => {
  it('returns the clear majority without drawing, and leaves the scratch at zero', () => {
    const counts = new Int32Array(4);
    const rng = createRng(1);
    const before = createRng(1).nextUint32();
    expect(majorityCategory([2, 1, 2, 3, 2], counts, rng)).toBe(2);
    expect(Array.from(counts)).toEqual([0, 0, 0, 0]);
    expect(rng.nextUint32()).toBe(before); // no draw consumed
  });

  it('breaks ties by a seeded uniform draw among the tied codes only', () => {
    const counts = new Int32Array(5);
    const seen = new Map<number, number>();
    for (let s = 0; s < 200; s++) {
      const v = majorityCategory([4, 1, 4, 1, 0], counts, createRng(s));
      seen.set(v, (seen.get(v) ?? 0) + 1);
      expect(majorityCategory([1, 4, 0, 4, 1], counts, createRng(s))).toBe(v); // order does not matter
    }
    expect([...seen.keys()].sort()).toEqual([1, 4]);
    expect(seen.get(1)!).toBeGreaterThan(60);
    expect(seen.get(4)!).toBeGreaterThan(60);
    expect(Array.from(counts)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('smote-nc sampler', () => {
  const data = mixed();
  const m = data.classNames.indexOf('m');

  it('counts equal the plan; numeric values interpolate; categories come from the neighbours', async () => {
    const r = await smoteNcDefinition.create({ kNeighbors: 3 }).fitResample(data, planFor(data, { m: 30 }), createRng(1), ctxWith());
    expectWellFormed(data, r);
    const syn = r.synthetic!;
    expect(syn.nRows).toBe(18);
    for (let t = 0; t < syn.nRows; t++) {
      const s = syn.sourceRow[t];
      const nb = syn.neighborRow[t];
      expect(data.labels[nb]).toBe(m);
      // neighbours stay within the source's group, so the colour is the group's colour
      expect(syn.features[2][t]).toBe(data.features[2][s]);
      expect(data.features[2][nb]).toBe(data.features[2][s]);
      const [a, b] = [data.features[0][s], data.features[0][nb]];
      expect(syn.features[0][t]).toBeGreaterThanOrEqual(Math.min(a, b));
      expect(syn.features[0][t]).toBeLessThanOrEqual(Math.max(a, b));
      expect(Number.isInteger(syn.features[2][t])).toBe(true);
    }
  });

  it('majority among all k neighbours, not the chosen one only', async () => {
    // Minority rows on a line; colours 0 0 0 1 0 0 0: among any row's 4 neighbours at most one has colour 1.
    const d = makeDataset({
      features: { x: [0, 1, 2, 3, 4, 5, 6, 50, 51, 52, 53, 54, 55, 56, 57], c: [0, 0, 0, 1, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2] },
      labels: ['m', 'm', 'm', 'm', 'm', 'm', 'm', 'M', 'M', 'M', 'M', 'M', 'M', 'M', 'M'],
      featureKinds: { x: 'float', c: 'categorical' },
    });
    const r = await smoteNcDefinition.create({ kNeighbors: 4 }).fitResample(d, planFor(d, { m: 8 + 40 }), createRng(3), ctxWith());
    expectWellFormed(d, r);
    const syn = r.synthetic!;
    for (let t = 0; t < syn.nRows; t++) expect(syn.features[1][t]).toBe(0);
  });

  it('same seed same output', async () => {
    const s = smoteNcDefinition.create({ kNeighbors: 3 });
    const a = await s.fitResample(data, planFor(data, { m: 30 }), createRng(5), ctxWith());
    const b = await s.fitResample(data, planFor(data, { m: 30 }), createRng(5), ctxWith());
    expect(a.synthetic!.features.map((f) => Array.from(f))).toEqual(b.synthetic!.features.map((f) => Array.from(f)));
  });

  it('uses the minority class median std (checked through medianStd)', () => {
    expect(medianStd(data, rowsOfClass(data.labels, m), [0, 1])).toBeGreaterThan(0);
  });

  it('errors: no categorical feature suggests smote; no numeric feature suggests smoten', async () => {
    const num = makeDataset({ features: { x: [0, 1, 2, 3, 4, 5, 6, 7] }, labels: ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b'] });
    const e1 = await smoteNcDefinition.create({}).fitResample(num, planFor(num, { b: 5 }), createRng(1), ctxWith()).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(DataError);
    expect((e1 as DataError).code).toBe('REBALANCE_NO_CATEGORICAL');
    expect((e1 as DataError).message).toMatch(/-m smote\b/);
    const cat = makeDataset({ features: { c: [0, 1, 2, 0, 1, 2, 0, 1] }, labels: ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b'], featureKinds: { c: 'categorical' } });
    const e2 = await smoteNcDefinition.create({}).fitResample(cat, planFor(cat, { b: 5 }), createRng(1), ctxWith()).catch((e: unknown) => e);
    expect((e2 as DataError).code).toBe('REBALANCE_NO_NUMERIC');
    expect((e2 as DataError).message).toMatch(/smoten/);
  });

  it('class too small: REBALANCE_CLASS_TOO_SMALL, --k-auto clamps', async () => {
    await expect(smoteNcDefinition.create({}).fitResample(data, planFor(data, { m: 30 }), createRng(1), ctxWith())).resolves.toBeDefined();
    await expect(smoteNcDefinition.create({ kNeighbors: 12 }).fitResample(data, planFor(data, { m: 30 }), createRng(1), ctxWith())).rejects.toMatchObject({
      code: 'REBALANCE_CLASS_TOO_SMALL',
    });
    const logs: string[] = [];
    const r = await smoteNcDefinition.create({ kNeighbors: 12, kAuto: true }).fitResample(data, planFor(data, { m: 30 }), createRng(1), ctxWith(logs));
    expectWellFormed(data, r);
    expect(logs.join(' ')).toMatch(/k=11/);
  });
});
