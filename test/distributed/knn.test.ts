/**
 * Distributed exact kNN without an engine: the rows of every shared data set split into
 * partitions, each partition's rows queried against every partition (partial top-k, self dropped
 * by global id, float64 distances from the Float32 coordinates) and merged by (distance, global
 * id): byte-identical neighbour lists to the single-machine engine's querySelf on the whole table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packForKnn } from '../../src/dataset/pack.js';
import { mergeNeighbours, partialKnn, selectQueries, type Points } from '../../src/distributed/knn.js';
import { createCpuBackend } from '../../src/neighbors/cpu.js';
import type { KnnBackend } from '../../src/types.js';
import { BINARY, MULTICLASS, loadDataset } from '../helpers/datasets.js';

let backend: KnnBackend;
beforeAll(() => {
  backend = createCpuBackend({ threads: 2 });
});
afterAll(async () => backend.dispose());

function split(coords: Float32Array, labels: Int32Array, dim: number, cuts: readonly number[]): Points[] {
  const n = labels.length;
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < n), n];
  const parts: Points[] = [];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const [a, b] = [bounds[p], bounds[p + 1]];
    parts.push({ dim, gids: Float64Array.from({ length: b - a }, (_, i) => a + i), labels: labels.slice(a, b), coords: coords.slice(a * dim, b * dim) });
  }
  return parts;
}

describe('distributed kNN equals the single-machine engine on the shared data sets', () => {
  for (const name of [...BINARY, ...MULTICLASS]) {
    it(`${name}: k = 5 over 4 uneven partitions, byte-identical neighbour lists`, async () => {
      const data = loadDataset(name);
      const dim = data.features.length;
      const coords = packForKnn(data, 'none');
      const k = 5;
      const index = await backend.build(coords, dim);
      const single = (await index.querySelf(k)).indices;
      index.dispose();
      const n = data.nRows;
      const parts = split(coords, data.labels, dim, [Math.floor(n * 0.1), Math.floor(n * 0.45), Math.floor(n * 0.5) + 3]);
      expect(parts.length).toBe(4);
      const got = new Int32Array(n * k);
      for (const q of parts) {
        const partial = [];
        for (const against of parts) partial.push(await partialKnn(q, against, k, backend));
        const merged = mergeNeighbours(partial);
        merged.gids.forEach((g, t) => (got[merged.queryGids[Math.floor(t / k)] * k + (t % k)] = g));
      }
      expect(Buffer.from(got.buffer).equals(Buffer.from(single.buffer))).toBe(true);
    });
  }

  it('a broadcast query set (one class from every partition) against groups of partitions merges to the same lists', async () => {
    const data = loadDataset('pima');
    const dim = data.features.length;
    const coords = packForKnn(data, 'none');
    const index = await backend.build(coords, dim);
    const single = (await index.querySelf(3)).indices;
    index.dispose();
    const parts = split(coords, data.labels, dim, [100, 250, 500, 600]);
    const queries = selectQueries(parts, { classes: new Set([1]) });
    expect(queries.gids.length).toBe(data.labels.filter((l) => l === 1).length);
    const groups = [parts.filter((_, j) => j % 2 === 0), parts.filter((_, j) => j % 2 === 1)];
    const perGroup = [];
    for (const g of groups) perGroup.push(mergeNeighbours(await Promise.all(g.map((p) => partialKnn(queries, p, 3, backend))), false));
    const merged = mergeNeighbours(perGroup);
    queries.gids.forEach((gid, q) => {
      for (let t = 0; t < 3; t++) expect(merged.gids[q * 3 + t]).toBe(single[gid * 3 + t]);
    });
  });
});
