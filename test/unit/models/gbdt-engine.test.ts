/**
 * gbdt's WebAssembly histogram kernel (tree/hist-wasm.ts) against the TypeScript reference loop
 * (engine 'typescript'): the kernel adds the same numbers in the same order, so the fitted models
 * must be identical to the last bit (same splits, same leaf values), with numeric, categorical
 * and missing values, with and without early stopping; and applyBins' branch-free search must
 * give binOf's bins.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { createGbdt } from '../../../src/models/gbdt.js';
import { applyBins, binOf, MISSING_BIN } from '../../../src/models/tree/binning.js';
import { WasmHistograms } from '../../../src/models/tree/hist-wasm.js';
import type { Dataset } from '../../../src/types.js';

const root = join(import.meta.dirname, '..', '..', '..');

beforeAll(() => {
  if (!existsSync(join(root, 'src/models/wasm/gbdt-wasm.generated.ts'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  }
});

/** Numeric (some missing), categorical and noise features; ~15% positives depending on all. */
function mixed(n: number, seed: number, classes = 2): Dataset {
  const rng = createRng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const code: number[] = [];
  const labels: string[] = [];
  const cats = ['p', 'q', 'r', 's', 't', 'u'];
  for (let i = 0; i < n; i++) {
    const x = rng.nextNormal();
    const y = rng.nextNormal();
    const k = rng.nextInt(cats.length);
    a.push(rng.nextFloat() < 0.1 ? NaN : x);
    b.push(Math.round(y * 100) / 100);
    c.push(rng.nextNormal());
    code.push(k);
    const s = x + 0.5 * y + (k % 3 === 0 ? 1 : 0) + 0.5 * rng.nextNormal();
    labels.push(s > 1.4 ? 'pos' : classes > 2 && s < -0.8 ? 'mid' : 'neg');
  }
  return makeDataset({ features: { a, b, c, code }, labels, featureKinds: { code: 'categorical' }, categories: { code: cats } });
}

describe('gbdt histogram engines', () => {
  it.each([
    ['no early stopping', 3000, false],
    ['early stopping', 12_000, 'auto'],
  ] as const)('wasm and typescript fit bit-identical models (%s)', async (_, n, earlyStopping) => {
    const data = mixed(n, 7);
    const pos = data.classNames.indexOf('pos');
    const fit = (engine: 'wasm' | 'typescript') =>
      createGbdt({ engine, earlyStopping, maxIter: 30 }).fit(data, createRng(5), { positive: pos });
    const [w, t] = await Promise.all([fit('wasm'), fit('typescript')]);
    expect(JSON.stringify(w.toJSON())).toBe(JSON.stringify(t.toJSON()));
    expect(await w.predictProba(data)).toEqual(await t.predictProba(data));
  });

  it('the kernel is used (it builds the root histogram of its own buffers) and refuses foreign ones', async () => {
    const k = await WasmHistograms.create(100, 2, 2);
    expect(k).not.toBeNull();
    const kernel = k!;
    for (let i = 0; i < 100; i++) {
      kernel.x[i] = i % 3;
      kernel.x[100 + i] = MISSING_BIN;
      kernel.g[i] = i;
      kernel.h[i] = 1;
      kernel.rows[i] = i;
    }
    const t = { x: kernel.x, m: 100, specs: [], nonMissing: new Int32Array(2), isCategorical: new Uint8Array(2), hasMissing: new Uint8Array(2) };
    const out = kernel.hists[0];
    expect(kernel.build({ ...t, specs: [{ kind: 'numeric', thresholds: new Float64Array(2) }, { kind: 'numeric', thresholds: new Float64Array(0) }] }, kernel.rows, 0, 100, kernel.g, kernel.h, out)).toBe(true);
    // Bin 0 of feature 0 holds rows 0, 3, ..., 99: 34 rows, gradient sum 3 * (0 + ... + 33).
    expect([out[0], out[1], out[2]]).toEqual([3 * ((33 * 34) / 2), 34, 34]);
    expect(out[768 + MISSING_BIN * 3 + 2]).toBe(100);
    expect(kernel.build({ ...t, specs: [] }, new Int32Array(100), 0, 100, kernel.g, kernel.h, out)).toBe(false);
  });

  it('applyBins gives binOf of every value (thresholds of every count up to 254, NaN, +-Infinity)', () => {
    const rng = createRng(3);
    for (const nt of [0, 1, 2, 5, 127, 128, 200, 254]) {
      const th = Float64Array.from({ length: nt }, () => rng.nextNormal()).sort();
      const col = Float64Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? NaN : i % 77 === 0 ? th[i % Math.max(1, nt)] ?? 0 : 1.5 * rng.nextNormal()));
      col[1] = Infinity;
      col[2] = -Infinity;
      const data = makeDataset({ features: { v: Array.from(col) }, labels: Array.from(col, (_, i) => i % 2) });
      const got = applyBins(data, [{ kind: 'numeric', thresholds: th }]);
      expect(Array.from(got)).toEqual(Array.from(col, (v) => binOf(th, v)));
    }
  });
});
