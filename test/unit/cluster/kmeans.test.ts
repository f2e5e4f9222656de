import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { kmeans } from '../../../src/cluster/kmeans.js';
import { createRng } from '../../../src/core/rng.js';
import { DataError } from '../../../src/core/errors.js';

/** Three well separated 2-D blobs of `per` points each, from a seeded stream. */
function blobs(per: number, seed: number): { x: Float64Array; truth: Int32Array } {
  const rng = createRng(seed);
  const centres = [
    [0, 0],
    [20, 0],
    [0, 20],
  ];
  const x = new Float64Array(per * 3 * 2);
  const truth = new Int32Array(per * 3);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < per; i++) {
      const r = c * per + i;
      x[r * 2] = centres[c][0] + rng.nextNormal();
      x[r * 2 + 1] = centres[c][1] + rng.nextNormal();
      truth[r] = c;
    }
  }
  return { x, truth };
}

function inertiaOf(x: Float64Array, dim: number, centroids: Float64Array, labels: Int32Array): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < dim; j++) {
      const d = x[i * dim + j] - centroids[labels[i] * dim + j];
      s += d * d;
    }
  }
  return s;
}

describe('kmeans', () => {
  it('recovers well separated blobs', async () => {
    const { x, truth } = blobs(40, 1);
    const r = await kmeans(x, 2, 3, createRng(7));
    // Same partition up to a relabelling.
    const map = new Map<number, number>();
    for (let i = 0; i < truth.length; i++) {
      const m = map.get(r.labels[i]);
      if (m === undefined) map.set(r.labels[i], truth[i]);
      else expect(m).toBe(truth[i]);
    }
    expect(map.size).toBe(3);
  });

  it('labels each point with its nearest centroid, centroids are the cluster means, inertia matches', async () => {
    const { x } = blobs(30, 3);
    const dim = 2;
    const k = 5;
    const r = await kmeans(x, dim, k, createRng(11));
    const n = x.length / dim;
    for (let i = 0; i < n; i++) {
      let bd = Infinity;
      let bc = -1;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (x[i * dim + j] - r.centroids[c * dim + j]) ** 2;
        if (s < bd) {
          bd = s;
          bc = c;
        }
      }
      expect(r.labels[i]).toBe(bc);
    }
    expect(r.inertia).toBeCloseTo(inertiaOf(x, dim, r.centroids, r.labels), 8);
    // Converged: centroids are the means of their points (within the relative tolerance).
    for (let c = 0; c < k; c++) {
      let cnt = 0;
      const m = [0, 0];
      for (let i = 0; i < n; i++) {
        if (r.labels[i] !== c) continue;
        cnt++;
        m[0] += x[i * 2];
        m[1] += x[i * 2 + 1];
      }
      expect(cnt).toBeGreaterThan(0);
      expect(r.centroids[c * 2]).toBeCloseTo(m[0] / cnt, 1);
      expect(r.centroids[c * 2 + 1]).toBeCloseTo(m[1] / cnt, 1);
    }
  });

  it('is deterministic for a seed and accepts Float32 input', async () => {
    const { x } = blobs(25, 5);
    const a = await kmeans(x, 2, 4, createRng(3));
    const b = await kmeans(x, 2, 4, createRng(3));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    const f = await kmeans(Float32Array.from(x), 2, 4, createRng(3));
    expect(f.labels.length).toBe(75);
  });

  it('more restarts never give a higher inertia than the first restart alone', async () => {
    const { x } = blobs(20, 9);
    const one = await kmeans(x, 2, 6, createRng(2), { nInit: 1 });
    const many = await kmeans(x, 2, 6, createRng(2), { nInit: 5 });
    expect(many.inertia).toBeLessThanOrEqual(one.inertia + 1e-9);
  });

  it('k = n puts every distinct point in its own cluster with zero inertia', async () => {
    const x = Float64Array.from([0, 0, 1, 0, 0, 1, 5, 5]);
    const r = await kmeans(x, 2, 4, createRng(1));
    expect(new Set(r.labels).size).toBe(4);
    expect(r.inertia).toBe(0);
  });

  it('handles all-identical points', async () => {
    const x = new Float64Array(20).fill(3);
    const r = await kmeans(x, 2, 2, createRng(1));
    expect(r.inertia).toBe(0);
    expect(r.labels.every((l) => l >= 0 && l < 2)).toBe(true);
  });

  it('rejects k outside [1, n] with a DataError', async () => {
    const x = Float64Array.from([0, 1, 2]);
    await expect(kmeans(x, 1, 4, createRng(1))).rejects.toThrow(DataError);
    await expect(kmeans(x, 1, 0, createRng(1))).rejects.toThrow(/clusters/);
  });

  it('property: every cluster is non-empty when points are distinct, inertia is consistent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        async (vals, kRaw, seed) => {
          const x = Float64Array.from(vals);
          const k = Math.min(kRaw, vals.length);
          const r = await kmeans(x, 1, k, createRng(seed));
          const counts = new Int32Array(k);
          for (const l of r.labels) counts[l]++;
          expect(counts.every((c) => c > 0)).toBe(true);
          expect(r.inertia).toBeCloseTo(inertiaOf(x, 1, r.centroids, r.labels), 6);
        },
      ),
      { numRuns: 100, seed: 42 },
    );
  });
});

describe('kmeans: stopping early', () => {
  it('an aborted signal rejects with its reason, also mid-run (heard between iterations)', async () => {
    const reason = Object.assign(new Error('stop'), { name: 'AbortError' });
    const before = new AbortController();
    before.abort(reason);
    await expect(kmeans(Float64Array.from([0, 1, 2, 3]), 1, 2, createRng(1), { signal: before.signal })).rejects.toBe(reason);
    // Noise: Lloyd runs its 300 iterations (seconds); a timer aborts it after 50 ms.
    const rng = createRng(4);
    const x = Float64Array.from({ length: 40000 * 8 }, () => rng.nextNormal());
    const during = new AbortController();
    setTimeout(() => during.abort(reason), 50);
    const t = performance.now();
    await expect(kmeans(x, 8, 8, createRng(5), { signal: during.signal })).rejects.toBe(reason);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
