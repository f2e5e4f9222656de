/** Shared fixtures of the SMOTE-family unit tests (not a test file itself). */
import { expect } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { naiveKnn } from '../../../src/neighbors/naive.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { packForKnn } from '../../../src/dataset/pack.js';
import type { Dataset, Resampled, SamplerContext, SamplingPlan } from '../../../src/types.js';

/** Two Gaussian classes in `dim` dimensions: 'maj' (nMaj rows around 0), 'min' (nMin rows around shift). */
export function twoBlobs(nMaj: number, nMin: number, dim: number, seed: number, shift = 1.5): Dataset {
  const rng = createRng(seed);
  const features: Record<string, number[]> = {};
  for (let j = 0; j < dim; j++) features[`f${j}`] = [];
  const labels: string[] = [];
  // Minority rows interleaved every `step` rows: ceil(n / step) >= nMin slots, the first nMin used.
  const step = Math.max(1, Math.floor((nMaj + nMin) / nMin));
  let placed = 0;
  for (let i = 0; i < nMaj + nMin; i++) {
    const isMin = i % step === 0 && placed < nMin;
    if (isMin) placed++;
    labels.push(isMin ? 'min' : 'maj');
    for (let j = 0; j < dim; j++) features[`f${j}`].push(rng.nextNormal() + (isMin ? shift : 0));
  }
  return makeDataset({ features, labels, featureKinds: Object.fromEntries(Object.keys(features).map((f) => [f, 'float'])) });
}

export function countsOf(data: Dataset): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of data.labels) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

/** Plan that grows every class listed in `to` from its current count. */
export function planFor(data: Dataset, to: Record<string, number>, kind: 'over' = 'over'): SamplingPlan {
  const counts = countsOf(data);
  const targets = new Map<number, { from: number; to: number }>();
  for (const [name, n] of Object.entries(to)) {
    const code = data.classNames.indexOf(name);
    targets.set(code, { from: counts.get(code) ?? 0, to: n });
  }
  return { kind, targets };
}

export function ctxWith(logs: string[] = [], scale?: 'none' | 'standard' | 'minmax'): SamplerContext {
  return { knn: createNaiveBackend(), log: (m) => logs.push(m), scale };
}

/** Output class counts equal the returned plan's `to`, indices are all rows, values finite. */
export function expectWellFormed(data: Dataset, r: Resampled): void {
  expect(Array.from(r.indices)).toEqual(Array.from({ length: data.nRows }, (_, i) => i));
  const counts = countsOf(data);
  const syn = r.synthetic;
  if (syn) {
    for (const l of syn.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    for (const col of syn.features) {
      expect(col.length).toBe(syn.nRows);
      for (const v of col) expect(Number.isFinite(v)).toBe(true);
    }
    // Grouped by class code ascending.
    for (let i = 1; i < syn.nRows; i++) expect(syn.labels[i]).toBeGreaterThanOrEqual(syn.labels[i - 1]);
  }
  for (const [code, t] of r.plan.targets) expect(counts.get(code) ?? 0).toBe(t.to);
}

/** Dataset rows of the k nearest same-class neighbours of `row` by the naive float64 reference. */
export function referenceNeighbors(data: Dataset, row: number, k: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < data.nRows; i++) if (data.labels[i] === data.labels[row]) rows.push(i);
  const packed = packForKnn(data, 'none', rows);
  const dim = data.features.length;
  const res = naiveKnn(packed, dim, packed, k, true);
  const q = rows.indexOf(row);
  return Array.from(res.indices.subarray(q * k, q * k + k), (i) => rows[i]);
}

/** Asserts synthetic row t lies on the segment source -> neighbour with one step u in [lo, hi). */
export function expectOnSegment(data: Dataset, r: Resampled, t: number, lo = 0, hi = 1): void {
  const syn = r.synthetic!;
  const s = syn.sourceRow[t];
  const nb = syn.neighborRow[t];
  let u: number | null = null;
  for (let j = 0; j < data.features.length; j++) {
    const a = data.features[j][s];
    const bb = data.features[j][nb];
    const v = syn.features[j][t];
    if (Math.abs(bb - a) > 1e-9) {
      const uj = (v - a) / (bb - a);
      if (u === null) u = uj;
      else expect(uj).toBeCloseTo(u, 6);
    } else {
      expect(v).toBeCloseTo(a, 9);
    }
  }
  if (u !== null) {
    expect(u).toBeGreaterThanOrEqual(lo - 1e-9);
    expect(u).toBeLessThan(hi + 1e-9);
  }
}
