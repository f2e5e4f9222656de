import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from '../../../src/core/rng.js';
import { DataError } from '../../../src/core/errors.js';
import { smoteDefinition } from '../../../src/samplers/smote.js';
import { drawSmote, interpolate, resolveDraws } from '../../../src/samplers/shared/smote-draws.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { ctxWith, expectOnSegment, expectWellFormed, planFor, referenceNeighbors, twoBlobs } from './smote-helpers.js';

describe('interpolate', () => {
  it('computes x_i + u * (x_nn - x_i) per feature in float64', () => {
    const cols = [Float64Array.from([0, 10, 0.1]), Float64Array.from([1, -1, 0.2])];
    const out = interpolate(cols, [0, 2], [1, 0], [0.25, 0.5]);
    expect(out[0][0]).toBe(0 + 0.25 * (10 - 0));
    expect(out[1][0]).toBe(1 + 0.25 * (-1 - 1));
    expect(out[0][1]).toBe(0.1 + 0.5 * (0 - 0.1));
    expect(out[1][1]).toBe(0.2 + 0.5 * (1 - 0.2));
  });

  it('writes at an offset into given arrays', () => {
    const cols = [Float64Array.from([2, 4])];
    const out = [new Float64Array(3)];
    interpolate(cols, [0], [1], [0.5], out, 2);
    expect(Array.from(out[0])).toEqual([0, 0, 3]);
  });
});

describe('drawSmote / resolveDraws', () => {
  it('draws rows < nBase, cols < k, steps in [0, stepSize)', () => {
    const d = drawSmote(7, 3, 500, createRng(1), 0.5);
    for (let t = 0; t < 500; t++) {
      expect(d.rows[t]).toBeGreaterThanOrEqual(0);
      expect(d.rows[t]).toBeLessThan(7);
      expect(d.cols[t]).toBeLessThan(3);
      expect(d.steps[t]).toBeGreaterThanOrEqual(0);
      expect(d.steps[t]).toBeLessThan(0.5);
    }
    // Every (row, col) pair is reachable.
    expect(new Set(Array.from(d.rows, (r, t) => r * 3 + d.cols[t])).size).toBe(21);
  });

  it('maps draws through base rows and the neighbour table', () => {
    const d = { rows: Int32Array.from([1, 0]), cols: Int32Array.from([1, 0]), steps: Float64Array.from([0.1, 0.2]) };
    const r = resolveDraws(d, [10, 20], [11, 12, 21, 22], 2);
    expect(Array.from(r.source)).toEqual([20, 10]);
    expect(Array.from(r.neighbor)).toEqual([22, 11]);
  });
});

describe('smote sampler', () => {
  const data = twoBlobs(60, 12, 3, 5);
  const sampler = smoteDefinition.create({});

  it('grows the minority to the plan, keeps every row, no NaN', async () => {
    const plan = planFor(data, { min: 60 });
    const r = await sampler.fitResample(data, plan, createRng(1), ctxWith());
    expectWellFormed(data, r);
    expect(r.synthetic!.nRows).toBe(48);
    const min = data.classNames.indexOf('min');
    expect(r.synthetic!.labels.every((l) => l === min)).toBe(true);
  });

  it('same seed same output, other seed other output', async () => {
    const plan = planFor(data, { min: 40 });
    const a = await sampler.fitResample(data, plan, createRng(3), ctxWith());
    const b = await sampler.fitResample(data, plan, createRng(3), ctxWith());
    const c = await sampler.fitResample(data, plan, createRng(4), ctxWith());
    expect(a.synthetic!.features.map((f) => Array.from(f))).toEqual(b.synthetic!.features.map((f) => Array.from(f)));
    expect(Array.from(a.synthetic!.sourceRow)).toEqual(Array.from(b.synthetic!.sourceRow));
    expect(Array.from(a.synthetic!.features[0])).not.toEqual(Array.from(c.synthetic!.features[0]));
  });

  it('works on a Dataset holding only the target classes (scope targets)', async () => {
    const minRows = Array.from(data.labels).flatMap((l, i) => (data.classNames[l] === 'min' ? [i] : []));
    const { takeRows } = await import('../../../src/dataset/make.js');
    const sub = takeRows(data, minRows);
    const plan = planFor(data, { min: 60 });
    const r = await sampler.fitResample(sub, plan, createRng(1), ctxWith());
    expect(r.indices.length).toBe(sub.nRows);
    expect(r.synthetic!.nRows).toBe(48);
    expect(Math.max(...r.synthetic!.sourceRow)).toBeLessThan(sub.nRows);
  });

  it('grows several classes, grouped by class code ascending', async () => {
    const d = makeDataset({
      features: { x: Array.from({ length: 30 }, (_, i) => (i * 7) % 13), y: Array.from({ length: 30 }, (_, i) => i % 5) },
      labels: Array.from({ length: 30 }, (_, i) => (i < 18 ? 'a' : i < 24 ? 'b' : 'c')),
    });
    const r = await smoteDefinition.create({ kNeighbors: 3 }).fitResample(d, planFor(d, { b: 18, c: 18 }), createRng(2), ctxWith());
    expectWellFormed(d, r);
    expect(Array.from(r.synthetic!.labels)).toEqual([...Array(12).fill(1), ...Array(12).fill(2)]);
  });

  it('a class with <= k rows is REBALANCE_CLASS_TOO_SMALL naming -k and --k-auto', async () => {
    const small = twoBlobs(20, 4, 2, 1);
    const plan = planFor(small, { min: 20 });
    const err = await sampler.fitResample(small, plan, createRng(1), ctxWith()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('REBALANCE_CLASS_TOO_SMALL');
    expect((err as DataError).message).toMatch(/-k 3/);
    expect((err as DataError).message).toMatch(/--k-auto/);
    expect((err as DataError).message).not.toMatch(/\n/);
  });

  it('--k-auto clamps k to class size - 1 and logs it', async () => {
    const small = twoBlobs(20, 4, 2, 1);
    const logs: string[] = [];
    const r = await smoteDefinition.create({ kAuto: true }).fitResample(small, planFor(small, { min: 20 }), createRng(1), ctxWith(logs));
    expectWellFormed(small, r);
    expect(logs.join('\n')).toMatch(/k=3/);
    for (let t = 0; t < r.synthetic!.nRows; t++) {
      expect(referenceNeighbors(small, r.synthetic!.sourceRow[t], 3)).toContain(r.synthetic!.neighborRow[t]);
    }
  });

  it('a class of one row fails even with --k-auto', async () => {
    const d = makeDataset({ features: { x: [0, 1, 2, 3, 9] }, labels: ['a', 'a', 'a', 'a', 'b'] });
    await expect(smoteDefinition.create({ kAuto: true }).fitResample(d, planFor(d, { b: 4 }), createRng(1), ctxWith())).rejects.toThrow(
      /found 1/,
    );
  });

  it('duplicates are real neighbours (self excluded by id, not by position)', async () => {
    const d = makeDataset({ features: { x: [5, 5, 5, 0, 1, 2, 3, 4, 6, 7] }, labels: ['m', 'm', 'm', 'M', 'M', 'M', 'M', 'M', 'M', 'M'] });
    const r = await smoteDefinition.create({ kNeighbors: 2 }).fitResample(d, planFor(d, { m: 7 }), createRng(1), ctxWith());
    const syn = r.synthetic!;
    for (let t = 0; t < syn.nRows; t++) {
      expect(syn.neighborRow[t]).not.toBe(syn.sourceRow[t]);
      expect(syn.features[0][t]).toBe(5);
    }
  });

  it('property: each synthetic row lies on the segment to one of the k nearest same-class rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 7, max: 20 }),
        fc.integer({ min: 1, max: 4 }),
        async (seed, k, nMin, dim) => {
          const d = twoBlobs(40, nMin, dim, seed);
          const min = d.classNames.indexOf('min');
          const from = Array.from(d.labels).filter((l) => l === min).length;
          const r = await smoteDefinition.create({ kNeighbors: k }).fitResample(d, planFor(d, { min: from + 25 }), createRng(seed), ctxWith());
          expectWellFormed(d, r);
          const syn = r.synthetic!;
          for (let t = 0; t < syn.nRows; t++) {
            expect(d.labels[syn.sourceRow[t]]).toBe(min);
            expect(referenceNeighbors(d, syn.sourceRow[t], k)).toContain(syn.neighborRow[t]);
            expectOnSegment(d, r, t);
          }
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });

  it('definition metadata', () => {
    expect(smoteDefinition).toMatchObject({ name: 'smote', kind: 'over', scope: 'targets' });
  });
});
