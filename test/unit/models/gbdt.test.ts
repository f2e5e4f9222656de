import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset, takeRows } from '../../../src/dataset/make.js';
import { averagePrecision, rocAuc } from '../../../src/metrics/index.js';
import { createGbdt, FittedGbdt, shouldStop } from '../../../src/models/gbdt.js';
import { loadModel } from '../../../src/models/io.js';
import { createModel } from '../../../src/models/registry.js';
import { applyBins, binOf, fitBins, MISSING_BIN, numericThresholds } from '../../../src/models/tree/binning.js';
import type { Dataset } from '../../../src/types.js';

/** Positive iff a * b > 0 (xor of signs), ~20% label noise-free; a third feature is noise. */
function xor(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng.nextNormal();
    const y = rng.nextNormal();
    a.push(x);
    b.push(y);
    c.push(rng.nextNormal());
    labels.push(x * y > 0.5 ? 'pos' : 'neg');
  }
  return makeDataset({ features: { a, b, c }, labels });
}

const target = (d: Dataset, positive: number): Uint8Array => Uint8Array.from(d.labels, (l) => (l === positive ? 1 : 0));

describe('gbdt', () => {
  const train = xor(3000, 1);
  const test = xor(2000, 2);
  const pos = train.classNames.indexOf('pos');

  it('learns an interaction a linear model cannot (PR-AUC > 0.9 on held-out rows)', async () => {
    const m = await createGbdt().fit(train, createRng(3), { positive: pos });
    const s = await m.predictProba(test);
    expect(averagePrecision(target(test, pos), s)).toBeGreaterThan(0.9);
    for (const v of s) expect(v > 0 && v < 1).toBe(true);
    expect((m as FittedGbdt).trees).toHaveLength(100);
  });

  it('saves to JSON and loads back scoring identically (also through the registry name)', async () => {
    const m = await createModel('gbdt').fit(train, createRng(3), { positive: pos });
    const json = JSON.parse(JSON.stringify(m.toJSON())) as Record<string, unknown>;
    expect(json.model).toBe('gbdt');
    const loaded = loadModel(JSON.stringify(json));
    expect(await loaded.predictProba(test)).toEqual(await m.predictProba(test));
  });

  it('is deterministic per seed', async () => {
    const big = xor(12_000, 4); // early stopping draws its validation split from the Rng
    const a = await (await createGbdt({ maxIter: 20 }).fit(big, createRng(1), { positive: pos })).predictProba(test);
    const b = await (await createGbdt({ maxIter: 20 }).fit(big, createRng(1), { positive: pos })).predictProba(test);
    const c = await (await createGbdt({ maxIter: 20 }).fit(big, createRng(2), { positive: pos })).predictProba(test);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("early stopping 'auto' is on above 10,000 rows and stops once validation loss stalls", async () => {
    const big = xor(12_000, 5);
    const auto = (await createGbdt({ maxIter: 1000 }).fit(big, createRng(1), { positive: pos })) as FittedGbdt;
    expect(auto.trees.length).toBeLessThan(1000);
    const off = (await createGbdt({ maxIter: 30, earlyStopping: false }).fit(big, createRng(1), { positive: pos })) as FittedGbdt;
    expect(off.trees).toHaveLength(30);
    const small = (await createGbdt({ maxIter: 300 }).fit(xor(500, 6), createRng(1), { positive: pos })) as FittedGbdt;
    expect(small.trees).toHaveLength(300);
  });

  it("_should_stop: stops when none of the last n scores beats the reference by more than tol", () => {
    expect(shouldStop([1, 2, 3], 2)).toBe(false);
    expect(shouldStop([1, 2, 2, 2], 2)).toBe(true);
    expect(shouldStop([1, 2, 2, 2.1], 2)).toBe(false);
    expect(shouldStop([1, 1], 2)).toBe(false);
  });

  it('learns where missing values go: NaN marks positives, and scoring accepts NaN', async () => {
    const rng = createRng(9);
    const a: number[] = [];
    const labels: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const p = rng.nextFloat() < 0.2;
      labels.push(p ? 'pos' : 'neg');
      a.push(p && rng.nextFloat() < 0.9 ? NaN : rng.nextNormal());
    }
    const d = makeDataset({ features: { a }, labels });
    const positive = d.classNames.indexOf('pos');
    const m = await createGbdt().fit(d, createRng(1), { positive });
    const s = await m.predictProba(makeDataset({ features: { a: [NaN, 0, 1, -1] }, labels: ['pos', 'neg', 'neg', 'neg'] }));
    expect(s[0]).toBeGreaterThan(0.9);
    for (const v of s.subarray(1)) expect(v).toBeLessThan(0.2);
    const loaded = loadModel(JSON.stringify(m.toJSON()));
    expect(await loaded.predictProba(d)).toEqual(await m.predictProba(d));
  });

  it('splits categorical features on category sets (codes 1, 3, 5 of 8 are positive)', async () => {
    const rng = createRng(10);
    const code: number[] = [];
    const labels: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const c = rng.nextInt(8);
      code.push(c);
      labels.push((c === 1 || c === 3 || c === 5) === rng.nextFloat() < 0.95 ? 'pos' : 'neg');
    }
    const cats = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const d = makeDataset({ features: { code }, labels, featureKinds: { code: 'categorical' }, categories: { code: cats } });
    const positive = d.classNames.indexOf('pos');
    const m = (await createGbdt({ maxIter: 1, maxLeafNodes: 2, learningRate: 1 }).fit(d, createRng(1), { positive })) as FittedGbdt;
    // One split separates {1, 3, 5} from the rest.
    const s = await m.predictProba(makeDataset({ features: { code: [0, 1, 2, 3, 4, 5, 6, 7] }, labels: cats, featureKinds: { code: 'categorical' }, categories: { code: cats } }));
    const high = [1, 3, 5].map((c) => s[c]);
    const low = [0, 2, 4, 6, 7].map((c) => s[c]);
    expect(Math.min(...high)).toBeGreaterThan(Math.max(...low));
    expect(m.trees[0].catSet[0]).toBe(0);
    const loaded = loadModel(JSON.stringify(m.toJSON()));
    expect(await loaded.predictProba(d)).toEqual(await m.predictProba(d));
  });

  it("classWeight 'balanced' and scalePosWeight weigh the positive rows (baseline = weighted log-odds)", async () => {
    const fit = async (o: Parameters<typeof createGbdt>[0]) => (await createGbdt({ maxIter: 20, ...o }).fit(train, createRng(1), { positive: pos })) as FittedGbdt;
    const y = target(train, pos);
    const p = y.reduce((a, b) => a + b, 0) / y.length;
    const plain = await fit({});
    const bal = await fit({ classWeight: 'balanced' });
    const spw = await fit({ scalePosWeight: 5 });
    expect(plain.baseline).toBeCloseTo(Math.log(p / (1 - p)), 12);
    expect(bal.baseline).toBeCloseTo(0, 12);
    expect(spw.baseline).toBeCloseTo(Math.log((5 * p) / (1 - p)), 12);
    const mean = (s: Float32Array): number => s.reduce((a, b) => a + b, 0) / s.length;
    const [sp, sb, ss] = await Promise.all([plain, bal, spw].map((m) => m.predictProba(test)));
    expect(mean(sb)).toBeGreaterThan(mean(sp) + 0.02);
    expect(mean(ss)).toBeGreaterThan(mean(sp) + 0.02);
    expect(rocAuc(target(test, pos), sb)).toBeGreaterThan(0.9);
  });

  it('rejects infinite values (DataError) and bad options (UsageError)', async () => {
    const d = makeDataset({ features: { a: [1, Infinity, 2, 3] }, labels: ['x', 'y', 'x', 'y'] });
    await expect(createGbdt().fit(d, createRng(1), { positive: 1 })).rejects.toThrow(DataError);
    const oneClass = makeDataset({ features: { a: [1, 2] }, labels: ['x', 'x'] });
    await expect(createGbdt().fit(oneClass, createRng(1), { positive: 0 })).rejects.toMatchObject({ code: 'REBALANCE_ONE_CLASS' });
    expect(() => createGbdt({ maxIter: 0 })).toThrow(UsageError);
    expect(() => createGbdt({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => createGbdt({ maxLeafNodes: 1 })).toThrow(/maxLeafNodes/);
  });

  it('refuses a tampered model file (REBALANCE_BAD_MODEL)', async () => {
    const m = await createGbdt({ maxIter: 2 }).fit(train, createRng(1), { positive: pos });
    const good = JSON.parse(JSON.stringify(m.toJSON())) as { trees: { left: number[]; bin: number[] }[]; bins: unknown[] };
    const loop = structuredClone(good);
    loop.trees[0].left[0] = 0;
    expect(() => loadModel(loop)).toThrow(/invalid children/);
    const bin = structuredClone(good);
    bin.trees[0].bin[0] = 255;
    expect(() => loadModel(bin)).toThrow(expect.objectContaining({ code: 'REBALANCE_BAD_MODEL' }));
    const bins = structuredClone(good);
    bins.bins.pop();
    expect(() => loadModel(bins)).toThrow(/feature bin specs/);
  });
});

describe('tree binning', () => {
  it('uses midpoints between distinct values when there are at most 255', () => {
    expect(Array.from(numericThresholds(Float64Array.from([3, 1, 2, 2, 1])))).toEqual([1.5, 2.5]);
    expect(numericThresholds(Float64Array.from([7, 7]))).toHaveLength(0);
  });

  it('uses 254 increasing percentile thresholds above 255 distinct values, bins holding ~equal counts', () => {
    const v = Float64Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000);
    const t = numericThresholds(v);
    expect(t).toHaveLength(254);
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
    const counts = new Int32Array(255);
    for (const x of v) counts[binOf(t, x)]++;
    expect(Math.min(...counts)).toBeGreaterThan(30);
    expect(Math.max(...counts)).toBeLessThan(50);
  });

  it('maps x to the first bin b with x <= thresholds[b]; NaN to the missing bin', () => {
    const t = Float64Array.from([1, 2, 3]);
    expect([0.5, 1, 1.5, 3, 4, NaN].map((x) => binOf(t, x))).toEqual([0, 0, 1, 2, 3, MISSING_BIN]);
  });

  it('gives categories their code order and unseen codes the missing bin', () => {
    const d = makeDataset({
      features: { c: [2, 0, 2, 5] },
      labels: ['a', 'b', 'a', 'b'],
      featureKinds: { c: 'categorical' },
      categories: { c: ['u', 'v', 'w', 'x', 'y', 'z'] },
    });
    const bins = fitBins(d, Int32Array.from([0, 1, 2]), createRng(1));
    expect(bins[0]).toEqual({ kind: 'categorical', codes: Int32Array.from([0, 2]) });
    expect(Array.from(applyBins(d, bins))).toEqual([1, 0, 1, MISSING_BIN]);
  });
});

/** Three classes around three centres in 2-D; 'c' (about 15%) is the rare one. */
function three(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.nextFloat();
    const cls = u < 0.15 ? 'c' : u < 0.55 ? 'b' : 'a';
    const [cx, cy] = cls === 'a' ? [0, 0] : cls === 'b' ? [2, 0] : [1, 1.7];
    a.push(cx + rng.nextNormal());
    b.push(cy + rng.nextNormal());
    labels.push(cls);
  }
  return makeDataset({ features: { a, b }, labels });
}

describe('gbdt on more than two classes (multinomial loss)', () => {
  const train = three(3000, 11);
  const test = three(2000, 12);
  const pos = train.classNames.indexOf('c');

  it('grows one tree per class per iteration and scores the positive class by its softmax share', async () => {
    const m = (await createGbdt({ maxIter: 40 }).fit(train, createRng(3), { positive: pos })) as FittedGbdt;
    expect(m.softmax).toMatchObject({ classes: 3, positive: pos });
    expect(m.trees).toHaveLength(120);
    const raw = m.classScores(test);
    const s = await m.predictProba(test);
    for (let i = 0; i < 50; i++) {
      const e = raw.map((r) => Math.exp(r[i]));
      expect(s[i]).toBeCloseTo(e[pos] / (e[0] + e[1] + e[2]), 6);
    }
    const logit = m.rawScores(test);
    expect(1 / (1 + Math.exp(-logit[0]))).toBeCloseTo(s[0], 6);
    expect(averagePrecision(target(test, pos), s)).toBeGreaterThan(0.6);
    // Baselines: the centred logs of the class shares.
    const share = [0, 1, 2].map((k) => train.labels.filter((l) => l === k).length / train.nRows);
    const meanLog = share.reduce((t, p) => t + Math.log(p), 0) / 3;
    share.forEach((p, k) => expect(m.softmax!.baselines[k]).toBeCloseTo(Math.log(p) - meanLog, 12));
  });

  it('saves the multinomial layout (no binary baseline) and loads back scoring identically', async () => {
    const m = await createGbdt({ maxIter: 10, engine: 'typescript' }).fit(train, createRng(3), { positive: pos });
    const json = JSON.parse(JSON.stringify(m.toJSON())) as Record<string, unknown>;
    expect(json).toMatchObject({ model: 'gbdt', loss: 'multinomial', classes: 3, positive: pos });
    expect(json.baseline).toBeUndefined();
    const loaded = loadModel(JSON.stringify(json));
    expect(await loaded.predictProba(test)).toEqual(await m.predictProba(test));
    expect(() => loadModel(JSON.stringify({ ...json, trees: (json.trees as unknown[]).slice(1) }))).toThrow(/multiple of 3 trees/);
    expect(() => loadModel(JSON.stringify({ ...json, loss: 'poisson' }))).toThrow(DataError);
  });

  it('still loads a binary model file of the earlier layout (baseline, bins, trees; no loss)', () => {
    const old = {
      format: 'rebalance-model',
      version: 1,
      model: 'gbdt',
      featureNames: ['a'],
      baseline: -1,
      bins: [{ kind: 'numeric', thresholds: [0.5] }],
      trees: [{ feature: [0, -1, -1], bin: [0, 0, 0], missingLeft: [0, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -1, 2], catSet: [-1, -1, -1], bitsets: [] }],
    };
    const m = loadModel(JSON.stringify(old)) as FittedGbdt;
    expect(m.softmax).toBeNull();
    expect(Array.from(m.rawScores(makeDataset({ features: { a: [0, 1] }, labels: ['x', 'y'] })))).toEqual([-2, 1]);
  });

  it("'balanced' weighs each of the K classes by n / (K n_class)", async () => {
    const m = (await createGbdt({ maxIter: 1, classWeight: 'balanced' }).fit(train, createRng(3), { positive: pos })) as FittedGbdt;
    for (const b of m.softmax!.baselines) expect(b).toBeCloseTo(0, 12);
  });

  it('two classes present (a third only named) stay binary', async () => {
    const two = takeRows(train, Int32Array.from({ length: train.nRows }, (_, i) => i).filter((i) => train.labels[i] !== 0));
    const m = (await createGbdt({ maxIter: 5 }).fit(two, createRng(3), { positive: pos })) as FittedGbdt;
    expect(m.softmax).toBeNull();
    expect(m.trees).toHaveLength(5);
  });
});
