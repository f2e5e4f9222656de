import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { packForKnn } from '../../../src/dataset/pack.js';
import { naiveKnn } from '../../../src/neighbors/naive.js';
import { svmDecision, trainLinearSvm } from '../../../src/samplers/linear-svm.js';
import { supportVectorsOf, svmSmoteDefinition } from '../../../src/samplers/svm-smote.js';
import type { Dataset } from '../../../src/types.js';
import { ctxWith, expectOnSegment, expectWellFormed, planFor, referenceNeighbors, twoBlobs } from './smote-helpers.js';

function blobsXY(n: number, seed: number, gap: number): { x: Float64Array; y: Int8Array } {
  const rng = createRng(seed);
  const x = new Float64Array(n * 2);
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3 === 0 ? 1 : -1;
    x[i * 2] = rng.nextNormal() + (y[i] === 1 ? gap : 0);
    x[i * 2 + 1] = rng.nextNormal();
  }
  return { x, y };
}

describe('linear SVM (dual coordinate descent)', () => {
  it('separates separable data and satisfies the KKT conditions', () => {
    const { x, y } = blobsXY(150, 1, 8);
    const m = trainLinearSvm(x, y, 2, createRng(2), { tol: 1e-3, maxIter: 5000 });
    expect(m.converged).toBe(true);
    let sv = 0;
    for (let i = 0; i < y.length; i++) {
      const yf = y[i] * svmDecision(m, x, 2, i);
      expect(yf).toBeGreaterThan(0);
      if (m.alpha[i] === 0) expect(yf).toBeGreaterThanOrEqual(1 - 1e-3);
      else if (m.alpha[i] < 1) {
        expect(Math.abs(yf - 1)).toBeLessThan(1e-2);
        sv++;
      } else expect(yf).toBeLessThanOrEqual(1 + 1e-3);
    }
    expect(sv).toBeGreaterThanOrEqual(2);
    expect(sv).toBeLessThan(20);
  });

  it('overlapping classes: bounded alphas, w equals sum of a_i y_i x_i', () => {
    const { x, y } = blobsXY(120, 3, 1);
    const m = trainLinearSvm(x, y, 2, createRng(4));
    const w = [0, 0];
    let b = 0;
    for (let i = 0; i < y.length; i++) {
      expect(m.alpha[i]).toBeGreaterThanOrEqual(0);
      expect(m.alpha[i]).toBeLessThanOrEqual(1);
      w[0] += m.alpha[i] * y[i] * x[i * 2];
      w[1] += m.alpha[i] * y[i] * x[i * 2 + 1];
      b += m.alpha[i] * y[i];
    }
    expect(m.w[0]).toBeCloseTo(w[0], 9);
    expect(m.w[1]).toBeCloseTo(w[1], 9);
    expect(m.b).toBeCloseTo(b, 9);
    expect(m.alpha.filter((a) => a === 1).length).toBeGreaterThan(0); // margin violators at C
  });

  it('is deterministic and rejects bad labels', () => {
    const { x, y } = blobsXY(60, 5, 3);
    expect(Array.from(trainLinearSvm(x, y, 2, createRng(1)).alpha)).toEqual(Array.from(trainLinearSvm(x, y, 2, createRng(1)).alpha));
    expect(() => trainLinearSvm(x, new Int8Array(60), 2, createRng(1))).toThrow(RangeError);
  });
});

function otherCounts(d: Dataset, m: number): number[] {
  const p = packForKnn(d, 'none');
  const r = naiveKnn(p, d.features.length, p, m, true);
  return Array.from({ length: d.nRows }, (_, i) => {
    let o = 0;
    for (let j = 0; j < m; j++) if (d.labels[r.indices[i * m + j]] !== d.labels[i]) o++;
    return o;
  });
}

describe('svm-smote', () => {
  const data = twoBlobs(90, 25, 2, 6, 1.5);
  const min = data.classNames.indexOf('min');

  it('counts equal the plan; sources are non-noise support vectors; danger interpolates, safe extrapolates', async () => {
    const rng = createRng(3);
    const r = await svmSmoteDefinition.create({}).fitResample(data, planFor(data, { min: 90 }), rng, ctxWith());
    expectWellFormed(data, r);
    const sv = new Set(supportVectorsOf(data, min, createRng(3).fork('svm-smote/min').fork('svm')));
    const other = otherCounts(data, 10);
    const syn = r.synthetic!;
    expect(syn.nRows).toBe(65);
    for (let t = 0; t < syn.nRows; t++) {
      const s = syn.sourceRow[t];
      expect(sv.has(s)).toBe(true);
      expect(other[s]).toBeLessThan(10);
      expect(referenceNeighbors(data, s, 5)).toContain(syn.neighborRow[t]);
      if (other[s] >= 5) expectOnSegment(data, r, t, 0, 1);
      else expectOnSegment(data, r, t, -0.5, 1e-12);
    }
  });

  it('same seed same output; out_step scales the extrapolation', async () => {
    const plan = planFor(data, { min: 60 });
    const a = await svmSmoteDefinition.create({}).fitResample(data, plan, createRng(8), ctxWith());
    const b = await svmSmoteDefinition.create({}).fitResample(data, plan, createRng(8), ctxWith());
    expect(Array.from(a.synthetic!.features[0])).toEqual(Array.from(b.synthetic!.features[0]));
    const c = await svmSmoteDefinition.create({ outStep: 0.1 }).fitResample(data, plan, createRng(8), ctxWith());
    const other = otherCounts(data, 10);
    for (let t = 0; t < c.synthetic!.nRows; t++) if (other[c.synthetic!.sourceRow[t]] < 5) expectOnSegment(data, c, t, -0.1, 1e-12);
  });
});
