/**
 * Seeded point sets for the kNN backend tests, each built to stress one part of the exact
 * (distance, index) contract, and a byte-level comparison of two KnnResults.
 */
import { expect } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { KnnResult } from '../../src/types.js';

export type Kind = 'uniform' | 'normal' | 'integer' | 'duplicates' | 'offset' | 'ulp-pairs' | 'far-lattice' | 'near-origin';

/** n x dim row-major Float32 points of the given kind. */
export function makePoints(kind: Kind, n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed).fork(kind);
  const p = new Float32Array(n * dim);
  switch (kind) {
    case 'uniform':
      for (let i = 0; i < p.length; i++) p[i] = rng.nextFloat() * 2 - 1;
      break;
    case 'normal':
      for (let i = 0; i < p.length; i++) p[i] = rng.nextNormal();
      break;
    case 'integer':
      // Coordinates in {0, 1, 2}: distances are small integers, ties everywhere.
      for (let i = 0; i < p.length; i++) p[i] = rng.nextInt(3);
      break;
    case 'duplicates': {
      // Few distinct rows, each repeated many times at scattered indices.
      const distinct = Math.max(2, Math.floor(n / 12));
      const base = new Float32Array(distinct * dim);
      for (let i = 0; i < base.length; i++) base[i] = rng.nextNormal();
      for (let i = 0; i < n; i++) {
        const c = rng.nextInt(distinct);
        p.set(base.subarray(c * dim, (c + 1) * dim), i * dim);
      }
      break;
    }
    case 'offset':
      // Data offset by 1000: |q|^2+|r|^2-2q.r loses every digit here; direct differences do not.
      for (let i = 0; i < p.length; i++) p[i] = 1000 + rng.nextFloat() * 0.01;
      break;
    case 'far-lattice':
      // 4000 everywhere but +1 in a few random coordinates. From 'near-origin' queries the squared
      // distances exceed 2^24 and differ by a few units (or tie exactly), so float32 sums,
      // rounded at different steps, swap or merge them: only the float64 re-rank gets them right.
      p.fill(4000);
      for (let i = 0; i < n; i++) for (let t = 0; t < 2; t++) p[i * dim + rng.nextInt(dim)] += 1;
      break;
    case 'near-origin':
      for (let i = 0; i < p.length; i++) p[i] = rng.nextInt(10);
      break;
    case 'ulp-pairs': {
      // Offset rows in pairs one float32 step apart in one coordinate: near-ties at every cut.
      for (let i = 0; i < p.length; i++) p[i] = 1000 + rng.nextInt(64) / 64;
      const bump = new Float32Array(1);
      const bits = new Uint32Array(bump.buffer);
      for (let i = 1; i < n; i += 2) {
        p.copyWithin(i * dim, (i - 1) * dim, i * dim);
        const j = rng.nextInt(dim);
        bump[0] = p[i * dim + j];
        bits[0] += rng.nextInt(2) ? 1 : -1;
        p[i * dim + j] = bump[0];
      }
      break;
    }
  }
  return p;
}

/** Asserts two results are byte-identical, naming the first differing row when not. */
export function expectSameKnn(got: KnnResult, want: KnnResult, label: string): void {
  expect(got.k, label).toBe(want.k);
  expect(got.indices.length, label).toBe(want.indices.length);
  const k = want.k;
  for (let t = 0; t < want.indices.length; t++) {
    const gd = got.distances[t];
    const wd = want.distances[t];
    if (got.indices[t] !== want.indices[t] || !Object.is(gd, wd)) {
      const r = Math.floor(t / k);
      const row = (a: KnnResult): string =>
        Array.from(a.indices.subarray(r * k, r * k + k), (v, s) => `${v}@${a.distances[r * k + s]}`).join(' ');
      expect.fail(`${label}: row ${r} differs\n got  ${row(got)}\n want ${row(want)}`);
    }
  }
}
