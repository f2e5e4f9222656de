import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from '../../../src/core/rng.js';
import { DataError } from '../../../src/core/errors.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { adasynCounts, adasynDefinition, numpySum, rint } from '../../../src/samplers/adasyn.js';
import { ctxWith, expectOnSegment, expectWellFormed, planFor, referenceNeighbors, twoBlobs } from './smote-helpers.js';

describe('numpy helpers', () => {
  it('rint rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001, 3].map(rint)).toEqual([0, 2, 2, 0, -2, 2, 3, 3]);
  });

  it('numpySum equals exact sums on exactly representable values, any length', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 400 }), (xs) => {
        expect(numpySum(Float64Array.from(xs))).toBe(xs.reduce((a, b) => a + b, 0));
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it('numpySum uses pairwise blocks: 0.1 x 10 differs from the naive left fold', () => {
    const a = new Float64Array(10).fill(0.1);
    // numpy: np.sum([0.1]*10) == 1.0 while a left fold gives 0.9999999999999999.
    expect(numpySum(a)).toBe(1);
    expect(Array.from(a).reduce((s, v) => s + v, 0)).toBe(0.9999999999999999);
  });
});

describe('adasynCounts', () => {
  it('g_i = rint(ratio_i * n)', () => {
    expect(Array.from(adasynCounts(Int32Array.from([1, 2, 0, 2]), 5, 10)!)).toEqual([2, 4, 0, 4]);
    // ties round to even: 1.5 -> 2 for both, 4 rows instead of 3
    expect(Array.from(adasynCounts(Int32Array.from([1, 1]), 1, 3)!)).toEqual([2, 2]);
    expect(Array.from(adasynCounts(Int32Array.from([1, 1]), 1, 5)!)).toEqual([2, 2]);
  });

  it('null when no row has an other-class neighbour', () => {
    expect(adasynCounts(Int32Array.from([0, 0, 0]), 5, 10)).toBeNull();
  });
});

describe('adasyn sampler', () => {
  const data = twoBlobs(70, 20, 2, 8, 1.0);
  const min = data.classNames.indexOf('min');

  it('adds sum(g_i) rows, g_i from each source, neighbours in its k nearest same-class rows, on segments', async () => {
    const plan = planFor(data, { min: 70 });
    const r = await adasynDefinition.create({}).fitResample(data, plan, createRng(1), ctxWith());
    expectWellFormed(data, r);
    const syn = r.synthetic!;
    // The returned plan states the real count; imblearn's rounding keeps it near the request.
    expect(Math.abs(syn.nRows - 50)).toBeLessThanOrEqual(10);
    expect(r.plan.targets.get(min)!.to).toBe(20 + syn.nRows);
    for (let t = 0; t < syn.nRows; t++) {
      expect(referenceNeighbors(data, syn.sourceRow[t], 5)).toContain(syn.neighborRow[t]);
      expectOnSegment(data, r, t);
    }
    // Rows come grouped by source, ascending.
    for (let t = 1; t < syn.nRows; t++) expect(syn.sourceRow[t]).toBeGreaterThanOrEqual(syn.sourceRow[t - 1]);
  });

  it('same seed same output', async () => {
    const plan = planFor(data, { min: 60 });
    const a = await adasynDefinition.create({}).fitResample(data, plan, createRng(4), ctxWith());
    const b = await adasynDefinition.create({}).fitResample(data, plan, createRng(4), ctxWith());
    expect(Array.from(a.synthetic!.features[1])).toEqual(Array.from(b.synthetic!.features[1]));
  });

  it('no row with other-class neighbours: DataError suggesting smote', async () => {
    const far = twoBlobs(30, 10, 2, 2, 100);
    const err = await adasynDefinition.create({}).fitResample(far, planFor(far, { min: 30 }), createRng(1), ctxWith()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('REBALANCE_ADASYN_NO_BORDER');
    expect((err as DataError).message).toMatch(/smote/);
  });

  it('too few rows for k neighbours', async () => {
    const d = makeDataset({ features: { x: [0, 1, 2, 3, 3.5, 4, 5, 1.5] }, labels: ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b'] });
    await expect(adasynDefinition.create({}).fitResample(d, planFor(d, { b: 6 }), createRng(1), ctxWith())).rejects.toMatchObject({
      code: 'REBALANCE_CLASS_TOO_SMALL',
    });
  });
});
