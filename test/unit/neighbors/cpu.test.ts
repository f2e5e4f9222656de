import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../../src/core/rng.js';
import { createCpuBackend, chooseAlgorithm } from '../../../src/neighbors/cpu.js';
import { naiveKnn } from '../../../src/neighbors/naive.js';
import type { KnnBackend, KnnResult } from '../../../src/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

type Kind = 'normal' | 'ints' | 'dups' | 'offset' | 'offset-fine' | 'tiny' | 'huge' | 'cluster';
const KINDS: Kind[] = ['normal', 'ints', 'dups', 'offset', 'offset-fine', 'tiny', 'huge', 'cluster'];

/** Row-major n x dim data of one adversarial kind. */
function makeData(kind: Kind, n: number, dim: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * dim);
  if (kind === 'dups') {
    const pool = Math.max(1, n >> 3);
    const base = makeData('normal', pool, dim, rng);
    for (let i = 0; i < n; i++) {
      const r = rng.nextInt(pool);
      out.set(base.subarray(r * dim, r * dim + dim), i * dim);
    }
    return out;
  }
  if (kind === 'cluster') {
    // Half the rows sit within a few ulps of one point: seen from the other half their distances
    // differ by float32 rounding only, so float32 and float64 rankings disagree.
    const v = makeData('normal', 1, dim, rng);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dim; j++) {
        out[i * dim + j] = i % 2 === 0 ? v[j] + (rng.nextInt(7) - 3) * 2 ** -22 : rng.nextNormal();
      }
    }
    return out;
  }
  for (let i = 0; i < out.length; i++) {
    switch (kind) {
      case 'normal': out[i] = rng.nextNormal(); break;
      case 'ints': out[i] = rng.nextInt(3); break;
      case 'offset': out[i] = 1000 + rng.nextNormal(); break;
      case 'offset-fine': out[i] = 1000 + rng.nextNormal() * 1e-3; break; // near the float32 grid at 1000
      case 'tiny': out[i] = rng.nextNormal() * 1e-22; break; // float32 squares underflow
      case 'huge': out[i] = rng.nextNormal() * 1e30; break; // float32 squares overflow: exact path
      default: throw new Error(kind);
    }
  }
  return out;
}

function expectSame(actual: KnnResult, expected: KnnResult): void {
  expect(actual.k).toBe(expected.k);
  expect(actual.indices).toEqual(expected.indices);
  expect(Buffer.from(actual.distances.buffer, actual.distances.byteOffset, actual.distances.byteLength))
    .toEqual(Buffer.from(expected.distances.buffer, expected.distances.byteOffset, expected.distances.byteLength));
}

const caseArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  n: fc.integer({ min: 2, max: 160 }),
  dim: fc.integer({ min: 1, max: 70 }),
  kRaw: fc.integer({ min: 1, max: 64 }),
  m: fc.integer({ min: 1, max: 40 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

let brute1: KnnBackend;
let oneSided: KnnBackend;
let kd1: KnnBackend;
let brute2: KnnBackend;
let brute4: KnnBackend;
let kd4: KnnBackend;

beforeAll(() => {
  if (!existsSync(join(root, 'src/neighbors/wasm/knn-wasm.generated.ts'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  }
  brute1 = createCpuBackend({ threads: 1, algorithm: 'brute' });
  oneSided = createCpuBackend({ threads: 1, algorithm: 'brute', symmetric: false });
  kd1 = createCpuBackend({ threads: 1, algorithm: 'kd-tree' });
  brute2 = createCpuBackend({ threads: 2, algorithm: 'brute', parallelThreshold: 0 });
  brute4 = createCpuBackend({ threads: 4, algorithm: 'brute', parallelThreshold: 0 });
  kd4 = createCpuBackend({ threads: 4, algorithm: 'kd-tree', parallelThreshold: 0 });
}, 60_000);

afterAll(async () => {
  await Promise.all([brute1, oneSided, kd1, brute2, brute4, kd4].map((b) => b?.dispose()));
});

describe('cpu kNN equals the float64 reference', () => {
  it('querySelf and query, brute and kd-tree, on adversarial data', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ kind, n, dim, kRaw, m, seed }) => {
        const rng = createRng(seed);
        const pts = makeData(kind, n, dim, rng.fork('points'));
        const k = Math.min(kRaw, n - 1);
        const qs = makeData(kind, m, dim, rng.fork('queries'));
        // Some queries coincide with indexed rows (distance 0, ties with duplicates).
        for (let q = 0; q < m; q += 3) qs.set(pts.subarray((q % n) * dim, (q % n) * dim + dim), q * dim);
        const selfRef = naiveKnn(pts, dim, pts, k, true);
        const kq = Math.min(kRaw, n);
        const queryRef = naiveKnn(pts, dim, qs, kq, false);
        for (const backend of [brute1, oneSided, kd1]) {
          const index = await backend.build(pts, dim);
          expectSame(await index.querySelf(k), selfRef);
          expectSame(await index.query(qs, kq), queryRef);
          index.dispose();
        }
      }),
      { seed: 20261128, numRuns: 60 },
    );
  }, 60_000);

  it('near-ties that float32 ranks differently (a point cloud a few ulps wide)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ n, dim, kRaw, seed }) => {
        const pts = makeData('cluster', n, dim, createRng(seed));
        const k = Math.min(kRaw, n - 1);
        const expected = naiveKnn(pts, dim, pts, k, true);
        for (const backend of [brute1, oneSided]) {
          const index = await backend.build(pts, dim);
          expectSame(await index.querySelf(k), expected);
          index.dispose();
        }
      }),
      { seed: 11, numRuns: 40 },
    );
  }, 30_000);

  it('keeps a duplicate of the query row at another index (self excluded by row id)', async () => {
    const pts = new Float32Array([0, 0, 5, 5, 0, 0, 1, 1]); // rows 0 and 2 coincide
    for (const backend of [brute1, kd1]) {
      const index = await backend.build(pts, 2);
      const r = await index.querySelf(2);
      expect(Array.from(r.indices)).toEqual([2, 3, 3, 0, 0, 3, 0, 2]);
      expect(Array.from(r.distances.subarray(0, 2))).toEqual([0, Math.fround(Math.SQRT2)]);
      index.dispose();
    }
  });
});

describe('identical bytes across thread counts and algorithms', () => {
  it('threads 1, 2, 4 and brute vs kd-tree', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kind: fc.constantFrom<Kind>('normal', 'ints', 'dups', 'offset'),
          n: fc.integer({ min: 65, max: 600 }),
          dim: fc.integer({ min: 1, max: 12 }),
          k: fc.integer({ min: 1, max: 64 }),
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        }),
        async ({ kind, n, dim, k, seed }) => {
          const rng = createRng(seed);
          const pts = makeData(kind, n, dim, rng.fork('points'));
          const qs = makeData(kind, 50, dim, rng.fork('queries'));
          const results: KnnResult[][] = [];
          for (const backend of [brute1, brute2, brute4, oneSided, kd1, kd4]) {
            const index = await backend.build(pts, dim);
            results.push([await index.querySelf(k), await index.query(qs, k)]);
            index.dispose();
          }
          for (const r of results.slice(1)) {
            expectSame(r[0], results[0][0]);
            expectSame(r[1], results[0][1]);
          }
        },
      ),
      { seed: 7, numRuns: 10 },
    );
  }, 60_000);

  it('a larger brute self-query splits over workers into the same bytes', async () => {
    const rng = createRng(3);
    const dim = 30;
    const pts = makeData('normal', 3000, dim, rng);
    const a = await (await brute1.build(pts, dim)).querySelf(6);
    const b = await (await brute2.build(pts, dim)).querySelf(6);
    expectSame(b, a);
    // Spot-check a few rows against the reference (full naive on 3000 rows is slow).
    for (const q of [0, 1234, 2999]) {
      const ref = naiveKnn(pts, dim, pts.subarray(q * dim, q * dim + dim), 7, false);
      const expected = Array.from(ref.indices).filter((i) => i !== q).slice(0, 6);
      expect(Array.from(a.indices.subarray(q * 6, q * 6 + 6))).toEqual(expected);
    }
  }, 30_000);
});

describe('errors and edge cases', () => {
  it('rejects k above the available neighbours with REBALANCE_K_TOO_LARGE', async () => {
    const index = await brute1.build(new Float32Array([0, 1, 2]), 1);
    await expect(index.querySelf(3)).rejects.toMatchObject({ code: 'REBALANCE_K_TOO_LARGE' });
    await expect(index.query(new Float32Array([0]), 4)).rejects.toMatchObject({ code: 'REBALANCE_K_TOO_LARGE' });
    expect((await index.querySelf(2)).indices).toEqual(new Int32Array([1, 2, 0, 2, 1, 0]));
    const empty = await index.querySelf(0);
    expect(empty.indices.length).toBe(0);
  });

  it('rejects non-finite coordinates with a DataError', async () => {
    await expect(brute1.build(new Float32Array([0, NaN]), 1)).rejects.toMatchObject({ code: 'REBALANCE_KNN_NONFINITE' });
    const index = await kd1.build(new Float32Array([0, 1]), 1);
    await expect(index.query(new Float32Array([Infinity]), 1)).rejects.toMatchObject({ code: 'REBALANCE_KNN_NONFINITE' });
  });

  it('fails clearly once the backend is disposed', async () => {
    const backend = createCpuBackend({ threads: 2, parallelThreshold: 0 });
    const index = await backend.build(new Float32Array([0, 1, 2, 3]), 1);
    // Ties at distance 1 go to the lower row id.
    expect((await index.querySelf(1)).indices).toEqual(new Int32Array([1, 0, 1, 2]));
    await backend.dispose();
    await expect(index.querySelf(1)).rejects.toThrow(/disposed/);
    await expect(backend.build(new Float32Array([0]), 1)).rejects.toThrow(/disposed/);
  });

  it('auto uses the kd-tree only in low dimension', () => {
    expect(chooseAlgorithm(10_000, 3)).toBe('kd-tree');
    expect(chooseAlgorithm(10_000, 30)).toBe('brute');
  });
});
