import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packForKnn } from '../../../src/dataset/pack.js';
import { createCpuBackend } from '../../../src/neighbors/cpu.js';
import { naiveKnn } from '../../../src/neighbors/naive.js';
import type { KnnBackend } from '../../../src/types.js';
import { BINARY, MULTICLASS, loadDataset } from '../../helpers/datasets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
let brute: KnnBackend;
let kd: KnnBackend;

beforeAll(() => {
  if (!existsSync(join(root, 'src/neighbors/wasm/knn-wasm.generated.ts'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  }
  brute = createCpuBackend({ threads: 2, algorithm: 'brute', parallelThreshold: 0 });
  kd = createCpuBackend({ threads: 1, algorithm: 'kd-tree' });
}, 60_000);

afterAll(async () => {
  await brute?.dispose();
  await kd?.dispose();
});

describe('cpu kNN on the shared real datasets equals the float64 reference', () => {
  for (const name of [...BINARY, ...MULTICLASS]) {
    for (const scale of ['none', 'standard'] as const) {
      it(`${name} (${scale} scaling), querySelf(5)`, async () => {
        const data = loadDataset(name);
        // Cap the reference's O(n^2) cost: the first 1200 rows (optical_digits has 5620).
        const rows = Array.from({ length: Math.min(data.nRows, 1200) }, (_, i) => i);
        const dim = data.features.length;
        const pts = packForKnn(data, scale, rows);
        const expected = naiveKnn(pts, dim, pts, 5, true);
        for (const backend of [brute, kd]) {
          const index = await backend.build(pts, dim);
          const got = await index.querySelf(5);
          index.dispose();
          expect(got.indices).toEqual(expected.indices);
          expect(got.distances).toEqual(expected.distances);
        }
      }, 20_000);
    }
  }
});
