/**
 * The webgpu kNN backend against the float64 reference (naive.ts), byte for byte, on the real
 * kernels: llvmpipe on CPU machines, Vulkan on GPUs. Skipped when no adapter exists, unless
 * REBALANCE_REQUIRE_GPU=1 (CI), where a missing adapter fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, DataError } from '../../src/core/errors.js';
import { naiveKnn } from '../../src/neighbors/naive.js';
import { createWebgpuBackend, openWebgpuDevice, probeWebgpu, type SearchStats, type WebgpuKnnBackend } from '../../src/neighbors/webgpu/index.js';
import type { PlanOverrides } from '../../src/neighbors/webgpu/plan.js';
import { CandidateSearch } from '../../src/neighbors/webgpu/search.js';
import { sampleCenter } from '../../src/neighbors/checks.js';
import { createCpuBackend } from '../../src/neighbors/cpu.js';
import { createAutoBackend } from '../../src/neighbors/open.js';
import { fitScaler, packFeatures } from '../../src/dataset/pack.js';
import { BINARY, MULTICLASS, loadDataset } from '../helpers/datasets.js';
import { expectSameKnn, makePoints, type Kind } from './data.js';

const probe = await probeWebgpu();
const required = process.env.REBALANCE_REQUIRE_GPU === '1';

describe.runIf(required && !probe.available)('webgpu adapter (required)', () => {
  it('exists', () => {
    expect.fail(`REBALANCE_REQUIRE_GPU=1 but no WebGPU adapter: ${probe.reason}; install: ${probe.install}`);
  });
});

/** Cuts everything small: many chunks, batches, dispatches per batch and tiles per dispatch. */
const TINY: PlanOverrides = { rowsPerChunk: 64, queriesPerBatch: 48, refsPerDispatch: 40, tileRows: 8, workgroupSize: 16 };
/** No workgroup tile: references read straight from storage. */
const UNTILED: PlanOverrides = { tileRows: 0, queriesPerBatch: 100, refsPerDispatch: 96, workgroupSize: 32 };

describe.runIf(probe.available)('webgpu kNN backend', () => {
  const backends: Record<string, WebgpuKnnBackend> = {};
  const notes: string[] = [];

  beforeAll(async () => {
    const log = (m: string): void => void notes.push(m);
    backends.standard = await createWebgpuBackend({ log });
    backends.tiny = await createWebgpuBackend({ plan: TINY, log });
    backends.untiled = await createWebgpuBackend({ plan: UNTILED, log });
    backends.single = await createWebgpuBackend({ plan: { ...TINY, queriesPerThread: 1 }, log });
    backends.quad = await createWebgpuBackend({ plan: { ...TINY, queriesPerThread: 4 }, log });
    backends.quadUntiled = await createWebgpuBackend({ plan: { ...UNTILED, queriesPerThread: 4 }, log });
    backends.noExtra = await createWebgpuBackend({ plan: TINY, extraCandidates: 0, log });
    // Candidate lists kept in the candidate buffers instead of private arrays.
    backends.storage = await createWebgpuBackend({ plan: { ...TINY, candidateLists: 'storage' }, log });
    backends.storageQuad = await createWebgpuBackend({ plan: { ...TINY, candidateLists: 'storage', queriesPerThread: 4 }, log });
    backends.storageUntiled = await createWebgpuBackend({ plan: { ...UNTILED, candidateLists: 'storage', queriesPerThread: 1 }, log });
    backends.storageNoExtra = await createWebgpuBackend({ plan: { ...TINY, candidateLists: 'storage' }, extraCandidates: 0, log });
    backends.smallCollect = await createWebgpuBackend({ plan: TINY, extraCandidates: 0, collectCapacity: 8, log });
    // The same two with the re-rank on worker threads from the first query on.
    backends.parallel = await createWebgpuBackend({ plan: TINY, rerankThreads: 3, parallelRerankMin: 1, log });
    backends.parallelSmallCollect = await createWebgpuBackend({ plan: TINY, extraCandidates: 0, collectCapacity: 8, rerankThreads: 2, parallelRerankMin: 1, log });
  });
  afterAll(async () => {
    for (const b of Object.values(backends)) await b.dispose();
  });

  it('reports the progress of a search batch by batch, serial or parallel re-rank, same results', async () => {
    const points = makePoints('normal', 300, 7, 11);
    const expected = naiveKnn(points, 7, points, 4, true);
    for (const parallel of [false, true]) {
      const reports: [number, number][] = [];
      const b = await createWebgpuBackend({
        plan: TINY, ...(parallel ? { rerankThreads: 2, parallelRerankMin: 1 } : {}), progressIntervalMs: 0, onProgress: (d, t) => reports.push([d, t]),
      });
      try {
        const index = await b.build(points, 7);
        expectSameKnn(await index.querySelf(4), expected, `parallel=${parallel}`);
        // TINY cuts 300 rows into chunks of 64 and those into batches of up to 48: one report per
        // batch, then one at the end.
        expect(reports.map(([d]) => d)).toEqual([48, 64, 112, 128, 176, 192, 240, 256, 300, 300]);
        expect(reports.every(([, t]) => t === 300)).toBe(true);
      } finally {
        await b.dispose();
      }
    }
  });

  it('stops a search between batches when its signal fires', async () => {
    const points = makePoints('normal', 300, 7, 12);
    const controller = new AbortController();
    const reason = Object.assign(new Error('stop'), { name: 'AbortError' });
    let reports = 0;
    const b = await createWebgpuBackend({
      plan: TINY, progressIntervalMs: 0, signal: controller.signal,
      onProgress: () => {
        reports++;
        controller.abort(reason);
      },
    });
    try {
      const index = await b.build(points, 7);
      await expect(index.querySelf(4)).rejects.toBe(reason);
      expect(reports).toBe(1); // the first batch, then no other
      index.dispose();
    } finally {
      await b.dispose();
    }
  });

  it('reports the adapter it runs on', () => {
    expect(probe.adapter?.backendType).toMatch(/^(vulkan|metal|d3d12|opengles)$/);
    expect(probe.limits?.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(backends.standard.name).toBe('webgpu');
    expect(notes.some((m) => m.startsWith('webgpu: '))).toBe(true);
  });

  /** Self-query and query against naive; returns the query's stats (both calls when self). */
  async function check(backend: string, kind: Kind, n: number, dim: number, k: number, seed = 1, queryKind: Kind = kind): Promise<SearchStats[]> {
    const points = makePoints(kind, n, dim, seed);
    const index = await backends[backend].build(points, dim);
    try {
      const label = `${backend} ${kind} n=${n} d=${dim} k=${k}`;
      expectSameKnn(await index.querySelf(k), naiveKnn(points, dim, points, k, true), `${label} self`);
      const selfStats = index.lastStats as SearchStats;
      // On continuous data the kernel's candidates must prove themselves: no query rescued.
      if (kind === 'uniform' && backend !== 'noExtra' && backend !== 'smallCollect') expect(selfStats.unproven, label).toBe(0);
      const queries = makePoints(queryKind, 37, dim, seed + 1000);
      queries.set(points.subarray(0, dim), 0); // an indexed point as a query: its own row is a neighbour
      expectSameKnn(await index.query(queries, k), naiveKnn(points, dim, queries, k, false), `${label} query`);
      return [selfStats, index.lastStats as SearchStats];
    } finally {
      index.dispose();
    }
  }

  for (const dim of [1, 30, 64, 100, 150]) {
    for (const k of [1, 6, 64]) {
      it(`matches the reference on uniform data, d=${dim}, k=${k}, many batches and tiles`, async () => {
        await check('tiny', 'uniform', 300, dim, k, dim * 100 + k);
      });
    }
  }

  it('matches with 1, 2 and 4 queries per invocation, partial workgroups included', async () => {
    for (const [dim, k] of [[1, 1], [3, 6], [5, 6], [12, 3]] as const) {
      await check('single', 'uniform', 301, dim, k, dim + 7);
      await check('tiny', 'uniform', 301, dim, k, dim + 7);
      await check('quad', 'uniform', 301, dim, k, dim + 7);
      await check('quadUntiled', 'uniform', 251, dim, k, dim + 7);
    }
    await check('quad', 'integer', 300, 4, 6);
  });

  it('finds the same candidates with the lists in storage as in registers', async () => {
    // Same candidates: same proofs, the same queries rescued by the collect pass and exact scans.
    const same = (a: SearchStats[], b: SearchStats[]): void => {
      for (let i = 0; i < 2; i++) expect({ ...a[i], phases: null }).toEqual({ ...b[i], phases: null });
    };
    for (const [dim, k] of [[1, 1], [5, 6], [30, 6], [3, 64]] as const) {
      same(await check('storage', 'uniform', 301, dim, k, dim + 3), await check('tiny', 'uniform', 301, dim, k, dim + 3));
      same(await check('storageQuad', 'uniform', 301, dim, k, dim + 3), await check('quad', 'uniform', 301, dim, k, dim + 3));
      if (k < 64) await check('storageUntiled', 'uniform', 251, dim, k, dim + 3);
    }
    const ties = await check('storageNoExtra', 'integer', 300, 4, 6);
    expect(ties[0].unproven).toBeGreaterThan(0);
    same(ties, await check('noExtra', 'integer', 300, 4, 6));
  });

  it('hands back the same raw candidates from every kernel variant, in (distance, index) order', async () => {
    // Below the backend: the candidate lists themselves, on integer data (many equal distances,
    // where only the lower-index-first rule decides which rows are kept and in which order).
    const gpu = await openWebgpuDevice();
    try {
      const n = 230;
      const dim = 3;
      const kc = 7;
      const points = makePoints('integer', n, dim, 4);
      const candidates = async (plan: PlanOverrides, on = gpu): Promise<{ dist: Float32Array; idx: Uint32Array }> => {
        const search = new CandidateSearch(on, plan);
        const refs = await search.upload(points, dim, sampleCenter(points, dim));
        const dist = new Float32Array(n * kc);
        const idx = new Uint32Array(n * kc);
        try {
          await search.run(refs, refs, kc, true, (b) => {
            dist.set(b.dist, b.firstRow * kc);
            idx.set(b.idx, b.firstRow * kc);
          });
        } finally {
          CandidateSearch.release(refs);
        }
        return { dist, idx };
      };
      const base = await candidates(TINY);
      for (let q = 0; q < n; q++) {
        for (let t = 1; t < kc; t++) {
          const [d0, d1] = [base.dist[q * kc + t - 1], base.dist[q * kc + t]];
          expect(d0 < d1 || (d0 === d1 && base.idx[q * kc + t - 1] < base.idx[q * kc + t]), `query ${q} slot ${t}`).toBe(true);
        }
      }
      for (const plan of [
        { ...TINY, candidateLists: 'storage' as const },
        { ...TINY, candidateLists: 'storage' as const, queriesPerThread: 4 },
        { ...TINY, queriesPerThread: 1 },
        { ...UNTILED, candidateLists: 'storage' as const },
      ]) {
        const other = await candidates(plan);
        expect(Array.from(other.idx), JSON.stringify(plan)).toEqual(Array.from(base.idx));
        expect(Array.from(other.dist), JSON.stringify(plan)).toEqual(Array.from(base.dist));
      }
      // Dawn's robustness transforms (index clamps, loop guards; off by default) change nothing.
      const robust = await openWebgpuDevice({ robustKernels: true });
      try {
        const other = await candidates(TINY, robust);
        expect(Array.from(other.idx)).toEqual(Array.from(base.idx));
        expect(Array.from(other.dist)).toEqual(Array.from(base.dist));
      } finally {
        robust.device.destroy();
      }
    } finally {
      gpu.device.destroy();
    }
  });

  it('matches with the default plan and with untiled kernels', async () => {
    const [self, query] = await check('standard', 'uniform', 700, 30, 6);
    // Where the time went: a self-query uploads nothing; a query uploads its rows; the device
    // wait, the re-rank and the whole call are measured, and the parts fit inside the whole.
    expect(self.phases.uploadMs).toBe(0);
    expect(query.phases.uploadMs).toBeGreaterThan(0);
    for (const p of [self.phases, query.phases]) {
      expect(p.submitMs + p.waitMs).toBeGreaterThan(0);
      expect(p.rerankMs).toBeGreaterThan(0);
      expect(p.collectMs + p.exactMs).toBe(0);
      expect(p.uploadMs + p.compileMs + p.submitMs + p.waitMs + p.rerankMs).toBeLessThanOrEqual(p.totalMs);
    }
    await check('standard', 'uniform', 200, 7, 64);
    await check('untiled', 'uniform', 500, 30, 6);
    await check('untiled', 'offset', 300, 150, 6);
  });

  it('re-ranks on worker threads with the same results and statistics as in the calling thread', async () => {
    for (const [dim, k] of [[30, 6], [3, 1], [7, 64]] as const) {
      const [ps, pq] = await check('parallel', 'uniform', 300, dim, k, dim + 1);
      const [ts, tq] = await check('tiny', 'uniform', 300, dim, k, dim + 1);
      expect({ ...ps, phases: null }).toEqual({ ...ts, phases: null });
      expect({ ...pq, phases: null }).toEqual({ ...tq, phases: null });
    }
    // Unproven queries come back from the workers in row order: the collect pass and the exact
    // scans see the same rows as in-thread (integer data: ties at the cut, overflowing lists).
    const [ps] = await check('parallelSmallCollect', 'integer', 400, 4, 6);
    const [ts] = await check('smallCollect', 'integer', 400, 4, 6);
    expect(ps.unproven).toBeGreaterThan(0);
    expect(ps.exactScans).toBeGreaterThan(0);
    expect({ ...ps, phases: null }).toEqual({ ...ts, phases: null });
  });

  it('matches on integer data full of ties, falling back to exact scans where needed', async () => {
    await check('tiny', 'integer', 400, 4, 6);
    await check('standard', 'integer', 400, 30, 6);
    // Without spare candidates ties at the cut go through the collect pass...
    const [ties] = await check('noExtra', 'integer', 400, 4, 6);
    expect(ties.unproven).toBeGreaterThan(0);
    expect(ties.collected).toBeGreaterThan(0);
    await check('noExtra', 'integer', 300, 1, 64);
    // ...and, when its list overflows, through the exact CPU scan.
    const [overflow] = await check('smallCollect', 'integer', 400, 4, 6);
    expect(overflow.exactScans).toBeGreaterThan(0);
    expect(overflow.exactScans + overflow.collected).toBe(overflow.unproven);
  });

  it('matches where float32 rounding reorders candidates (squared distances above 2^24)', async () => {
    // Far queries: exact integer distances a few units apart collapse or swap in float32.
    const [, far] = await check('noExtra', 'far-lattice', 400, 30, 6, 11, 'near-origin');
    expect(far.unproven).toBeGreaterThan(0);
    expect(far.collected).toBeGreaterThan(0);
    await check('smallCollect', 'far-lattice', 400, 30, 6, 11, 'near-origin');
    await check('tiny', 'far-lattice', 400, 8, 6, 12, 'near-origin');
    await check('standard', 'far-lattice', 400, 30, 64, 13, 'near-origin');
  });

  it('matches on duplicate-heavy data: duplicates are neighbours at distance 0, self is not', async () => {
    const dim = 5;
    const points = makePoints('duplicates', 360, dim, 7);
    const index = await backends.tiny.build(points, dim);
    const got = await index.querySelf(6);
    expectSameKnn(got, naiveKnn(points, dim, points, 6, true), 'duplicates');
    for (let i = 0; i < 360; i++) {
      for (let t = 0; t < 6; t++) expect(got.indices[i * 6 + t]).not.toBe(i);
    }
    expect(got.distances.filter((d) => d === 0).length).toBeGreaterThan(360);
    index.dispose();
    await check('noExtra', 'duplicates', 360, 30, 6);
    await check('smallCollect', 'duplicates', 360, 30, 6);
    await check('standard', 'duplicates', 360, 64, 64);
  });

  it('matches on data offset by 1000 and on pairs one float32 step apart', async () => {
    await check('tiny', 'offset', 400, 30, 6);
    await check('standard', 'offset', 400, 64, 6);
    await check('tiny', 'ulp-pairs', 400, 3, 6);
    await check('noExtra', 'ulp-pairs', 400, 30, 6);
    await check('standard', 'ulp-pairs', 300, 100, 64);
  });

  it('matches on every shared dataset (raw and standardized features)', async () => {
    for (const name of [...BINARY, ...MULTICLASS]) {
      const data = loadDataset(name);
      const dim = data.features.length;
      for (const scaler of [undefined, fitScaler(data, 'standard')]) {
        const points = packFeatures(data, undefined, undefined, scaler);
        const index = await backends.standard.build(points, dim);
        expectSameKnn(await index.querySelf(5), naiveKnn(points, dim, points, 5, true), `${name} ${scaler ? 'standard' : 'raw'}`);
        index.dispose();
      }
    }
  });

  it('handles k = 0, k = every other row, and k too large', async () => {
    const points = makePoints('uniform', 70, 3, 3);
    const index = await backends.tiny.build(points, 3);
    expect((await index.querySelf(0)).indices.length).toBe(0);
    expectSameKnn(await index.querySelf(69), naiveKnn(points, 3, points, 69, true), 'k = n - 1');
    expectSameKnn(await index.query(points, 70), naiveKnn(points, 3, points, 70, false), 'k = n');
    await expect(index.querySelf(70)).rejects.toBeInstanceOf(DataError);
    await expect(index.query(points, 71)).rejects.toMatchObject({ code: 'REBALANCE_K_TOO_LARGE' });
    index.dispose();
  });

  it('runs concurrent searches on one device without mixing them', async () => {
    const a = makePoints('uniform', 300, 12, 31);
    const b = makePoints('offset', 250, 12, 32);
    const [ia, ib] = await Promise.all([backends.tiny.build(a, 12), backends.tiny.build(b, 12)]);
    const [ra, rb, rq] = await Promise.all([ia.querySelf(6), ib.querySelf(6), ia.query(b, 3)]);
    expectSameKnn(ra, naiveKnn(a, 12, a, 6, true), 'concurrent a');
    expectSameKnn(rb, naiveKnn(b, 12, b, 6, true), 'concurrent b');
    expectSameKnn(rq, naiveKnn(a, 12, b, 3, false), 'concurrent query');
    ia.dispose();
    ib.dispose();
  });

  it('rejects non-finite coordinates and stays exact where float32 would overflow', async () => {
    const bad = makePoints('uniform', 50, 3, 8);
    bad[7] = Number.NaN;
    await expect(backends.standard.build(bad, 3)).rejects.toMatchObject({ code: 'REBALANCE_KNN_NONFINITE' });
    const huge = makePoints('uniform', 120, 3, 9).map((v) => v * 1e30);
    const index = await backends.standard.build(huge, 3);
    expect(index.buildPhases.centerMs).toBeGreaterThanOrEqual(0);
    expect(index.buildPhases.uploadMs).toBeGreaterThan(0);
    expectSameKnn(await index.querySelf(4), naiveKnn(huge, 3, huge, 4, true), 'huge');
    expect(index.lastStats?.exactScans).toBe(120);
    // Every query took the exact scan: the phases say so (no device wait, no re-rank).
    const { phases } = index.lastStats as SearchStats;
    expect(phases.exactMs).toBeGreaterThan(0);
    expect(phases.submitMs + phases.waitMs + phases.rerankMs).toBe(0);
    // Far from the origin but with a float32-sized spread: safe once centered, so the device runs.
    const far = makePoints('uniform', 120, 3, 11).map((v) => 1e18 + v * 1e13);
    const farIndex = await backends.standard.build(far, 3);
    expectSameKnn(await farIndex.querySelf(4), naiveKnn(far, 3, far, 4, true), 'far');
    expect(farIndex.lastStats?.exactScans).toBe(0);
    expect(farIndex.lastStats?.phases.submitMs).toBeGreaterThan(0);
    farIndex.dispose();
    const q = makePoints('uniform', 5, 3, 10);
    q[2] = Infinity;
    await expect(index.query(q, 2)).rejects.toMatchObject({ code: 'REBALANCE_KNN_NONFINITE' });
    index.dispose();
  });

  it('lays out more rows than one upload stage and finds a NaN outside the center sample', async () => {
    // 9,000 rows: more than the 8,192 rows laid out per writeBuffer and than the 4,096 rows the
    // center averages, so the layout pass alone checks most rows.
    const n = 9000;
    const points = makePoints('uniform', n, 2, 21);
    const index = await backends.standard.build(points, 2);
    const queries = makePoints('uniform', 40, 2, 22);
    expectSameKnn(await index.query(queries, 3), naiveKnn(points, 2, queries, 3, false), 'staged');
    index.dispose();
    const bad = points.slice();
    bad[2 * 8999 + 1] = Number.NaN; // row 8999: past the first stage, not a sampled row
    await expect(backends.standard.build(bad, 2)).rejects.toMatchObject({ code: 'REBALANCE_KNN_NONFINITE', message: expect.stringContaining('position 17999') });
  });

  it('turns a lost device into BackendUnavailableError, never numbers', async () => {
    const backend = await createWebgpuBackend();
    const points = makePoints('uniform', 100, 4, 5);
    const index = await backend.build(points, 4);
    await backend.dispose();
    const err = await index.querySelf(3).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err).toMatchObject({ code: 'REBALANCE_WEBGPU_FAILED' });
  });

  it("auto answers on the cpu, byte for byte, when the GPU it chose is lost", async () => {
    const gpu = await createWebgpuBackend();
    const log: string[] = [];
    const auto = createAutoBackend(createCpuBackend({ threads: 1 }), (m) => void log.push(m), { minWork: 1, openGpu: async () => gpu });
    const points = makePoints('uniform', 100, 4, 6);
    const index = await auto.build(points, 4);
    expectSameKnn(await index.querySelf(3), naiveKnn(points, 4, points, 3, true), 'auto on the GPU');
    await gpu.dispose(); // the device is gone under the index
    expectSameKnn(await index.querySelf(5), naiveKnn(points, 4, points, 5, true), 'auto after the loss');
    expect(log).toEqual([expect.stringContaining('kNN backend: webgpu'), expect.stringMatching(/^kNN backend: cpu from here on \(the GPU failed: expected the WebGPU device/)]);
    index.dispose();
    await auto.dispose();
  });

  it('with requireGpu refuses a software adapter, saying what to install', async () => {
    if (!probe.adapter?.software) return;
    const err = await createWebgpuBackend({ requireGpu: true }).then(
      async (b) => {
        await b.dispose();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err).toMatchObject({ code: 'REBALANCE_NO_ADAPTER' });
    expect((err as Error).message).toMatch(/libvulkan1/);
    expect((err as Error).message).toMatch(/libegl-dev/);
  });
});
