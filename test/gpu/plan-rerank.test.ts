/**
 * The GPU-free parts of the webgpu backend: the batching plan respects every device limit, and
 * the exact re-rank accepts only candidate sets it can prove complete (else scans exactly).
 * These run on every machine, adapter or not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { naiveKnn } from '../../src/neighbors/naive.js';
import { knnKernelSource, NO_INDEX, rowStride } from '../../src/neighbors/webgpu/kernels.js';
import { planSearch, type PlanLimits } from '../../src/neighbors/webgpu/plan.js';
import { allocateResult, collectBound, distanceErrorBound, expansionSlack, rerankBatch, rerankKit, rerankList, type RerankKit } from '../../src/neighbors/webgpu/rerank.js';
import { scanIndexed } from '../../src/neighbors/checks.js';
import { prepareRows } from '../../src/neighbors/webgpu/search.js';
import { expectSameKnn, makePoints } from './data.js';

const COMPAT: PlanLimits = {
  maxStorageBufferBindingSize: 134217728,
  maxBufferSize: 268435456,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 128,
  maxComputeWorkgroupSizeX: 128,
  maxComputeWorkgroupsPerDimension: 65535,
  minUniformBufferOffsetAlignment: 256,
};

describe('planSearch', () => {
  it('keeps every buffer, tile and dispatch within the device limits', () => {
    const limits = fc.record({
      maxStorageBufferBindingSize: fc.integer({ min: 1 << 12, max: 2 ** 32 - 1 }),
      maxBufferSize: fc.integer({ min: 1 << 12, max: 2 ** 40 }),
      maxComputeWorkgroupStorageSize: fc.integer({ min: 1024, max: 65536 }),
      maxComputeInvocationsPerWorkgroup: fc.integer({ min: 16, max: 1024 }),
      maxComputeWorkgroupSizeX: fc.integer({ min: 16, max: 1024 }),
      maxComputeWorkgroupsPerDimension: fc.integer({ min: 1, max: 65535 }),
      minUniformBufferOffsetAlignment: fc.constantFrom(16, 32, 64, 256),
    });
    const overrides = fc.record(
      {
        rowsPerChunk: fc.integer({ min: 1, max: 1 << 22 }),
        queriesPerBatch: fc.integer({ min: 1, max: 1 << 22 }),
        refsPerDispatch: fc.integer({ min: 1, max: 1 << 22 }),
        tileRows: fc.integer({ min: 0, max: 4096 }),
        workgroupSize: fc.integer({ min: 1, max: 2048 }),
        queriesPerThread: fc.integer({ min: 0, max: 8 }),
        candidateLists: fc.constantFrom('registers' as const, 'storage' as const),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(limits, fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 200 }), overrides, (l, dim, kc, o) => {
        const p = planSearch(l, dim, kc, o);
        const bind = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
        const rowBytes = Math.ceil(dim / 4) * 16;
        expect(p.rowsPerChunk * rowBytes).toBeLessThanOrEqual(bind);
        expect(p.queriesPerBatch * kc * 4).toBeLessThanOrEqual(bind);
        expect(p.queriesPerBatch).toBeLessThanOrEqual(p.rowsPerChunk);
        expect(p.workgroupSize).toBeLessThanOrEqual(Math.min(l.maxComputeInvocationsPerWorkgroup, l.maxComputeWorkgroupSizeX));
        expect(Math.ceil(p.queriesPerBatch / p.workgroupSize)).toBeLessThanOrEqual(l.maxComputeWorkgroupsPerDimension);
        expect(p.tileRows * rowBytes).toBeLessThanOrEqual(l.maxComputeWorkgroupStorageSize);
        expect(p.refsPerDispatch).toBeGreaterThanOrEqual(1);
        expect(p.refsPerDispatch).toBeLessThanOrEqual(p.rowsPerChunk);
        expect(p.paramsStride % l.minUniformBufferOffsetAlignment).toBe(0);
        if (o.rowsPerChunk !== undefined) expect(p.rowsPerChunk).toBeLessThanOrEqual(o.rowsPerChunk);
        if (o.queriesPerBatch !== undefined) expect(p.queriesPerBatch).toBeLessThanOrEqual(o.queriesPerBatch);
        if (o.tileRows !== undefined) expect(p.tileRows).toBeLessThanOrEqual(o.tileRows);
        expect([1, 2, 4]).toContain(p.queriesPerThread);
        if (p.queriesPerThread > 1) {
          expect(dim).toBeLessThanOrEqual(128);
          if (p.candidateLists === 'storage') expect(p.queriesPerThread * (rowBytes / 4 + 4)).toBeLessThanOrEqual(160);
          else expect(p.queriesPerThread * (rowBytes / 4 + 2 * kc)).toBeLessThanOrEqual(128);
        }
        if (o.queriesPerThread) expect(p.queriesPerThread).toBeLessThanOrEqual(o.queriesPerThread);
        expect(p.candidateLists).toBe(o.candidateLists ?? 'registers');
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('fits 1M x 30 in one compatibility-mode binding and tiles it in workgroup memory', () => {
    const p = planSearch(COMPAT, 30, 14);
    // Rows padded to 32 floats (vec4s).
    expect(p.rowsPerChunk).toBe(134217728 / 128);
    expect(p.rowsPerChunk).toBeGreaterThanOrEqual(1_000_000);
    expect(p.tileRows).toBe(16384 / 128);
    expect(p.workgroupSize).toBe(128);
    expect(planSearch(COMPAT, 5000, 14).tileRows).toBe(0);
  });

  it('keeps lists in registers unless told, and allows 4 queries per invocation at 30 features only without them', () => {
    expect(planSearch(COMPAT, 30, 14).candidateLists).toBe('registers');
    expect(planSearch(COMPAT, 30, 14, { queriesPerThread: 4 }).queriesPerThread).toBe(2);
    expect(planSearch(COMPAT, 30, 14, { queriesPerThread: 4, candidateLists: 'storage' }).queriesPerThread).toBe(4);
    expect(() => planSearch(COMPAT, 30, 14, { candidateLists: 'shared' as never })).toThrow(/candidateLists must be/);
  });

  it('names the limit when one row cannot be bound', () => {
    expect(() => planSearch({ ...COMPAT, maxStorageBufferBindingSize: 64 }, 30, 6)).toThrow(/binding limit/);
  });
});

describe('knnKernelSource', () => {
  it('bakes the shape: the top-k kernel expands |q|^2 + |r|^2 - 2 q.r, the others sum squared differences', () => {
    const src = knnKernelSource({ dim: 30, kc: 14, tileRows: 136, workgroupSize: 128 });
    expect(src).toContain('const DIM4: u32 = 8u;');
    expect(src).toContain('const KC: u32 = 14u;');
    expect(src).toContain('var<workgroup> tile: array<array<vec4<f32>, DIM4>, TILE>;');
    // One register per vec4 of each query (30 coordinates + the norm slot = 8 vec4s), unrolled;
    // the query's norm slot (vec4 7, component 2) becomes nq and is replaced by -1/2.
    for (let j = 0; j < 8; j++) expect(src).toContain(`{ let rv = tile[r][${j}u]; a0 = fma(q0_${j}, rv, a0); }`);
    expect(src).not.toContain('q0_8');
    expect(src).toContain('nq0 = q0_7[2u];');
    expect(src).toContain('q0_7[2u] = -0.5;');
    expect(src).toContain('let s = nq0 - 2.0 * ((a0.x + a0.y) + (a0.z + a0.w));');
    // The per-row test reads a register, refreshed only after an insertion.
    expect(src).toContain('if (s < worst0 && gi != self0)');
    const two = knnKernelSource({ dim: 30, kc: 14, tileRows: 136, workgroupSize: 128, queriesPerThread: 2 });
    expect(two).toContain('{ let rv = tile[r][7u]; a0 = fma(q0_7, rv, a0); a1 = fma(q1_7, rv, a1); }');
    expect(two).toContain('let qi1 = first + 1u * WG;');
    expect(() => knnKernelSource({ dim: 30, kc: 14, tileRows: 136, workgroupSize: 128, queriesPerThread: 3 })).toThrow(/1, 2 or 4/);
    expect(() => knnKernelSource({ dim: 300, kc: 14, tileRows: 0, workgroupSize: 128, queriesPerThread: 2 })).toThrow(/private queries/);
    // Lists in storage: no private arrays, every list access goes to the candidate buffers, and
    // nothing is copied back at the end.
    const stored = knnKernelSource({ dim: 30, kc: 14, tileRows: 136, workgroupSize: 128, queriesPerThread: 2, lists: 'storage' });
    expect(stored).not.toContain('var bd0');
    expect(stored).toContain('let td = candDist[slot1 + t];');
    expect(stored).toContain('worst0 = candDist[slot0 + KC - 1u];');
    expect(stored).not.toContain('= bd0[t];');
    expect(two).toContain('candDist[slot0 + t] = bd0[t];');
    expect(() => knnKernelSource({ dim: 30, kc: 14, tileRows: 136, workgroupSize: 128, lists: 'shared' as never })).toThrow(/registers' or 'storage/);
    // The collect kernel: direct differences with the norm slot masked out.
    const collect = knnKernelSource({ dim: 30, kc: 14, tileRows: 136, workgroupSize: 128, mode: 'collect' });
    expect(collect).toContain('{ var df = q7 - tile[rb + 7u]; df[2u] = 0.0; s += dot(df, df); }');
    expect(collect).toContain('if (s <= bound && gi != selfIdx)');
    const untiled = knnKernelSource({ dim: 300, kc: 7, tileRows: 0, workgroupSize: 64 });
    expect(untiled).not.toContain('workgroupBarrier');
    expect(untiled).toContain('var df = queries[qo + j] - refs[(p.refStart + r) * DIM4 + j];');
    expect(untiled).toContain('if (j == 75u) { df[0u] = 0.0; }');
  });
});

/** Float32 kernel-like candidates for each query: (f32 distance, index) order, kc kept. */
function fakeCandidates(points: Float32Array, dim: number, queries: Float32Array, kc: number, self: boolean, drop: (q: number, rank: number) => boolean) {
  const n = points.length / dim;
  const m = queries.length / dim;
  const dist = new Float32Array(m * kc).fill(3.4028234663852886e38);
  const idx = new Uint32Array(m * kc).fill(NO_INDEX);
  for (let q = 0; q < m; q++) {
    const f: { d: number; i: number }[] = [];
    for (let i = 0; i < n; i++) {
      if (self && i === q) continue;
      let s = 0;
      for (let j = 0; j < dim; j++) {
        const df = Math.fround(queries[q * dim + j] - points[i * dim + j]);
        s = Math.fround(s + Math.fround(df * df));
      }
      f.push({ d: s, i });
    }
    f.sort((a, b) => a.d - b.d || a.i - b.i);
    const kept = f.filter((_, rank) => !drop(q, rank)).slice(0, kc);
    kept.forEach((c, t) => {
      dist[q * kc + t] = c.d;
      idx[q * kc + t] = c.i;
    });
  }
  return { dist, idx };
}

describe('rerankBatch', () => {
  const dim = 6;
  const points = makePoints('uniform', 200, dim, 21);

  it('takes provably complete candidates as they are, without exact scans', () => {
    const k = 5;
    const { dist, idx } = fakeCandidates(points, dim, points, k + 4, true, () => false);
    const out = allocateResult(200, k);
    const scans = rerankBatch(points, dim, points, { kc: k + 4, count: 200, dist, idx, firstRow: 0, self: true }, out);
    expect(scans).toBe(0);
    expectSameKnn(out, naiveKnn(points, dim, points, k, true), 'complete candidates');
  });

  it('re-ranks candidates in exact order whatever order the kernel left them in', () => {
    const k = 5;
    const kc = k + 4;
    const { dist, idx } = fakeCandidates(points, dim, points, kc, true, () => false);
    // Reverse all but the last slot (the proof reads the last slot as the largest kept distance).
    for (let q = 0; q < 200; q++) {
      idx.subarray(q * kc, q * kc + kc - 1).reverse();
      dist.subarray(q * kc, q * kc + kc - 1).reverse();
    }
    const out = allocateResult(200, k);
    expect(rerankBatch(points, dim, points, { kc, count: 200, dist, idx, firstRow: 0, self: true }, out)).toBe(0);
    expectSameKnn(out, naiveKnn(points, dim, points, k, true), 'shuffled candidates');
  });

  it('scans exactly when the cut is within float32 error of the last candidate', () => {
    const k = 5;
    // No spare candidate: the k-th exact distance is the last kept one, so nothing is proven.
    const tight = fakeCandidates(points, dim, points, k, true, () => false);
    const out = allocateResult(200, k);
    expect(rerankBatch(points, dim, points, { kc: k, count: 200, dist: tight.dist, idx: tight.idx, firstRow: 0, self: true }, out)).toBe(200);
    expectSameKnn(out, naiveKnn(points, dim, points, k, true), 'tight candidates');
    // One spare whose float32 distance sits within the error bound of the k-th: still a scan.
    const spare = fakeCandidates(points, dim, points, k + 1, true, () => false);
    const { rel } = distanceErrorBound(dim);
    for (let q = 0; q < 200; q++) spare.dist[q * (k + 1) + k] = Math.fround(spare.dist[q * (k + 1) + k - 1] * (1 + rel / 4));
    const out2 = allocateResult(200, k);
    expect(rerankBatch(points, dim, points, { kc: k + 1, count: 200, dist: spare.dist, idx: spare.idx, firstRow: 0, self: true }, out2)).toBe(200);
    expectSameKnn(out2, naiveKnn(points, dim, points, k, true), 'near-tie spare');
  });

  it('builds the same functions from its source text alone, as the re-rank workers do', () => {
    const kit = new Function(`return (${rerankKit.toString()})();`)() as RerankKit;
    expect(NO_INDEX).toBe(0xffffffff);
    expect(rerankKit.toString()).toMatch(/const NONE = (0xffffffff|4294967295);/);
    const k = 4;
    const { dist, idx } = fakeCandidates(points, dim, points, k + 3, true, () => false);
    idx[5 * 7 + 6] = NO_INDEX;
    dist.fill(dist[9 * 7 + 3], 9 * 7 + 4, 9 * 7 + 7); // query 9: the spares tie the k-th
    const seen: [number, number][][] = [[], []];
    const outs = [allocateResult(200, k), allocateResult(200, k)];
    const slack = expansionSlack(dim, new Float64Array(200).fill(3), 4);
    [rerankBatch, kit.rerankBatch].forEach((run, i) =>
      run(points, dim, points, { kc: k + 3, count: 200, dist, idx, firstRow: 0, self: true }, outs[i], (row, bound) => void seen[i].push([row, bound]), slack),
    );
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0].map(([row]) => row)).toEqual([5, 9]);
    expect(outs[1]).toEqual(outs[0]);
  });

  it('rejects empty slots, out-of-range indices and the query itself', () => {
    const k = 3;
    const { dist, idx } = fakeCandidates(points, dim, points, k + 4, true, () => false);
    idx[0 * 7 + 6] = NO_INDEX; // query 0: one slot empty
    idx[1 * 7 + 2] = 100000; // query 1: index out of range
    idx[2 * 7 + 1] = 2; // query 2: itself
    const out = allocateResult(200, k);
    expect(rerankBatch(points, dim, points, { kc: k + 4, count: 200, dist, idx, firstRow: 0, self: true }, out)).toBe(3);
    expectSameKnn(out, naiveKnn(points, dim, points, k, true), 'bad slots');
  });

  it('ranks a collected list exactly, and refuses lists that are short or hold the query itself', () => {
    const k = 4;
    const want = naiveKnn(points, dim, points, k, true);
    const out = allocateResult(200, k);
    const cd = new Float64Array(k);
    const ci = new Int32Array(k);
    for (let row = 0; row < 200; row++) {
      // A superset of the true top k, in descending index order.
      const list = Uint32Array.from({ length: 200 }, (_, t) => 199 - t).filter((i) => i !== row);
      expect(rerankList(points, dim, points, row, row, list, out, cd, ci)).toBe(true);
    }
    expectSameKnn(out, want, 'collected lists');
    expect(rerankList(points, dim, points, 3, 3, Uint32Array.from([0, 1, 2, 3, 4]), out, cd, ci)).toBe(false);
    expect(rerankList(points, dim, points, 3, 3, Uint32Array.from([0, 1, 2]), out, cd, ci)).toBe(false);
    expect(rerankList(points, dim, points, 3, 3, Uint32Array.from([0, 1, 2, 900]), out, cd, ci)).toBe(false);
  });

  it('bounds float32 sums of squares, in any order, by the error bound and the collect bound', () => {
    const f32 = Math.fround;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom(0, 1, 1000, 4000, 1e6),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (dim, offset, seed) => {
          const q = makePoints('uniform', 1, dim, seed).map((v) => f32(offset + v * (seed % 7 === 0 ? 1e-3 : 1)));
          const r = makePoints('uniform', 1, dim, seed + 1).map((v) => f32(offset + v));
          let exact = 0;
          let forward = 0;
          let backward = 0;
          let paired = 0;
          for (let j = 0; j < dim; j++) {
            const e = q[j] - r[j];
            exact += e * e;
            const df = f32(q[j] - r[j]);
            forward = f32(forward + f32(df * df));
            const db = f32(q[dim - 1 - j] - r[dim - 1 - j]);
            backward = f32(backward + f32(db * db));
          }
          for (let j = 0; j < dim; j += 4) {
            // vec4 dot products summed, as the kernel does.
            let part = 0;
            for (let t = j; t < Math.min(dim, j + 4); t++) part = f32(part + f32(f32(q[t] - r[t]) ** 2));
            paired = f32(paired + part);
          }
          const { rel, abs } = distanceErrorBound(dim);
          for (const f of [forward, backward, paired]) {
            expect(Math.abs(f - exact)).toBeLessThanOrEqual(rel * exact + abs);
            expect(f).toBeLessThanOrEqual(collectBound(exact, dim));
          }
        },
      ),
      { numRuns: 400, seed: 9 },
    );
  });

  it('bounds the centered float32 expansion |q|^2 + |r|^2 - 2 q.r by expansionSlack, offsets included', () => {
    const f32 = Math.fround;
    const fma = (a: number, b: number, c: number): number => f32(a * b + c); // a*b is exact in float64
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom(0, 1, 1000, 4000, 1e6),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (dim, offset, n, seed) => {
          // n indexed rows around `offset` (one of them sometimes far out), one query near them.
          const scale = seed % 5 === 0 ? 1e-3 : 1;
          const pts = makePoints('uniform', n, dim, seed).map((v, i) => f32(offset + v * scale * (i < dim && seed % 3 === 0 ? 50 : 1)));
          const q = makePoints('uniform', 1, dim, seed + 1).map((v) => f32(offset + v * scale));
          const { mean } = scanIndexed(pts, dim);
          const stride = rowStride(dim);
          const laidR = new Float32Array(n * stride);
          const norms = new Float64Array(n);
          const maxNorm = prepareRows(pts, dim, mean, 0, n, laidR, norms);
          const laidQ = new Float32Array(stride);
          const qNorm = new Float64Array(1);
          prepareRows(q, dim, mean, 0, 1, laidQ, qNorm);
          const [slack] = expansionSlack(dim, qNorm, maxNorm);
          const { rel, abs } = distanceErrorBound(dim);
          // The kernel: nq from the norm slot, which becomes -1/2; four fused partial sums.
          const qv = Float32Array.from(laidQ);
          const nq = qv[dim];
          qv[dim] = -0.5;
          for (let r = 0; r < n; r++) {
            const acc = [0, 0, 0, 0];
            for (let j = 0; j < stride; j++) acc[j % 4] = fma(qv[j], laidR[r * stride + j], acc[j % 4]);
            const f = f32(nq - f32(2 * f32(f32(acc[0] + acc[1]) + f32(acc[2] + acc[3]))));
            let exact = 0;
            for (let j = 0; j < dim; j++) exact += (q[j] - pts[r * dim + j]) ** 2;
            expect(Math.abs(f - exact)).toBeLessThanOrEqual(rel * exact + abs + slack);
            // The collect kernel's direct differences of centered rows stay under the collect bound.
            let direct = 0;
            for (let j = 0; j < dim; j++) direct = f32(direct + f32(f32(laidQ[j] - laidR[r * stride + j]) ** 2));
            expect(direct).toBeLessThanOrEqual(collectBound(exact, dim, slack));
          }
        },
      ),
      { numRuns: 300, seed: 21 },
    );
  });

  it('bounds the float32 error above what the kernel can make', () => {
    for (const d of [1, 30, 100]) {
      const { rel, abs } = distanceErrorBound(d);
      expect(rel).toBeGreaterThan(((d + 2) * 2 ** -24) / (1 - (d + 2) * 2 ** -24));
      expect(rel).toBeLessThan(1e-4);
      expect(abs).toBeGreaterThan(d * 2 ** -126);
    }
  });
});
