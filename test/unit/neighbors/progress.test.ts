import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { throttled } from '../../../src/neighbors/progress.js';
import { createCpuBackend, type CpuAlgorithm } from '../../../src/neighbors/cpu.js';
import type { KnnResult, NeighborIndex } from '../../../src/types.js';

function normal(n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * dim }, () => rng.nextNormal());
}

/** Runs `search` with and without a progress listener; returns both results and the reports. */
async function withProgress(
  options: { threads: number; algorithm?: CpuAlgorithm; symmetric?: boolean },
  points: Float32Array,
  dim: number,
  search: (i: NeighborIndex) => Promise<KnnResult>,
): Promise<{ plain: KnnResult; watched: KnnResult; reports: [number, number][] }> {
  const reports: [number, number][] = [];
  const quiet = createCpuBackend({ ...options, parallelThreshold: 0 });
  const loud = createCpuBackend({ ...options, parallelThreshold: 0, progressIntervalMs: 0, onProgress: (d, t) => reports.push([d, t]) });
  try {
    const plain = await search(await quiet.build(points, dim));
    const watched = await search(await loud.build(points, dim));
    return { plain, watched, reports };
  } finally {
    await quiet.dispose();
    await loud.dispose();
  }
}

function expectSane(reports: [number, number][], total: number): void {
  expect(reports.length).toBeGreaterThan(1);
  expect(reports.at(-1)).toEqual([total, total]);
  let last = 0;
  for (const [done, t] of reports) {
    expect(t).toBe(total);
    expect(Number.isInteger(done)).toBe(true);
    expect(done).toBeGreaterThanOrEqual(last);
    expect(done).toBeLessThanOrEqual(total);
    last = done;
  }
}

describe('cpu backend progress (onProgress)', () => {
  const dim = 12;
  const points = normal(6000, dim, 3);
  const cases: [string, { threads: number; algorithm?: CpuAlgorithm; symmetric?: boolean }][] = [
    ['symmetric self-query on workers', { threads: 2 }],
    ['symmetric self-query in-process', { threads: 1 }],
    ['one-sided brute self-query on workers', { threads: 2, symmetric: false }],
    ['kd-tree self-query in-process', { threads: 1, algorithm: 'kd-tree' }],
  ];
  for (const [name, options] of cases) {
    it(`${name}: counts rise to the row count, results unchanged`, async () => {
      const { plain, watched, reports } = await withProgress(options, points, dim, (i) => i.querySelf(5));
      expect(watched.indices).toEqual(plain.indices);
      expect(watched.distances).toEqual(plain.distances);
      expectSane(reports, 6000);
    });
  }

  it('a cross query split into batches reports rows of the whole query', async () => {
    const queries = normal(3000, dim, 4);
    const { plain, watched, reports } = await withProgress({ threads: 2 }, points, dim, (i) => i.query(queries, 4));
    expect(watched.indices).toEqual(plain.indices);
    expectSane(reports, 3000);
  });
});

describe('throttled', () => {
  it('passes at most one report per interval', () => {
    let now = 0;
    const seen: number[] = [];
    const tick = throttled((d) => seen.push(d), 500, () => now);
    for (let i = 1; i <= 20; i++) {
      now += 100;
      tick(i);
    }
    expect(seen).toEqual([5, 10, 15, 20]);
  });
});

describe('cpu backend abort (signal)', () => {
  const dim = 16;
  const pointsOnWorkers = normal(8000, dim, 5);

  // threads 1: the search runs in the calling thread and hears the signal at its next pause.
  for (const [symmetric, threads] of [[true, 2], [false, 2], [true, 1]] as const) {
    it(`stops a search when the signal fires mid-search (symmetric=${symmetric}, threads=${threads})`, async () => {
      const controller = new AbortController();
      const reason = Object.assign(new Error('stop'), { name: 'AbortError' });
      // Once armed, the first progress report (which comes while the search runs) sets a timer
      // that aborts: like Ctrl-C, the abort comes from the event loop.
      let armed = false;
      const backend = createCpuBackend({
        threads, parallelThreshold: 0, symmetric, progressIntervalMs: 0, signal: controller.signal,
        onProgress: (done, total) => {
          if (!armed || done >= total) return;
          armed = false;
          setTimeout(() => controller.abort(reason), 0);
        },
      });
      const plain = createCpuBackend({ threads, parallelThreshold: 0, symmetric });
      const points = threads === 1 ? normal(24000, dim, 6) : pointsOnWorkers;
      const n = points.length / dim;
      try {
        // Both pools started (worker boot is not part of either timing).
        for (const b of [backend, plain]) await (await b.build(points.subarray(0, 100 * dim), dim)).querySelf(3);
        armed = true;
        const fullStart = performance.now();
        const want = await (await plain.build(points, dim)).querySelf(5);
        const fullMs = performance.now() - fullStart;
        const index = await backend.build(points, dim);
        const abortStart = performance.now();
        await expect(index.querySelf(5)).rejects.toBe(reason);
        // Workers stop after the range each is on (1/32 of the rows at most), the calling thread
        // within 100 ms: well before the end.
        expect(performance.now() - abortStart).toBeLessThan(fullMs / 2);
        // A later search on the same index (the signal stays aborted): rejected before it starts.
        await expect(index.querySelf(5)).rejects.toBe(reason);
        expect(want.indices.length).toBe(n * 5);
      } finally {
        await backend.dispose();
        await plain.dispose();
      }
    });
  }

  it('a cross query rejects before its next batch once aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const backend = createCpuBackend({ threads: 2, parallelThreshold: 0, signal: controller.signal });
    try {
      const index = await backend.build(pointsOnWorkers, dim);
      await expect(index.query(pointsOnWorkers.subarray(0, 10 * dim), 3)).rejects.toBe(controller.signal.reason);
    } finally {
      await backend.dispose();
    }
  });
});
