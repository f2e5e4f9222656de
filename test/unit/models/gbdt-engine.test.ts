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
import { applyBins, BINNING_SUBSAMPLE, binOf, fitBins, MISSING_BIN } from '../../../src/models/tree/binning.js';
import { PARALLEL_ROWS, WasmHistograms } from '../../../src/models/tree/hist-wasm.js';
import { logisticGradients } from '../../../src/models/tree/loss.js';
import type { Dataset } from '../../../src/types.js';

const root = join(import.meta.dirname, '..', '..', '..');

beforeAll(() => {
  if (!existsSync(join(root, 'src/models/wasm/gbdt-wasm.generated.ts'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  }
});

/** Numeric (some missing), categorical and noise features; ~15% positives depending on all. */
function mixed(n: number, seed: number, classes = 2, noise = 0): Dataset {
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
  const extra: Record<string, number[]> = {};
  for (let j = 0; j < noise; j++) extra[`n${j}`] = Array.from({ length: n }, (_, i) => Math.round(((i * 7919 + j * 104729) % 1000) / 10) + a[i] * j);
  return makeDataset({ features: { a, b, c, code, ...extra }, labels, featureKinds: { code: 'categorical' }, categories: { code: cats } });
}

describe('gbdt histogram engines', () => {
  it.each([
    ['no early stopping', 3000, false, 2],
    ['early stopping', 12_000, 'auto', 2],
    ['three classes, multinomial', 4000, 'auto', 3],
  ] as const)('wasm and typescript fit bit-identical models (%s)', async (_, n, earlyStopping, classes) => {
    const data = mixed(n, 7, classes);
    expect(data.classNames).toHaveLength(classes);
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

  it('threads: feature blocks on 3 threads give the one-thread histogram exactly (root and scattered rows)', async () => {
    const m = 3 * PARALLEL_ROWS + 123;
    const d = 13;
    const one = (await WasmHistograms.create(m, d, 1, 1))!;
    const many = (await WasmHistograms.create(m, d, 1, 3))!;
    try {
      const rng = createRng(9);
      for (let i = 0; i < m * d; i++) one.x[i] = many.x[i] = rng.nextInt(256);
      for (let i = 0; i < m; i++) {
        one.g[i] = many.g[i] = rng.nextNormal();
        one.h[i] = many.h[i] = rng.nextFloat();
        one.rows[i] = many.rows[i] = i;
      }
      const spec = { kind: 'numeric' as const, thresholds: new Float64Array(254) };
      const t = (x: Uint8Array) => ({ x, m, specs: Array(d).fill(spec), nonMissing: new Int32Array(d), isCategorical: new Uint8Array(d), hasMissing: new Uint8Array(d) });
      for (const end of [m, Math.floor(m / 2)]) {
        if (end !== m) for (let k = 0; k < end; k++) one.rows[k] = many.rows[k] = 2 * k;
        const a = one.hists[0].fill(0);
        const b = many.hists[0].fill(0);
        expect(one.build(t(one.x), one.rows, 0, end, one.g, one.h, a)).toBe(true);
        expect(many.build(t(many.x), many.rows, 0, end, many.g, many.h, b)).toBe(true);
        expect(b).toEqual(a);
        expect(b[d * 768 - 1]).toBeGreaterThan(0);
      }
    } finally {
      one.dispose();
      many.dispose();
    }
  });

  it('threads: a fit on 3 threads is bit-identical to the TypeScript one', async () => {
    const data = mixed(2 * PARALLEL_ROWS + 5000, 8, 2, 6); // 10 features: 3 blocks
    const pos = data.classNames.indexOf('pos');
    const fit = (threads: number, engine: 'wasm' | 'typescript') =>
      createGbdt({ engine, threads, maxIter: 8, earlyStopping: false }).fit(data, createRng(5), { positive: pos });
    const [a, b] = [await fit(1, 'typescript'), await fit(3, 'wasm')];
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
  });

  it('after prepareRows: row-major node histograms and the root with table counts equal the column-major ones, on 1 and 3 threads', async () => {
    const m = 3 * PARALLEL_ROWS + 77;
    const d = 11;
    for (const threads of [1, 3]) {
      const k = (await WasmHistograms.create(m, d, 2, threads))!;
      try {
        const rng = createRng(4);
        for (let i = 0; i < m * d; i++) k.x[i] = rng.nextInt(256);
        for (let i = 0; i < m; i++) {
          k.g[i] = rng.nextNormal();
          k.h[i] = rng.nextFloat();
        }
        let n = 0;
        for (let i = 0; i < m; i++) if (rng.nextFloat() < 0.6) k.rows[n++] = i;
        const spec = { kind: 'numeric' as const, thresholds: new Float64Array(254) };
        const t = { x: k.x, m, specs: Array(d).fill(spec), nonMissing: new Int32Array(d), isCategorical: new Uint8Array(d), hasMissing: new Uint8Array(d) };
        const [col, row] = [k.hists[0].fill(0), k.hists[1].fill(0)];
        k.build(t, k.rows, 5, n, k.g, k.h, col);
        const rows = k.rows.slice();
        for (let i = 0; i < m; i++) k.rows[i] = i;
        k.build(t, k.rows, 0, m, k.g, k.h, row);
        const root = row.slice();
        k.rows.set(rows);
        k.prepareRows();
        // The root again, its counts from the table prepareRows counted.
        k.build(t, k.rows, 0, m, k.g, k.h, row.fill(0));
        expect(row).toEqual(root);
        k.rowMajorBelow = m + 1;
        k.build(t, k.rows, 5, n, k.g, k.h, row.fill(0));
        expect(row).toEqual(col);
        expect(row[(d - 1) * 768 + 3 * 7 + 2]).toBeGreaterThan(0);
      } finally {
        k.dispose();
      }
    }
  });

  it('a fit growing every node from row-major bins is bit-identical to the TypeScript one', async () => {
    const data = mixed(6000, 11, 2, 3);
    const pos = data.classNames.indexOf('pos');
    const proto = WasmHistograms.prototype as unknown as { prepareRows(): void };
    const prepare = proto.prepareRows;
    proto.prepareRows = function (this: WasmHistograms) {
      prepare.call(this);
      this.rowMajorBelow = Infinity;
    };
    try {
      const fit = (engine: 'wasm' | 'typescript') => createGbdt({ engine, maxIter: 10, earlyStopping: false }).fit(data, createRng(2), { positive: pos });
      const [w, t] = [await fit('wasm'), await fit('typescript')];
      expect(JSON.stringify(w.toJSON())).toBe(JSON.stringify(t.toJSON()));
    } finally {
      proto.prepareRows = prepare;
    }
  });

  it('fillBins (numeric features in WebAssembly, two at a time on threads) gives applyBins exactly', async () => {
    const data = mixed(PARALLEL_ROWS + 999, 12, 2, 4);
    const rng = createRng(6);
    const bins = fitBins(data, null, rng);
    const rows = Int32Array.from({ length: data.nRows }, (_, i) => i).filter((i) => i % 7 !== 3);
    for (const threads of [1, 2]) {
      for (const r of [null, rows]) {
        const m = r ? r.length : data.nRows;
        const k = (await WasmHistograms.create(m, bins.length, 1, threads))!;
        try {
          k.fillBins(data.features, bins, r);
          expect(k.x).toEqual(applyBins(data, bins, r));
        } finally {
          k.dispose();
        }
      }
    }
  });

  it('gradients on worker threads (logisticGradients source text) equal the one-thread loop, and the workers stay up', async () => {
    const m = 2 * PARALLEL_ROWS + 31;
    const k = (await WasmHistograms.create(m, 1, 1, 2))!;
    try {
      const rng = createRng(12);
      for (let i = 0; i < m; i++) {
        k.raw[i] = 8 * rng.nextNormal();
        k.y[i] = rng.nextFloat() < 0.2 ? 1 : 0;
        k.w[i] = 0.5 + rng.nextFloat();
      }
      k.gradients();
      const g = new Float64Array(m);
      const h = new Float64Array(m);
      logisticGradients(k.raw, k.y, k.w, g, h, 0, m);
      expect(k.g).toEqual(g);
      expect(k.h).toEqual(h);
      expect((k as unknown as { failed: boolean }).failed).toBe(false);
    } finally {
      k.dispose();
    }
  });

  it('partition on 3 threads (row blocks, then placed) gives the one-thread stable order: threshold, missing left, category set', async () => {
    const m = 2 * PARALLEL_ROWS + 1001;
    const one = (await WasmHistograms.create(m, 2, 1, 1))!;
    const many = (await WasmHistograms.create(m, 2, 1, 3))!;
    try {
      const rng = createRng(21);
      for (let i = 0; i < 2 * m; i++) one.x[i] = many.x[i] = rng.nextFloat() < 0.05 ? MISSING_BIN : rng.nextInt(40);
      const t = (x: Uint8Array) => ({ x, m, specs: [], nonMissing: new Int32Array(2), isCategorical: new Uint8Array(2), hasMissing: new Uint8Array(2) });
      const bits = new Uint32Array(8);
      bits[0] = 0b1010_0110_0001;
      for (const [feature, bin, missingLeft, bitset] of [[0, 17, false, null], [1, 3, true, null], [1, 0, true, bits]] as const) {
        let n = 0;
        for (let i = 0; i < m; i++) if (i % 5 !== 2) one.rows[n] = many.rows[n++] = i;
        const a = one.partition(t(one.x), one.rows, one.scratch, 7, n, feature, bin, missingLeft, bitset);
        const b = many.partition(t(many.x), many.rows, many.scratch, 7, n, feature, bin, missingLeft, bitset);
        expect(b).toBe(a);
        expect(a).toBeGreaterThan(7);
        expect(a).toBeLessThan(n);
        expect(many.rows.subarray(0, n)).toEqual(one.rows.subarray(0, n));
      }
      expect((many as unknown as { failed: boolean }).failed).toBe(false);
    } finally {
      one.dispose();
      many.dispose();
    }
  });

  it('fitBins with the kernel as threshold runner (numericThresholds on worker threads) gives the same bins', async () => {
    const n = BINNING_SUBSAMPLE + 20_000;
    const rng = createRng(31);
    const data = makeDataset({
      features: {
        a: Array.from({ length: n }, () => (rng.nextFloat() < 0.05 ? NaN : rng.nextNormal())),
        b: Array.from({ length: n }, () => rng.nextInt(40)),
        c: Array.from({ length: n }, (_, i) => i % 7),
      },
      labels: Array.from({ length: n }, (_, i) => i % 2),
      featureKinds: { c: 'categorical' },
      categories: { c: ['0', '1', '2', '3', '4', '5', '6'] },
    });
    const rows = Int32Array.from({ length: n - 1000 }, (_, i) => i + 500);
    const plain = fitBins(data, rows, createRng(2));
    for (const threads of [1, 2]) {
      const k = (await WasmHistograms.create(rows.length, 3, 1, threads))!;
      try {
        expect(fitBins(data, rows, createRng(2), k)).toEqual(plain);
        expect((k as unknown as { failed: boolean }).failed).toBe(false);
      } finally {
        k.dispose();
      }
    }
    expect((plain[0] as { thresholds: Float64Array }).thresholds).toHaveLength(254);
  });
});
