/**
 * Distributed exact kNN without an engine: the rows of every shared data set split into
 * partitions, each partition's rows queried against every partition (partial top-k, self dropped
 * by global id, float64 distances from the Float32 coordinates) and merged by (distance, global
 * id): byte-identical neighbour lists to the single-machine engine's querySelf on the whole table.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitScaler, packForKnn } from '../../src/dataset/pack.js';
import { readBlob } from '../../src/distributed/blob.js';
import { mergeNeighbours, partialKnn, pointsFromBlob, selectQueries, type Points } from '../../src/distributed/knn.js';
import { createCpuBackend } from '../../src/neighbors/cpu.js';
import type { KnnBackend } from '../../src/types.js';
import { runCli } from '../helpers/cli-in-process.js';
import { BINARY, MULTICLASS, datasetPath, loadDataset } from '../helpers/datasets.js';
import { scaleSteps } from './tables.js';

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

  for (const [name, scale] of [
    ['pima', 'standard'],
    ['glass', 'minmax'],
    ['sonar', 'standard'],
  ] as const) {
    it(`${name} --scale ${scale}: the scaler from the partitions (moments, scaler) equals fitScaler bit for bit, and the scaled points give byte-identical neighbour lists`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rebalance-dknn-'));
      try {
        const data = loadDataset(name);
        const lines = readFileSync(datasetPath(name), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
        const n = lines.length - 1;
        const cuts = [0, Math.floor(n * 0.2), Math.floor(n * 0.55) + 1, n];
        const files = cuts.slice(1).map((_, i) => join(dir, `p${i}.csv`));
        files.forEach((f, i) => writeFileSync(f, [lines[0], ...lines.slice(1 + cuts[i], 1 + cuts[i + 1])].join('\n') + '\n'));
        const w = (f: string): string => join(dir, f);
        const ok = async (args: string[]): Promise<void> => {
          const r = await runCli(['dist', ...args]);
          expect(r.code, r.stderr).toBe(0);
        };
        for (let i = 0; i < files.length; i++) await ok(['count', files[i], '-o', w(`s${i}.json`)]);
        await ok(['plan', ...files.map((_, i) => w(`s${i}.json`)), '-m', 'enn', '-o', w('plan.json')]);
        const base = (i: number): string[] => [files[i], '--plan', w('plan.json'), '--index', String(i)];
        await scaleSteps(files.length, base, scale, w('plan.json'), w);
        const got = JSON.parse(readFileSync(w('scaler.json'), 'utf8')) as { shift: number[]; mult: number[] };
        const want = fitScaler(data, scale);
        expect(Buffer.from(Float64Array.from(got.shift).buffer).equals(Buffer.from(want.shift.buffer))).toBe(true);
        expect(Buffer.from(Float64Array.from(got.mult).buffer).equals(Buffer.from(want.mult.buffer))).toBe(true);
        const parts: Points[] = [];
        for (let i = 0; i < files.length; i++) {
          await ok(['points', ...base(i), '--scaler', w('scaler.json'), '-o', w(`pt${i}.bin`)]);
          parts.push(pointsFromBlob(await readBlob(w(`pt${i}.bin`)), `pt${i}`));
        }
        const dim = data.features.length;
        const k = 4;
        const index = await backend.build(packForKnn(data, scale), dim);
        const single = (await index.querySelf(k)).indices;
        index.dispose();
        const got2 = new Int32Array(data.nRows * k);
        for (const q of parts) {
          const merged = mergeNeighbours(await Promise.all(parts.map((a) => partialKnn(q, a, k, backend))));
          merged.gids.forEach((g, t) => (got2[merged.queryGids[Math.floor(t / k)] * k + (t % k)] = g));
        }
        expect(Buffer.from(got2.buffer).equals(Buffer.from(single.buffer))).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
