import { describe, expect, it } from 'vitest';
import { kmeans } from '../../../src/cluster/kmeans.js';
import { createRng } from '../../../src/core/rng.js';
import { DataError } from '../../../src/core/errors.js';
import { packForKnn } from '../../../src/dataset/pack.js';
import { naiveKnn } from '../../../src/neighbors/naive.js';
import { clusterSparsity, kmeansSmoteDefinition, qualifyingClusters } from '../../../src/samplers/kmeans-smote.js';
import { ctxWith, expectOnSegment, expectWellFormed, planFor, twoBlobs } from './smote-helpers.js';

describe('cluster sparsity and qualification (imblearn rules)', () => {
  it('sparsity = mean distance ^ (0.16 log_1.6(n)^1.8) / n', () => {
    const x = Float64Array.from([0, 0, 3, 4, 6, 8]);
    const e = 0.16 * (Math.log(3) / Math.log(1.6)) ** 1.8;
    expect(clusterSparsity(x, 2, [0, 1, 2])).toBeCloseTo((20 / 3) ** e / 3, 12);
    expect(clusterSparsity(x, 2, [0, 1], 1)).toBeCloseTo(5 / 2, 12);
  });

  it('keeps clusters with share >= threshold and >= minRows class rows', () => {
    const clusterOf = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    const labels = Int32Array.from([1, 1, 1, 0, 1, 0, 0, 0, 1, 1]);
    const q = qualifyingClusters(clusterOf, 3, labels, 1, 0.3, 3);
    expect(q.map((c) => c.cluster)).toEqual([0]);
    expect(Array.from(q[0].classRows)).toEqual([0, 1, 2]);
    expect(qualifyingClusters(clusterOf, 3, labels, 1, 0.2, 2).map((c) => c.cluster)).toEqual([0, 2]);
  });
});

describe('kmeans-smote', () => {
  const data = twoBlobs(120, 40, 2, 11, 2.5);
  const min = data.classNames.indexOf('min');

  it('adds ceil-rounded rows (plan states them), inside one cluster, towards a k-nearest class row of that cluster', async () => {
    const plan = planFor(data, { min: 120 });
    const r = await kmeansSmoteDefinition.create({}).fitResample(data, plan, createRng(5), ctxWith());
    expectWellFormed(data, r);
    const syn = r.synthetic!;
    expect(syn.nRows).toBeGreaterThanOrEqual(80);
    expect(syn.nRows).toBeLessThanOrEqual(88);
    const xs = new Float64Array(data.nRows * 2);
    for (let i = 0; i < data.nRows; i++) {
      xs[i * 2] = data.features[0][i];
      xs[i * 2 + 1] = data.features[1][i];
    }
    const km = await kmeans(xs, 2, 8, createRng(5).fork('kmeans-smote/kmeans'));
    for (let t = 0; t < syn.nRows; t++) {
      const s = syn.sourceRow[t];
      const nb = syn.neighborRow[t];
      expect(data.labels[s]).toBe(min);
      expect(km.labels[nb]).toBe(km.labels[s]);
      const peers = Array.from({ length: data.nRows }, (_, i) => i).filter((i) => data.labels[i] === min && km.labels[i] === km.labels[s]);
      const p = packForKnn(data, 'none', peers);
      const res = naiveKnn(p, 2, p, 2, true);
      const q = peers.indexOf(s);
      expect([peers[res.indices[q * 2]], peers[res.indices[q * 2 + 1]]]).toContain(nb);
      expectOnSegment(data, r, t);
    }
  });

  it('same seed same output', async () => {
    const plan = planFor(data, { min: 100 });
    const a = await kmeansSmoteDefinition.create({}).fitResample(data, plan, createRng(2), ctxWith());
    const b = await kmeansSmoteDefinition.create({}).fitResample(data, plan, createRng(2), ctxWith());
    expect(Array.from(a.synthetic!.features[0])).toEqual(Array.from(b.synthetic!.features[0]));
  });

  it('one cluster always qualifies (threshold -Infinity)', async () => {
    const r = await kmeansSmoteDefinition.create({ nClusters: 1 }).fitResample(data, planFor(data, { min: 120 }), createRng(1), ctxWith());
    expectWellFormed(data, r);
    expect(r.synthetic!.nRows).toBe(80);
  });

  it('no qualifying cluster is a DataError that says what to change', async () => {
    const err = await kmeansSmoteDefinition
      .create({ clusterBalanceThreshold: 2 })
      .fitResample(data, planFor(data, { min: 120 }), createRng(1), ctxWith())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('REBALANCE_NO_CLUSTER');
    expect((err as DataError).message).toMatch(/threshold/);
  });
});
