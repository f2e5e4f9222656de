/**
 * --knn-backend auto: which backend answers, what the log says, and the fall-back to the cpu
 * backend when the GPU fails after auto chose it. CI machines have no hardware GPU, so the GPU is
 * a stand-in backend (exact results from the naive reference) that fails on demand.
 */
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../../../src/core/errors.js';
import { createNaiveBackend, naiveKnn } from '../../../src/neighbors/naive.js';
import { createAutoBackend } from '../../../src/neighbors/open.js';
import type { KnnBackend, KnnResult, NeighborIndex } from '../../../src/types.js';
import { makePoints } from '../../gpu/data.js';

const lost = (): BackendUnavailableError =>
  new BackendUnavailableError('REBALANCE_WEBGPU_FAILED', 'expected the WebGPU device to run the kNN kernel, it failed (device lost); rerun with --knn-backend cpu');

/** Counts what ran where; `failBuild` / `failSearch` make the stand-in GPU fail. */
function setup(opts: { failBuild?: boolean; failSearchAfter?: number; noGpu?: boolean } = {}) {
  const ran = { cpuBuilds: 0, cpuSearches: 0, gpuBuilds: 0, gpuSearches: 0, gpuDisposed: 0, opened: 0 };
  const log: string[] = [];
  const naive = createNaiveBackend();
  const counting = (index: NeighborIndex, searches: 'cpuSearches' | 'gpuSearches', fail: () => boolean, onDispose = (): void => undefined): NeighborIndex => ({
    size: index.size,
    dim: index.dim,
    async query(q: Float32Array, k: number): Promise<KnnResult> {
      ran[searches]++;
      if (fail()) throw lost();
      return index.query(q, k);
    },
    async querySelf(k: number): Promise<KnnResult> {
      ran[searches]++;
      if (fail()) throw lost();
      return index.querySelf(k);
    },
    dispose: () => {
      onDispose();
      index.dispose();
    },
  });
  const cpu: KnnBackend = {
    name: 'cpu',
    async build(points, dim) {
      ran.cpuBuilds++;
      return counting(await naive.build(points, dim), 'cpuSearches', () => false);
    },
    dispose: async () => undefined,
  };
  const gpu: KnnBackend = {
    name: 'webgpu',
    async build(points, dim) {
      ran.gpuBuilds++;
      if (opts.failBuild) throw lost();
      return counting(
        await naive.build(points, dim),
        'gpuSearches',
        () => opts.failSearchAfter !== undefined && ran.gpuSearches > opts.failSearchAfter,
        () => void ran.gpuDisposed++,
      );
    },
    dispose: async () => undefined,
  };
  const auto = createAutoBackend(cpu, (m) => void log.push(m), {
    minWork: 1000,
    openGpu: async () => {
      ran.opened++;
      if (opts.noGpu) {
        log.push('kNN backend: cpu (no usable hardware GPU: none here)');
        return null;
      }
      return gpu;
    },
  });
  return { auto, ran, log };
}

const SMALL = makePoints('uniform', 5, 3, 1); // 5 x 5 x 3 = 75 < 1000
const LARGE = makePoints('uniform', 40, 3, 2); // 40 x 40 x 3 = 4800

describe('auto kNN backend', () => {
  it('answers small problems on the cpu, large ones on the GPU, and says so when the choice changes', async () => {
    const { auto, ran, log } = setup();
    for (const points of [SMALL, SMALL, LARGE, LARGE, SMALL]) {
      const index = await auto.build(points, 3);
      expect(await index.querySelf(2)).toEqual(naiveKnn(points, 3, points, 2, true));
      index.dispose();
    }
    expect(ran).toMatchObject({ cpuBuilds: 3, gpuBuilds: 2, gpuSearches: 2, cpuSearches: 3, opened: 1 });
    expect(log).toEqual([
      'kNN backend: cpu (5 rows x 3 dims is below the GPU threshold)',
      'kNN backend: webgpu (40 rows x 3 dims is large enough for the GPU)',
      'kNN backend: cpu (5 rows x 3 dims is below the GPU threshold)',
    ]);
  });

  it('stays on the cpu, saying why once, where there is no GPU', async () => {
    const { auto, ran, log } = setup({ noGpu: true });
    for (const points of [LARGE, SMALL, LARGE]) {
      const index = await auto.build(points, 3);
      expect(await index.querySelf(3)).toEqual(naiveKnn(points, 3, points, 3, true));
    }
    expect(ran).toMatchObject({ cpuBuilds: 3, gpuBuilds: 0, opened: 1 });
    expect(log).toEqual(['kNN backend: cpu (no usable hardware GPU: none here)']);
  });

  it('answers on the cpu, with the same results, when the GPU fails in a search; later indexes stay there', async () => {
    const { auto, ran, log } = setup({ failSearchAfter: 1 });
    const index = await auto.build(LARGE, 3);
    const q = makePoints('uniform', 7, 3, 3);
    expect(await index.querySelf(4)).toEqual(naiveKnn(LARGE, 3, LARGE, 4, true)); // GPU search 1: fine
    expect(await index.query(q, 4)).toEqual(naiveKnn(LARGE, 3, q, 4, false)); // search 2 fails: cpu answers
    expect(await index.querySelf(5)).toEqual(naiveKnn(LARGE, 3, LARGE, 5, true)); // straight to the cpu
    expect(ran).toMatchObject({ gpuBuilds: 1, gpuSearches: 2, cpuBuilds: 1, cpuSearches: 2, gpuDisposed: 1 });
    const later = await auto.build(LARGE, 3);
    expect(await later.querySelf(2)).toEqual(naiveKnn(LARGE, 3, LARGE, 2, true));
    expect(ran).toMatchObject({ gpuBuilds: 1, cpuBuilds: 2 });
    expect(log).toEqual([
      'kNN backend: webgpu (40 rows x 3 dims is large enough for the GPU)',
      'kNN backend: cpu from here on (the GPU failed: expected the WebGPU device to run the kNN kernel, it failed (device lost)); same results, more time',
    ]);
    index.dispose();
    later.dispose();
  });

  it('builds on the cpu when the GPU fails to build', async () => {
    const { auto, ran, log } = setup({ failBuild: true });
    const index = await auto.build(LARGE, 3);
    expect(await index.querySelf(3)).toEqual(naiveKnn(LARGE, 3, LARGE, 3, true));
    expect(ran).toMatchObject({ gpuBuilds: 1, cpuBuilds: 1, cpuSearches: 1 });
    expect(log[1]).toMatch(/^kNN backend: cpu from here on \(the GPU failed: /);
  });

  it('passes data and usage errors through instead of retrying them on the cpu', async () => {
    const { auto, ran } = setup();
    const index = await auto.build(LARGE, 3);
    await expect(index.querySelf(40)).rejects.toThrow(/k=40/); // k above the other rows
    await expect(index.query(makePoints('uniform', 2, 3, 9), 41)).rejects.toThrow(/k=41/);
    expect(ran.cpuBuilds).toBe(0);
  });
});
