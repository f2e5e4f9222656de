/**
 * The reference kNN: float64 brute force, sorted by (distance, index), self excluded by row id.
 * Slow (O(n^2 d)) and simple on purpose: tests compare every other backend against it.
 */
import type { KnnBackend, KnnResult, NeighborIndex } from '../types.js';

export function naiveKnn(
  points: Float32Array,
  dim: number,
  queries: Float32Array,
  k: number,
  selfQuery: boolean,
): KnnResult {
  const n = points.length / dim;
  const m = queries.length / dim;
  const kk = Math.min(k, selfQuery ? n - 1 : n);
  if (kk < k) throw new RangeError(`k=${k} exceeds the ${selfQuery ? n - 1 : n} available neighbours`);
  const indices = new Int32Array(m * k);
  const distances = new Float32Array(m * k);
  const d2 = new Float64Array(n);
  const order = new Int32Array(n);
  for (let q = 0; q < m; q++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) {
        const diff = queries[q * dim + j] - points[i * dim + j];
        s += diff * diff;
      }
      d2[i] = s;
      order[i] = i;
    }
    const cand = Array.from(order).filter((i) => !(selfQuery && i === q));
    cand.sort((a, b) => d2[a] - d2[b] || a - b);
    for (let t = 0; t < k; t++) {
      indices[q * k + t] = cand[t];
      distances[q * k + t] = Math.sqrt(d2[cand[t]]);
    }
  }
  return { k, indices, distances };
}

export function createNaiveBackend(): KnnBackend {
  return {
    name: 'naive',
    async build(points: Float32Array, dim: number): Promise<NeighborIndex> {
      return {
        size: points.length / dim,
        dim,
        async query(q: Float32Array, k: number) {
          return naiveKnn(points, dim, q, k, false);
        },
        async querySelf(k: number) {
          return naiveKnn(points, dim, points, k, true);
        },
        dispose() {},
      };
    },
    async dispose() {},
  };
}
