import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { UsageError } from '../../../src/core/errors.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { naiveKnn } from '../../../src/neighbors/naive.js';
import { packForKnn } from '../../../src/dataset/pack.js';
import { borderlineSmoteDefinition, dangerMask, isDanger, isNoise } from '../../../src/samplers/borderline-smote.js';
import type { Dataset } from '../../../src/types.js';
import { ctxWith, expectOnSegment, expectWellFormed, planFor, referenceNeighbors, twoBlobs } from './smote-helpers.js';

/** Danger flag of each row by the naive reference over all rows. */
function referenceDanger(d: Dataset, m: number): boolean[] {
  const p = packForKnn(d, 'none');
  const r = naiveKnn(p, d.features.length, p, m, true);
  return Array.from({ length: d.nRows }, (_, i) => {
    let other = 0;
    for (let j = 0; j < m; j++) if (d.labels[r.indices[i * m + j]] !== d.labels[i]) other++;
    return other >= m / 2 && other < m;
  });
}

/** k nearest rows of other classes of `row` by the naive reference. */
function referenceOther(d: Dataset, row: number, k: number): number[] {
  const rows = Array.from({ length: d.nRows }, (_, i) => i).filter((i) => d.labels[i] !== d.labels[row]);
  const p = packForKnn(d, 'none', rows);
  const q = packForKnn(d, 'none', [row]);
  const r = naiveKnn(p, d.features.length, q, k, false);
  return Array.from(r.indices, (i) => rows[i]);
}

describe('danger / noise rules (imblearn _in_danger_noise)', () => {
  it('danger: m/2 <= other < m; noise: other == m', () => {
    expect([0, 4, 5, 9, 10].map((n) => isDanger(n, 10))).toEqual([false, false, true, true, false]);
    expect([0, 5, 9, 10].map((n) => isNoise(n, 10))).toEqual([false, false, false, true]);
    expect([1, 2, 3].map((n) => isDanger(n, 3))).toEqual([false, true, false]);
    expect(Array.from(dangerMask(Int32Array.from([0, 5, 10, 7]), 10))).toEqual([0, 1, 0, 1]);
  });
});

describe('borderline-smote', () => {
  const data = twoBlobs(80, 20, 2, 3, 1.0);
  const min = data.classNames.indexOf('min');

  it('borderline-1: counts equal the plan; sources are danger rows; neighbours same-class k-nearest; on segments', async () => {
    const r = await borderlineSmoteDefinition.create({}).fitResample(data, planFor(data, { min: 80 }), createRng(1), ctxWith());
    expectWellFormed(data, r);
    const danger = referenceDanger(data, 10);
    const syn = r.synthetic!;
    expect(syn.nRows).toBe(60);
    for (let t = 0; t < syn.nRows; t++) {
      expect(danger[syn.sourceRow[t]]).toBe(true);
      expect(syn.labels[t]).toBe(min);
      expect(referenceNeighbors(data, syn.sourceRow[t], 5)).toContain(syn.neighborRow[t]);
      expectOnSegment(data, r, t);
    }
  });

  it('borderline-2: some rows go towards other-class neighbours with steps in [0, 0.5)', async () => {
    const r = await borderlineSmoteDefinition.create({ variant: 'borderline-2' }).fitResample(data, planFor(data, { min: 80 }), createRng(2), ctxWith());
    expectWellFormed(data, r);
    const syn = r.synthetic!;
    let towardsOther = 0;
    for (let t = 0; t < syn.nRows; t++) {
      const nb = syn.neighborRow[t];
      if (data.labels[nb] === min) {
        expect(referenceNeighbors(data, syn.sourceRow[t], 5)).toContain(nb);
        expectOnSegment(data, r, t, 0, 1);
      } else {
        towardsOther++;
        expect(referenceOther(data, syn.sourceRow[t], 5)).toContain(nb);
        expectOnSegment(data, r, t, 0, 0.5);
      }
    }
    // Beta(10, 10) split: both parts are used, neither takes everything.
    expect(towardsOther).toBeGreaterThan(5);
    expect(towardsOther).toBeLessThan(55);
  });

  it('same seed same output', async () => {
    const s = borderlineSmoteDefinition.create({ variant: 'borderline-2' });
    const plan = planFor(data, { min: 50 });
    const a = await s.fitResample(data, plan, createRng(9), ctxWith());
    const b = await s.fitResample(data, plan, createRng(9), ctxWith());
    expect(a.synthetic!.features.map((f) => Array.from(f))).toEqual(b.synthetic!.features.map((f) => Array.from(f)));
  });

  it('a class with no row in danger gets nothing, says so in the log and in the returned plan', async () => {
    const far = twoBlobs(40, 12, 2, 4, 50);
    const logs: string[] = [];
    const plan = planFor(far, { min: 40 });
    const r = await borderlineSmoteDefinition.create({}).fitResample(far, plan, createRng(1), ctxWith(logs));
    expect(r.synthetic).toBeNull();
    expect(logs.some((l) => /no row of class 'min' is in danger/.test(l))).toBe(true);
    expect(r.plan.targets.get(far.classNames.indexOf('min'))).toEqual({ from: 12, to: 12 });
    expectWellFormed(far, r);
  });

  it('rejects an unknown variant as a usage error', () => {
    expect(() => borderlineSmoteDefinition.create({ variant: 'borderline-3' })).toThrow(UsageError);
  });

  it('a tiny class fails with REBALANCE_CLASS_TOO_SMALL unless --k-auto', async () => {
    const d = makeDataset({
      features: { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 4.5, 5.5, 6.5], y: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0.5, 0.5, 0.5] },
      labels: [...Array(12).fill('a'), 'b', 'b', 'b'],
    });
    const plan = planFor(d, { b: 12 });
    await expect(borderlineSmoteDefinition.create({}).fitResample(d, plan, createRng(1), ctxWith())).rejects.toMatchObject({ code: 'REBALANCE_CLASS_TOO_SMALL' });
    const logs: string[] = [];
    const r = await borderlineSmoteDefinition.create({ kAuto: true }).fitResample(d, plan, createRng(1), ctxWith(logs));
    expectWellFormed(d, r);
    expect(logs.join(' ')).toMatch(/k=2/);
  });
});
